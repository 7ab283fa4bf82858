package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/breakglass-dev/breakglass/policies/engine"
)

// Text is the human summary printed on stdout by default: findings first,
// then one line of counts.
type Text struct{}

var _ Writer = Text{}

func (Text) Write(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s %s  tenant %s  snapshot %s (collected %s)\n\n",
		r.Tool.Name, r.Tool.Version, printable(r.Snapshot.TenantID), printable(r.Snapshot.Path), r.Snapshot.CollectedAt.Format("2006-01-02 15:04 MST"))
	rules := r.ruleByID()
	shown := 0
	for _, res := range r.Results {
		if !r.visible(res) {
			continue
		}
		shown++
		title := ""
		if rule, ok := rules[res.RuleID]; ok {
			title = rule.Title
		}
		fmt.Fprintf(bw, "%-14s %-8s %s  %s\n", strings.ToUpper(res.Status), res.Severity, printable(res.RuleID), printable(title))
		fmt.Fprintf(bw, "    %s\n", printable(describe(res.Resource)))
		if res.Subject != nil {
			fmt.Fprintf(bw, "    %s: %s\n", subjectLabel(*res.Subject), printable(describe(*res.Subject)))
		}
		fmt.Fprintf(bw, "    %s\n\n", printable(res.Message))
	}
	if shown == 0 {
		fmt.Fprintf(bw, "No findings.\n\n")
	}
	s := r.Summary
	fmt.Fprintf(bw, "%d results: %d pass, %d fail, %d error, %d manual, %d not applicable, %d waived\n",
		len(r.Results), s[engine.StatusPass], s[engine.StatusFail], s[engine.StatusError], s[engine.StatusManual], s[engine.StatusNotApplicable], s[engine.StatusWaived])
	return bw.Flush()
}
