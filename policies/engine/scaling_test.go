package engine_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/breakglass-dev/breakglass/policies/engine"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// evalCounter counts evaluation events: a machine-independent measure of
// work, so a scaling regression fails a unit test without timing anything.
type evalCounter struct{ n int }

func (c *evalCounter) Enabled() bool               { return true }
func (c *evalCounter) TraceEvent(topdown.Event)    { c.n++ }
func (c *evalCounter) Config() topdown.TraceConfig { return topdown.TraceConfig{} }

// tenantWithPolicies is the sample tenant with n extra enabled CA policies,
// each also excluding one of n (unlisted) groups the accounts belong to, so
// per-policy and per-group work both grow with n.
func tenantWithPolicies(t testing.TB, n int) (map[string]any, any) {
	doc, sets, cfg := sampleCopy(t)
	var policies, memberOf, groups []any
	policies = append(policies, sets["conditionalAccessPolicies"].(map[string]any)["items"].([]any)...)
	for i := 0; i < n; i++ {
		gid := fmt.Sprintf("90000000-0000-4000-8000-%012d", i)
		groups = append(groups, map[string]any{"id": gid, "displayName": gid})
		memberOf = append(memberOf, map[string]any{"@odata.type": "#microsoft.graph.group", "id": gid})
		policies = append(policies, syntheticPolicy(i,
			map[string]any{"includeRoles": []any{"62e90394-69f5-4237-9190-012177145e10"}, "excludeGroups": []any{"9e0c1a55-0000-4000-8000-0000000e0001", gid}},
			[]any{"mfa"}))
	}
	memberOf = append(memberOf, map[string]any{"@odata.type": "#microsoft.graph.group", "id": "9e0c1a55-0000-4000-8000-0000000e0001"})
	sets["conditionalAccessPolicies"] = map[string]any{"status": "ok", "items": policies}
	sets["groups"] = map[string]any{"status": "ok", "items": groups}
	sets["transitiveMemberOf"] = map[string]any{"status": "ok", "items": []any{
		map[string]any{"id": bg1, "memberOf": memberOf},
		map[string]any{"id": bg2, "memberOf": memberOf},
	}}
	return doc, cfg
}

func evalEvents(t *testing.T, eng *engine.Engine, n int) int {
	doc, cfg := tenantWithPolicies(t, n)
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

// TestEvaluationScalesLinearlyWithPolicies: tripling the CA policies (and
// the groups each account is in) must not much more than triple the work.
// A lookup table written as a partial rule, or a collection scanned inside
// a per-(policy, account) function, makes this quadratic (STYLE.md measured
// 76 s instead of 80 ms on a 2,000-policy tenant).
func TestEvaluationScalesLinearlyWithPolicies(t *testing.T) {
	if testing.Short() {
		t.Skip("traces a full evaluation")
	}
	eng := unshardedEngine(t)
	small, large := evalEvents(t, eng, 50), evalEvents(t, eng, 150)
	t.Logf("evaluation events: 50 policies %d, 150 policies %d", small, large)
	if ratio := float64(large) / float64(small); ratio > 3.3 {
		t.Errorf("3x policies cost %.2fx evaluation events (%d -> %d): something scans a collection per policy", ratio, small, large)
	}
}
