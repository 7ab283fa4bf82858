package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/breakglass-dev/breakglass/policies/engine"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestBuiltinRegoTests runs every built-in *_test.rego through the same
// runner as `breakglass policy test`: the production compiler (sandbox
// capabilities, strict mode, Rego v1) with the catalogue checks.
func TestBuiltinRegoTests(t *testing.T) {
	rep, err := engine.RunTests(context.Background(), nil, engine.TestOptions{Coverage: true})
	if err != nil {
		t.Fatalf("RunTests: %v", err)
	}
	if len(rep.Results) == 0 {
		t.Fatal("no Rego test ran: the built-in *_test.rego files were not found")
	}
	var failed []string
	for _, r := range rep.Results {
		if r.Pass() {
			continue
		}
		outcome := "FAIL"
		switch {
		case r.Skip:
			continue // todo_test_ rules are reported, not failed
		case r.Error != nil:
			outcome = fmt.Sprintf("ERROR: %v", r.Error)
		}
		failed = append(failed, fmt.Sprintf("%s:%d: %s.%s: %s", r.Location.File, r.Location.Row, r.Package, r.Name, outcome))
	}
	pass, fail, errored, skip := rep.Counts()
	t.Logf("built-in Rego tests: %d pass, %d fail, %d error, %d skip; coverage of built-in policy files %.1f%% (%d/%d lines)",
		pass, fail, errored, skip, rep.Coverage.Percent, rep.Coverage.CoveredLines, rep.Coverage.CoveredLines+rep.Coverage.NotCoveredLines)
	if len(failed) > 0 {
		t.Errorf("%d built-in Rego test(s) did not pass:\n%s", len(failed), strings.Join(failed, "\n"))
	}
}

// TestBuiltinPoliciesWithStockOPA keeps policies/ usable with the stock
// opa CLI without building it: tester.Run is what `opa test policies/`
// runs (OPA's loader, default capabilities, no breakglass engine), and
// rego.Load + the dumped input is what `opa eval -d policies/ -i
// input.json` evaluates (docs/custom-rules.md).
func TestBuiltinPoliciesWithStockOPA(t *testing.T) {
	ctx := context.Background()
	results, err := tester.Run(ctx, "..")
	if err != nil {
		t.Fatalf("opa test policies/: %v", err)
	}
	ran := 0
	for _, r := range results {
		ran++
		if !r.Pass() && !r.Skip {
			t.Errorf("opa test policies/: %s:%d: %s", r.Location.File, r.Location.Row, r)
		}
	}
	if ran == 0 {
		t.Fatal("opa test policies/ ran no tests")
	}

	snap, cfg := loadSample(t)
	in := engine.Input{Document: snap.Doc, Config: cfg, Now: snap.CollectedAt}
	input, err := engine.BuildInput(in) // what scan --dump-input writes
	if err != nil {
		t.Fatal(err)
	}
	rs, err := rego.New(
		rego.Load([]string{".."}, nil),
		rego.Query("data.breakglass.rules"),
		rego.ParsedInput(input),
		rego.Time(snap.CollectedAt),
	).Eval(ctx)
	if err != nil || len(rs) != 1 {
		t.Fatalf("opa eval -d policies/ data.breakglass.rules: %v (%d results)", err, len(rs))
	}
	stock := map[string]string{} // BG-INV-001 statuses by resource, as stock OPA sees them
	pkg := rs[0].Expressions[0].Value.(map[string]any)["bg_inv_001"].(map[string]any)
	for _, r := range pkg["results"].([]any) {
		m := r.(map[string]any)
		stock[m["resource"].(map[string]any)["id"].(string)] = m["status"].(string)
	}
	eng, err := engine.New(ctx, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	scanned, err := eng.Scan(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	ours := map[string]string{}
	for _, r := range scanned {
		if r.RuleID == "BG-INV-001" {
			ours[r.Resource.ID] = r.Status
		}
	}
	if fmt.Sprint(stock) != fmt.Sprint(ours) || len(ours) == 0 {
		t.Errorf("BG-INV-001: stock OPA %v, breakglass scan %v", stock, ours)
	}
}
