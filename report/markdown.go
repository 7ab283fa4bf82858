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
	fmt.Fprintf(bw, "# breakglass scan\n\nTenant `%s`, snapshot `%s` (collected %s, sha256 `%s`).\n\n",
		r.Snapshot.TenantID, r.Snapshot.Path, r.Snapshot.CollectedAt.Format("2006-01-02T15:04:05Z07:00"), r.Snapshot.SHA256)
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

// cell makes text safe inside a table cell: printable, backslashes and
// pipes escaped (a backslash first, so "\\|" cannot end the cell).
func cell(s string) string {
	return strings.NewReplacer("\\", "\\\\", "|", "\\|").Replace(printable(s))
}
