package engine_test

import (
	"testing"

	"github.com/breakglass-dev/breakglass/mappings"
)

// catalogue is SPEC.md's rule catalogue: id and severity.
var catalogue = map[string]string{
	"BG-INV-001": "high", "BG-INV-002": "medium", "BG-INV-003": "high", "BG-INV-004": "medium",
	"BG-ISO-001": "critical", "BG-ISO-002": "high", "BG-ISO-003": "medium", "BG-ISO-004": "low",
	"BG-PRIV-001": "critical", "BG-PRIV-002": "high", "BG-PRIV-003": "medium", "BG-PRIV-004": "high",
	"BG-AUTH-001": "critical", "BG-AUTH-002": "high", "BG-AUTH-003": "high",
	"BG-CA-001": "critical", "BG-CA-002": "high", "BG-CA-003": "low", "BG-CA-004": "high", "BG-CA-005": "high", "BG-CA-006": "medium",
	"BG-MON-001": "high", "BG-MON-002": "high", "BG-MON-003": "medium", "BG-MON-004": "high",
	"BG-CRED-001": "high", "BG-CRED-002": "low", "BG-CRED-003": "medium", "BG-CRED-004": "medium",
	"BG-PROC-001": "medium", "BG-PROC-002": "high",
	"BG-DRIFT-001": "medium",
	// Issue 13: Microsoft's 2026 emergency-access guidance (README, "Rules beyond SPEC.md").
	"BG-AUTH-004": "critical", "BG-CA-007": "high", "BG-PRIV-005": "high", "BG-MON-005": "medium", "BG-INV-005": "high",
	"BG-AUTH-006": "high", "BG-AUTH-005": "high",
}

// resourceKinds is what each rule judges (SPEC.md "Resources per rule").
var resourceKinds = map[string]string{
	"BG-INV-001": "tenant", "BG-INV-002": "tenant", "BG-CA-001": "tenant", "BG-MON-001": "tenant", "BG-MON-003": "tenant", "BG-PROC-001": "tenant",
	"BG-CA-002": "enabled-policy-account", "BG-CA-003": "report-only-policy-account", "BG-CA-007": "report-only-policy-account", "BG-CA-006": "policy-reference",
	"BG-CA-004": "exclusion-group", "BG-CA-005": "exclusion-group", "BG-PRIV-004": "subscription", "BG-CRED-004": "key-vault",
	"BG-DRIFT-001": "object", "BG-INV-004": "candidate", "BG-PRIV-005": "tenant",
}

// configOnly rules judge breakglass.yaml alone (account count, runbook) or
// compare two snapshots and check both sides' data sets themselves (drift).
var configOnly = map[string]bool{"BG-INV-002": true, "BG-PROC-001": true, "BG-DRIFT-001": true}

// TestBuiltinCatalogue: `breakglass rules --format json` lists exactly the
// catalogue rules (SPEC.md's 32 plus issue 13's), with unique ids, SPEC severities and resource kinds,
// complete METADATA and a mapping to every built-in framework.
func TestBuiltinCatalogue(t *testing.T) {
	eng := newEngine(t)
	rules := eng.Rules()
	if len(rules) != len(catalogue) {
		t.Errorf("%d built-in rules, want %d", len(rules), len(catalogue))
	}
	seen := map[string]bool{}
	for _, r := range rules {
		if seen[r.ID] {
			t.Errorf("%s: duplicate rule id", r.ID)
		}
		seen[r.ID] = true
		sev, ok := catalogue[r.ID]
		switch {
		case !ok:
			t.Errorf("%s (%s) is not in the SPEC catalogue", r.ID, r.File)
			continue
		case !r.Builtin:
			t.Errorf("%s: not marked built-in", r.ID)
		case r.Severity != sev:
			t.Errorf("%s: severity %s, SPEC says %s", r.ID, r.Severity, sev)
		case r.Title == "" || r.Description == "" || r.Remediation == "":
			t.Errorf("%s: METADATA needs title, description and remediation", r.ID)
		}
		kind := resourceKinds[r.ID]
		if kind == "" {
			kind = "account"
		}
		if r.Resource != kind {
			t.Errorf("%s: custom.resource %s, want %s", r.ID, r.Resource, kind)
		}
		for _, fw := range mappings.BuiltinFrameworks {
			if len(r.Controls[fw]) == 0 {
				t.Errorf("%s: no %s controls", r.ID, fw)
			}
		}
		if len(r.Requires) == 0 && !configOnly[r.ID] {
			t.Errorf("%s declares no data sets: the engine cannot fail it closed", r.ID)
		}
	}
	for id := range catalogue {
		if !seen[id] {
			t.Errorf("%s: catalogue rule not implemented", id)
		}
	}
}
