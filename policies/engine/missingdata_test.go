package engine_test

import (
	"strings"
	"testing"

	"github.com/breakglass-dev/breakglass/policies/engine"
)

// configOnly rules judge breakglass.yaml alone (account count, runbook) or
// compare two snapshots and check both sides' data sets themselves (drift).
var configOnly = map[string]bool{"BG-INV-002": true, "BG-PROC-001": true, "BG-DRIFT-001": true}

// TestEveryRuleFailsClosedOnEachRequiredDataSet: for every built-in rule and
// every data set it declares, a forbidden data set turns every result of the
// rule into `error` naming that data set — never pass, never silence.
func TestEveryRuleFailsClosedOnEachRequiredDataSet(t *testing.T) {
	eng := newEngine(t)
	for _, rule := range eng.Rules() {
		if len(rule.Requires) == 0 && !configOnly[rule.ID] {
			t.Errorf("%s declares no data sets", rule.ID)
		}
		for _, ds := range rule.Requires {
			t.Run(rule.ID+"/"+ds, func(t *testing.T) {
				snap, cfg := loadSample(t)
				setStatus(t, snap, ds, "forbidden", "403 Authorization_RequestDenied")
				got := byRule(scan(t, eng, snap, cfg), rule.ID)
				if len(got) == 0 {
					t.Fatal("no results: missing data must still be reported")
				}
				for _, r := range got {
					if r.Status != engine.StatusError || !strings.Contains(r.Message, ds+" is forbidden") {
						t.Errorf("%s: %s %q", key(r), r.Status, r.Message)
					}
				}
			})
		}
	}
}
