package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/breakglass-dev/breakglass/policies/engine"
)

// Markdown renders a summary suitable for a pull request comment or a
// GitHub Actions job summary.
type Markdown struct{}

var _ Writer = Markdown{}

func (Markdown) Write(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	s := r.Summary
	fmt.Fprintf(bw, "# breakglass scan\n\nTenant %s, snapshot %s (collected %s, sha256 %s).\n\n",
		codeSpan(r.Snapshot.TenantID), codeSpan(r.Snapshot.Path), r.Snapshot.CollectedAt.Format("2006-01-02T15:04:05Z07:00"), codeSpan(r.Snapshot.SHA256))
	fmt.Fprintf(bw, "| pass | fail | error | manual | not applicable | waived |\n|---:|---:|---:|---:|---:|---:|\n| %d | %d | %d | %d | %d | %d |\n\n",
		s[engine.StatusPass], s[engine.StatusFail], s[engine.StatusError], s[engine.StatusManual], s[engine.StatusNotApplicable], s[engine.StatusWaived])
	rules := r.ruleByID()
	fmt.Fprintf(bw, "| status | severity | rule | resource | message | controls |\n|---|---|---|---|---|---|\n")
	shown := 0
	for _, res := range r.Results {
		if !r.visible(res) {
			continue
		}
		shown++
		title := res.RuleID
		if rule, ok := rules[res.RuleID]; ok {
			title = res.RuleID + " " + rule.Title
		}
		target := describe(res.Resource)
		if res.Subject != nil {
			target += " / " + describe(*res.Subject)
		}
		fmt.Fprintf(bw, "| %s | %s | %s | %s | %s | %s |\n", res.Status, res.Severity, cell(title), cell(target), cell(res.Message), cell(strings.Join(r.controlTags(res.Controls), ", ")))
	}
	if shown == 0 {
		fmt.Fprintf(bw, "| | | | | no findings | |\n")
	}
	return bw.Flush()
}

// cell makes text safe inside a table cell: one line (printable), with
// every character that could open GitHub-flavoured Markdown syntax escaped
// (mdText).
func cell(s string) string { return mdText(s) }

// mdSyntax are the ASCII characters that open or close GitHub-flavoured
// Markdown inline syntax: backslash escapes, code spans, emphasis and
// strikethrough, links and images, raw HTML and <autolinks>, entities,
// math ($...$), table cells and e-mail autolinks (@). CommonMark defines a
// backslash escape for every ASCII punctuation character, so each renders
// as itself.
const mdSyntax = "\\`*_~[]<>!&|$@"

// mdText makes tenant-controlled text inert Markdown: printable, each
// character of mdSyntax backslash-escaped, and GitHub's extended autolinks
// broken: the dot of "www." and the colon of "scheme:/" (https://, ftp://)
// and of "mailto:"/"xmpp:" are escaped. What renders is the text as
// written; no HTML, link, image or formatting can come from it. Block
// syntax (#, >, -) needs no escape: the text never starts a line.
func mdText(s string) string {
	s = printable(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if strings.IndexByte(mdSyntax, c) >= 0 || c == '.' && hasSuffixFold(s[:i], "www") ||
			c == ':' && (strings.HasPrefix(s[i+1:], "/") || hasSuffixFold(s[:i], "mailto") || hasSuffixFold(s[:i], "xmpp")) {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// codeSpan renders text as a Markdown code span (nothing inside one is
// parsed): printable, fenced with more backticks than the longest run in
// the text, padded when the text starts or ends with a backtick.
func codeSpan(s string) string {
	s = printable(s)
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || s == "" {
		s = " " + s + " "
	}
	return fence + s + fence
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}
