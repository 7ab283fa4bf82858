package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/breakglass-dev/breakglass/policies/engine"
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
