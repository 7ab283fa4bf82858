package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/config"
	"github.com/breakglass-dev/breakglass/policies/engine"
	"github.com/breakglass-dev/breakglass/testdata/gen/gen"
)

// Property tests over generated tenants (testdata/gen): tenants that hold
// several of everything (sign-ins per day, methods of each kind, drills on
// one date, equal-timestamp secret versions, duplicated members, mixed id
// case, ...) scanned through the real path: snapshot.Parse, config.Parse,
// engine.New, Scan with the baseline.

type genTenant struct {
	name     string
	snap     *snapshot.Loaded
	cfg      *config.Config
	baseline *snapshot.Loaded
}

func generate(t testing.TB, seed int64, sizeName string) genTenant {
	t.Helper()
	size, err := gen.Lookup(sizeName)
	if err != nil {
		t.Fatal(err)
	}
	snapB, cfgB, baseB, err := gen.Tenant(seed, size)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("seed %d size %s", seed, sizeName)
	return parseGenerated(t, name, snapB, cfgB, baseB)
}

func parseGenerated(t testing.TB, name string, snapB, cfgB, baseB []byte) genTenant {
	t.Helper()
	snap, err := snapshot.Parse("generated/snapshot.json", snapB)
	if err != nil {
		t.Fatalf("%s: the generated snapshot does not load: %v", name, err)
	}
	cfg, err := config.Parse("generated/breakglass.yaml", cfgB)
	if err != nil {
		t.Fatalf("%s: the generated config does not load: %v", name, err)
	}
	base, err := snapshot.Parse("generated/baseline.json", baseB)
	if err != nil {
		t.Fatalf("%s: the generated baseline does not load: %v", name, err)
	}
	return genTenant{name: name, snap: snap, cfg: cfg, baseline: base}
}

func (g genTenant) scan(t testing.TB, eng *engine.Engine) []engine.Result {
	t.Helper()
	results, err := eng.Scan(context.Background(), engine.Input{Document: g.snap.Doc, Config: g.cfg, Baseline: g.baseline.Doc, Now: g.snap.CollectedAt})
	if err != nil {
		t.Fatalf("%s: Scan: %v", g.name, err)
	}
	return results
}

