package engine_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/breakglass-dev/breakglass/policies/engine"
)

// BenchmarkScanSample measures one full evaluation of every rule on the
// sample tenant, input conversion included (compile and prepare happen
// once, outside the loop, as in the CLI).
func BenchmarkScanSample(b *testing.B) {
	eng := newEngine(b)
	snap, cfg := loadSample(b)
	in := engine.Input{Document: snap.Doc, Config: cfg, Now: snap.CollectedAt}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := eng.Scan(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEngineNew measures compile + prepare of the built-in rules.
func BenchmarkEngineNew(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := engine.New(context.Background(), engine.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// syntheticPolicy is an enabled CA policy on all apps and clients with the
// given user condition and built-in grant controls.
func syntheticPolicy(i int, users map[string]any, grant []any) map[string]any {
	return map[string]any{
		"id": fmt.Sprintf("c1000000-0000-4000-8000-%012d", i), "displayName": fmt.Sprintf("policy %d", i), "state": "enabled",
		"conditions": map[string]any{
			"clientAppTypes": []any{"all"},
			"applications":   map[string]any{"includeApplications": []any{"All"}},
			"users":          users,
		},
		"grantControls": map[string]any{"operator": "OR", "builtInControls": grant},
	}
}

// sampleCopy returns the sample document with its own top-level and
// dataSets maps, so a test can replace data sets without touching others.
func sampleCopy(t testing.TB) (doc, sets map[string]any, cfg any) {
	t.Helper()
	snap, c := loadSample(t)
	doc = map[string]any{}
	for k, v := range snap.Doc {
		doc[k] = v
	}
	sets = map[string]any{}
	for k, v := range snap.Doc["dataSets"].(map[string]any) {
		sets[k] = v
	}
	doc["dataSets"] = sets
	return doc, sets, c
}

// largeTenant builds a synthetic tenant of the size STYLE.md measured
// (2,000 CA policies, 5,000 groups, 400 role assignments): the shape that
// punished a naive per-(policy, account) group scan with a 76 s evaluation.
func largeTenant(b *testing.B) (map[string]any, any) {
	b.Helper()
	doc, sets, cfg := sampleCopy(b)
	const groups, policies, assignments = 5000, 2000, 400
	var groupItems, memberOf []any
	objects := sets["directoryObjects"].(map[string]any)["items"].([]any)
	for i := 0; i < groups; i++ {
		id := fmt.Sprintf("90000000-0000-4000-8000-%012d", i)
		groupItems = append(groupItems, map[string]any{"id": id, "displayName": fmt.Sprintf("group %d", i), "isAssignableToRole": false})
		objects = append(objects, map[string]any{"@odata.type": "#microsoft.graph.group", "id": id, "displayName": fmt.Sprintf("group %d", i)})
		if i%10 == 0 {
			memberOf = append(memberOf, map[string]any{"@odata.type": "#microsoft.graph.group", "id": id})
		}
	}
	memberOf = append(memberOf, map[string]any{"@odata.type": "#microsoft.graph.group", "id": "9e0c1a55-0000-4000-8000-0000000e0001"})
	var caItems []any
	for i := 0; i < policies; i++ {
		include := []any{fmt.Sprintf("90000000-0000-4000-8000-%012d", (i*7)%groups)}
		exclude := []any{fmt.Sprintf("90000000-0000-4000-8000-%012d", (i*13)%groups), "9e0c1a55-0000-4000-8000-0000000e0001"}
		grant := []any{"mfa"}
		if i%3 == 0 {
			grant = []any{"block"}
		}
		caItems = append(caItems, syntheticPolicy(i,
			map[string]any{"includeGroups": include, "excludeGroups": exclude, "includeRoles": []any{"62e90394-69f5-4237-9190-012177145e10"}}, grant))
	}
	var raItems []any
	for i := 0; i < assignments; i++ {
		raItems = append(raItems, map[string]any{"id": fmt.Sprintf("ra-%d", i), "principalId": fmt.Sprintf("a0000000-0000-4000-8000-%012d", i),
			"roleDefinitionId": "62e90394-69f5-4237-9190-012177145e10", "directoryScopeId": "/"})
	}
	raItems = append(raItems, sets["roleAssignments"].(map[string]any)["items"].([]any)...)
	sets["groups"] = map[string]any{"status": "ok", "items": groupItems}
	sets["directoryObjects"] = map[string]any{"status": "ok", "items": objects}
	sets["conditionalAccessPolicies"] = map[string]any{"status": "ok", "items": caItems}
	sets["roleAssignments"] = map[string]any{"status": "ok", "items": raItems}
	sets["transitiveMemberOf"] = map[string]any{"status": "ok", "items": []any{
		map[string]any{"id": bg1, "memberOf": memberOf},
		map[string]any{"id": bg2, "memberOf": memberOf},
	}}
	return doc, cfg
}

// BenchmarkScanLargeTenant: 2,000 policies x 2 accounts, with 500 groups per
// account; per-principal facts keep this linear in policies.
func BenchmarkScanLargeTenant(b *testing.B) {
	eng := newEngine(b)
	doc, cfg := largeTenant(b)
	value, err := engine.BuildInput(engine.Input{Document: doc, Config: cfg})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		results, err := eng.ScanValue(context.Background(), value, mustTime("2026-11-20T06:00:00Z"))
		if err != nil {
			b.Fatal(err)
		}
		if len(byRule(results, "BG-CA-002")) != 4000 {
			b.Fatalf("%d BG-CA-002 results", len(byRule(results, "BG-CA-002")))
		}
	}
}

// BenchmarkScanLargeTenantIsolated is BenchmarkScanLargeTenant on the
// per-rule path that a run-time error in any rule switches to: the cost of
// isolation when it is needed (the fast path pays nothing for it).
func BenchmarkScanLargeTenantIsolated(b *testing.B) {
	eng := newEngine(b)
	doc, cfg := largeTenant(b)
	in := engine.Input{Document: doc, Config: cfg, Now: mustTime("2026-11-20T06:00:00Z")}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		results, err := eng.ScanIsolated(context.Background(), in)
		if err != nil {
			b.Fatal(err)
		}
		if len(byRule(results, "BG-CA-002")) != 4000 {
			b.Fatalf("%d BG-CA-002 results", len(byRule(results, "BG-CA-002")))
		}
	}
}
