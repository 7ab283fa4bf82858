package engine_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/breakglass-dev/breakglass/policies/engine"
)

// TestEmbeddedModulesPassEveryCheck compiles the embedded library and rules
// with every compiler stage, type checking included: engine.New skips the
// check-only stages for them when no --policy module is loaded (engine
// start, docs/performance.md), so this test is what holds them to it.
func TestEmbeddedModulesPassEveryCheck(t *testing.T) {
	modules, err := engine.LoadModules(nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := engine.Compile(modules); err != nil {
		t.Fatalf("embedded modules fail a compiler check: %v", err)
	}
}

// membershipEvents is the evaluation events of a scan of the sample tenant
// whose two accounts are each in n more (unreferenced) groups.
func membershipEvents(t *testing.T, eng *engine.Engine, n int) int {
	doc, sets, cfg := sampleCopy(t)
	var extra []any
	for i := 0; i < n; i++ {
		extra = append(extra, map[string]any{"@odata.type": "#microsoft.graph.group", "id": fmt.Sprintf("91000000-0000-4000-8000-%012d", i)})
	}
	var items []any
	for _, it := range sets["transitiveMemberOf"].(map[string]any)["items"].([]any) {
		m := maps.Clone(it.(map[string]any))
		if m["id"] == bg1 || m["id"] == bg2 {
			m["memberOf"] = append(slices.Clone(m["memberOf"].([]any)), extra...)
		}
		items = append(items, m)
	}
	sets["transitiveMemberOf"] = map[string]any{"status": "ok", "items": items}
	value, err := engine.BuildInput(engine.Input{Document: doc, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	c := &evalCounter{}
	if _, err := eng.ScanValue(context.Background(), value, mustTime("2026-11-20T06:00:00Z"), rego.EvalQueryTracer(c)); err != nil {
		t.Fatal(err)
	}
	return c.n
}

// TestGroupMembershipsCostLittleEach: a principal in thousands of groups
// (the XL tenant: 50,000 memberships) must cost a few evaluation events
// per membership (reading it), not a lookup per membership in every rule
// that asks which roles the principal holds through its groups: those
// intersect the groups with the role-holding principals instead.
// maxEventsPerMembership: 16 measured with set intersections and lookups
// on the (lower-case) ids; 24 before BG-PRIV-005, BG-INV-005 and
// lib.exclusion stopped lower-casing every group of an account; 52 with a
// lookup per group (core.rego active_role_assignments, bg_inv_004
// eligible_roles).
const maxEventsPerMembership = 24

func TestGroupMembershipsCostLittleEach(t *testing.T) {
	if testing.Short() {
		t.Skip("traces a full evaluation")
	}
	eng := unshardedEngine(t)
	const n = 400
	base, more := membershipEvents(t, eng, 0), membershipEvents(t, eng, n)
	perMembership := float64(more-base) / (2 * n)
	t.Logf("evaluation events: %d, with %d more memberships per account %d (%.1f per membership)", base, n, more, perMembership)
	if perMembership > maxEventsPerMembership {
		t.Errorf("%.1f evaluation events per group membership, want at most %d: some rule looks every group of a principal up", perMembership, maxEventsPerMembership)
	}
}