func resultsJSON(t testing.TB, results []engine.Result) []byte {
	t.Helper()
	raw, err := json.MarshalIndent(results, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// evaluationErrors are the marks of a rule that failed at run time (the
// engine isolates it) or left a resource unjudged.
var evaluationErrors = []string{"rule evaluation failed", "eval_conflict_error", "eval_type_error", "eval_builtin_error",
	"object keys must be unique", "produced conflicting values", "the rule produced no verdict"}

// checkInvariants asserts what must hold for any tenant.
func checkInvariants(t testing.TB, eng *engine.Engine, g genTenant, results []engine.Result) {
	t.Helper()
	judged := map[string]int{}
	seen := map[string]string{}
	for _, r := range results {
		for _, bad := range evaluationErrors {
			if strings.Contains(r.Message, bad) {
				t.Errorf("%s: %s on %s %s: %s", g.name, r.RuleID, r.Resource.Type, r.Resource.ID, r.Message)
			}
		}
		judged[r.RuleID]++
		// One verdict per (rule, resource, subject, key).
		k := r.RuleID + "|" + r.Resource.Type + "|" + strings.ToLower(r.Resource.ID) + "|" + r.Key
		if r.Subject != nil {
			k += "|" + r.Subject.Type + "|" + strings.ToLower(r.Subject.ID)
		}
		if prev, dup := seen[k]; dup {
			t.Errorf("%s: %s judged %s %s twice: %q and %q", g.name, r.RuleID, r.Resource.Type, r.Resource.ID, prev, r.Message)
		}
		seen[k] = r.Message
	}
	for _, rule := range eng.Rules() {
		if judged[rule.ID] == 0 {
			t.Errorf("%s: %s produced no result at all", g.name, rule.ID)
		}
	}
	checkAccountCounts(t, g, results)
}

// checkAccountCounts: BG-INV-001 counts distinct existing, enabled users
// (two declarations of one user are one account), BG-INV-002 declarations,
// and every per-account rule judges each distinct declared account once.
func checkAccountCounts(t testing.TB, g genTenant, results []engine.Result) {
	t.Helper()
	users := g.snap.Doc["dataSets"].(map[string]any)["users"].(map[string]any)["items"].([]any)
	byID, byUPN := map[string]map[string]any{}, map[string]map[string]any{}
	for _, it := range users {
		u := it.(map[string]any)
		byID[strings.ToLower(u["id"].(string))] = u
		byUPN[strings.ToLower(u["userPrincipalName"].(string))] = u
	}
	enabled := map[string]bool{}
	resources := map[string]bool{}
	for _, a := range g.cfg.Accounts {
		u := byID[strings.ToLower(a.ID)]
		if a.ID == "" {
			u = byUPN[strings.ToLower(a.UserPrincipalName)]
		}
		if u == nil {
			resources[strings.ToLower(a.Ref())] = true
			continue
		}
		resources[strings.ToLower(u["id"].(string))] = true
		if u["accountEnabled"] == true {
			enabled[strings.ToLower(u["id"].(string))] = true
		}
	}
	minimum := config.DefaultMinAccounts
	if g.cfg.MinAccounts != nil {
		minimum = *g.cfg.MinAccounts
	}
	inv1 := byRule(results, "BG-INV-001")
	if len(inv1) != 1 {
		t.Fatalf("%s: BG-INV-001: %d results, want 1", g.name, len(inv1))
	}
	wantStatus := engine.StatusFail
	if len(enabled) >= minimum {
		wantStatus = engine.StatusPass
	}
	if inv1[0].Status != wantStatus {
		t.Errorf("%s: BG-INV-001 is %s with %d distinct enabled accounts (minimum %d): %s", g.name, inv1[0].Status, len(enabled), minimum, inv1[0].Message)
	}
	if n := leadingCount(inv1[0].Message); n != len(enabled) {
		t.Errorf("%s: BG-INV-001 counts %d usable accounts, want %d distinct: %s", g.name, n, len(enabled), inv1[0].Message)
	}
	for _, id := range []string{"BG-INV-003", "BG-ISO-001", "BG-AUTH-001", "BG-CRED-001", "BG-PROC-002", "BG-MON-004"} {
		got := map[string]bool{}
		for _, r := range byRule(results, id) {
			got[strings.ToLower(r.Resource.ID)] = true
		}
		if len(got) != len(resources) {
			t.Errorf("%s: %s judged %d accounts, want the %d declared", g.name, id, len(got), len(resources))
		}
	}
}

var countRE = regexp.MustCompile(`^(?:only )?(\d+)`)

func leadingCount(msg string) int {
	m := countRE.FindStringSubmatch(msg)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// shuffled returns a deep copy of v with every list shuffled.
func shuffled(v any, r *rand.Rand) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = shuffled(e, r)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = shuffled(e, r)
		}
		r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		return out
	}
	return v
}

func shuffleSlice[T any](xs []T, r *rand.Rand) []T {
	out := append([]T(nil), xs...)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// shuffledTenant is the same tenant with every list of the snapshot, the
// baseline and the config in another order.
func shuffledTenant(g genTenant, seed uint64) genTenant {
	r := rand.New(rand.NewPCG(seed, 99))
	snap, base := *g.snap, *g.baseline
	snap.Doc = shuffled(g.snap.Doc, r).(map[string]any)
	base.Doc = shuffled(g.baseline.Doc, r).(map[string]any)
	cfg := *g.cfg
	cfg.Accounts = shuffleSlice(cfg.Accounts, r)
	cfg.ExclusionGroups = shuffleSlice(cfg.ExclusionGroups, r)
	cfg.Subscriptions = shuffleSlice(cfg.Subscriptions, r)
	cfg.AllowedRoles = shuffleSlice(cfg.AllowedRoles, r)
	cfg.CAAllowedPolicies = shuffleSlice(cfg.CAAllowedPolicies, r)
	cfg.Drills = shuffleSlice(cfg.Drills, r)
	return genTenant{name: g.name + " shuffled", snap: &snap, cfg: &cfg, baseline: &base}
}

// checkTenant runs the invariants and the order-independence property.
func checkTenant(t testing.TB, eng *engine.Engine, g genTenant, shuffles int) {
	t.Helper()
	results := g.scan(t, eng)
	checkInvariants(t, eng, g, results)
	want := resultsJSON(t, results)
	for i := 0; i < shuffles; i++ {
		s := shuffledTenant(g, uint64(i+1))
		got := resultsJSON(t, s.scan(t, eng))
		if !bytes.Equal(got, want) {
			t.Errorf("%s: results depend on the order of items (shuffle %d):\n%s", g.name, i+1, firstDiff(want, got))
		}
	}
}

func firstDiff(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			lo := max(0, i-8)
			return fmt.Sprintf("line %d:\n  want %s\n  got  %s\ncontext:\n%s", i+1, al[i], bl[i], strings.Join(al[lo:i+1], "\n"))
		}
	}
	return fmt.Sprintf("lengths differ: %d vs %d lines", len(al), len(bl))
}

func TestGeneratedTenants(t *testing.T) {
	eng := newEngine(t)
	cases := []struct {
		size  string
		seeds []int64
	}{{"S", []int64{1, 2, 3, 4, 5}}, {"M", []int64{1, 2}}, {"L", []int64{1}}}
	if testing.Short() {
		cases = cases[:1]
	}
	for _, c := range cases {
		for _, seed := range c.seeds {
			t.Run(fmt.Sprintf("%s/%d", c.size, seed), func(t *testing.T) {
				checkTenant(t, eng, generate(t, seed, c.size), 1)
			})
		}
	}
}

// TestGeneratorIsDeterministic: the same seed and size give byte-identical
// files; another seed gives another tenant; every data set is filled.
func TestGeneratorIsDeterministic(t *testing.T) {
	for _, name := range gen.SizeNames() {
		size, _ := gen.Lookup(name)
		a1, b1, c1, err := gen.Tenant(42, size)
		if err != nil {
			t.Fatal(err)
		}
		a2, b2, c2, _ := gen.Tenant(42, size)
		if !bytes.Equal(a1, a2) || !bytes.Equal(b1, b2) || !bytes.Equal(c1, c2) {
			t.Errorf("size %s: seed 42 gave different output on a second run", name)
		}
		a3, _, _, _ := gen.Tenant(43, size)
		if bytes.Equal(a1, a3) {
			t.Errorf("size %s: seeds 42 and 43 gave the same snapshot", name)
		}
		g := parseGenerated(t, name, a1, b1, c1)
		sets := g.snap.Doc["dataSets"].(map[string]any)
		for _, ds := range snapshot.Names {
			set, ok := sets[ds].(map[string]any)
			if !ok {
				t.Errorf("size %s: data set %s missing", name, ds)
				continue
			}
			if items, _ := set["items"].([]any); len(items) == 0 {
				t.Errorf("size %s: data set %s is empty", name, ds)
			}
		}
	}
	// The table's promises for L.
	l, _ := gen.Lookup("L")
	if l.CAPolicies != 195 || l.GroupDepth != 5 || l.Subscriptions != 20 || l.Admins != 40 {
		t.Errorf("size L is %+v, want 195 CA policies, depth 5, 20 subscriptions, 40 role holders", l)
	}
}

var (
	guidRE = regexp.MustCompile(`[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}`)
	upnRE  = regexp.MustCompile(`^[^\s@"']+@[^\s@"']+$`)
)

// lowerIDs lower-cases what SPEC.md calls identifiers: GUIDs anywhere, UPNs,
// ARM ids and Key Vault URIs.
func lowerIDs(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = lowerIDs(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = lowerIDs(e)
		}
		return out
	case string:
		switch {
		case upnRE.MatchString(x), strings.HasPrefix(x, "/subscriptions/"), strings.HasPrefix(x, "/providers/"),
			strings.HasPrefix(x, "https://") && strings.Contains(strings.ToLower(x), ".vault."):
			return strings.ToLower(x)
		}
		return guidRE.ReplaceAllStringFunc(x, strings.ToLower)
	}
	return v
}

func verdicts(results []engine.Result) []string {
	out := make([]string, 0, len(results))
	for _, r := range results {
		k := r.RuleID + " " + strings.ToLower(r.Resource.ID)
		if r.Subject != nil {
			k += " / " + strings.ToLower(r.Subject.ID)
		}
		out = append(out, k+" "+r.Key+" = "+r.Status)
	}
	sort.Strings(out)
	return out
}

// TestMixedCaseGivesTheVerdictsOfLowerCase: ids and UPNs compare
// case-insensitively (SPEC.md, Contract additions), so a tenant whose data
// sets and config disagree on case judges exactly like its lower-case form.
func TestMixedCaseGivesTheVerdictsOfLowerCase(t *testing.T) {
	eng := newEngine(t)
	for _, c := range []struct {
		seed int64
		size string
	}{{1, "S"}, {2, "S"}, {1, "M"}} {
		g := generate(t, c.seed, c.size)
		lower := g
		lower.name += " lower-case"
		snapB, _ := json.Marshal(lowerIDs(map[string]any(g.snap.Doc)))
		baseB, _ := json.Marshal(lowerIDs(map[string]any(g.baseline.Doc)))
		cfgJSON, _ := json.Marshal(g.cfg)
		var cfgDoc any
		_ = json.Unmarshal(cfgJSON, &cfgDoc)
		cfgB, _ := json.Marshal(lowerIDs(cfgDoc))
		lower = parseGenerated(t, lower.name, snapB, cfgB, baseB)
		mixed, low := verdicts(g.scan(t, eng)), verdicts(lower.scan(t, eng))
		if strings.Join(mixed, "\n") != strings.Join(low, "\n") {
			t.Errorf("%s: mixed-case verdicts differ from lower-case ones:\n%s", g.name, diffLines(low, mixed))
		}
	}
}

func diffLines(want, got []string) string {
	w, g := map[string]bool{}, map[string]bool{}
	for _, x := range want {
		w[x] = true
	}
	for _, x := range got {
		g[x] = true
	}
	var out []string
	for _, x := range want {
		if !g[x] {
			out = append(out, "- "+x)
		}
	}
	for _, x := range got {
		if !w[x] {
			out = append(out, "+ "+x)
		}
	}
	return strings.Join(out, "\n")
}

// FuzzGeneratedTenant explores seeds: `go test ./policies/engine -run '^$'
// -fuzz FuzzGeneratedTenant -fuzztime 2m`. Plain `go test` runs the
// committed corpus (testdata/fuzz/FuzzGeneratedTenant) and the seeds below.
func FuzzGeneratedTenant(f *testing.F) {
	for _, seed := range []int64{0, 7, -3, 1 << 40} {
		f.Add(seed)
	}
	eng := newEngine(f)
	f.Fuzz(func(t *testing.T, seed int64) {
		checkTenant(t, eng, generate(t, seed, "S"), 1)
	})
}

// BenchmarkScanGenerated measures one full scan (input conversion, every
// rule, the baseline) of generated tenants per size: `go test -run '^$'
// -bench ScanGenerated -benchmem ./policies/engine/`.
func BenchmarkScanGenerated(b *testing.B) {
	eng := newEngine(b)
	for _, name := range gen.SizeNames() {
		g := generate(b, 1, name)
		in := engine.Input{Document: g.snap.Doc, Config: g.cfg, Baseline: g.baseline.Doc, Now: g.snap.CollectedAt}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := eng.Scan(context.Background(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
		// The per-rule path a run-time error switches to: what isolation
		// costs when it is needed (the fast path pays nothing for it).
		b.Run(name+"/isolated", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := eng.ScanIsolated(context.Background(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
