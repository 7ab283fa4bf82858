package engine_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/breakglass-dev/breakglass/policies/engine"
)

// Rule isolation: a rule that fails at run time, or is still running when
// the time limit passes, reports `error` for each resource it would have
// judged; every other rule reports exactly as it would without it.

func withoutRule(results []engine.Result, ruleID string) []engine.Result {
	var out []engine.Result
	for _, r := range results {
		if r.RuleID != ruleID {
			out = append(out, r)
		}
	}
	return out
}

func TestConflictingCustomRuleIsIsolated(t *testing.T) {
	_, baseline := customScan(t, customInput(t))
	eng, results := customScan(t, customInput(t), filepath.Join(customPolicies, "conflict"))

	if !reflect.DeepEqual(withoutRule(results, "ACME-BG-900"), baseline) {
		t.Fatal("the built-in rules' results changed because a custom rule failed")
	}
	got := byRule(results, "ACME-BG-900")
	if len(got) != len(byRule(baseline, "BG-INV-003")) || len(got) == 0 {
		t.Fatalf("ACME-BG-900: want one result per declared account, got %d", len(got))
	}
	for _, r := range got {
		if r.Status != engine.StatusError || r.Resource.Type != "user" {
			t.Errorf("ACME-BG-900 on %s: status %s, want error on the account", r.Resource.ID, r.Status)
		}
		for _, want := range []string{"rule evaluation failed", "ACME-BG-900", "acme_conflict.rego:22:", "eval_conflict_error", "fix the custom rule"} {
			if !strings.Contains(r.Message, want) {
				t.Errorf("message %q lacks %q", r.Message, want)
			}
		}
	}
	if code := engine.ExitCode(results, "high"); code != 1 {
		t.Errorf("an error result of a high rule must trip --fail-on high, got exit %d", code)
	}
	if _, ok := eng.Rule("ACME-BG-900"); !ok {
		t.Error("the failing rule must stay in the catalogue")
	}
}

// TestIsolationSlowPathMatchesFastPath: the per-rule path that a run-time
// error switches to gives exactly the single query's results.
func TestIsolationSlowPathMatchesFastPath(t *testing.T) {
	eng := newEngine(t)
	in := customInput(t)
	fast, err := eng.Scan(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	slow, err := eng.ScanIsolated(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatal("per-rule evaluation differs from the single query")
	}
}

func TestTimeLimitReportsUnfinishedRules(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{PolicyDirs: []string{filepath.Join(customPolicies, "slow")}})
	if err != nil {
		t.Fatal(err)
	}
	in := customInput(t)
	// The built-ins finish well within a few seconds; the slow rule needs
	// far longer. Give the whole scan a limit that only the slow rule
	// overruns: measure the built-ins first and allow them ample time.
	start := time.Now()
	if _, err := newEngine(t).Scan(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	limit := 5*time.Since(start) + time.Second
	ctx, cancel := engine.WithTimeLimit(context.Background(), limit)
	defer cancel()
	results, err := eng.Scan(ctx, in)
	if err != nil {
		t.Fatalf("a time limit must not abort the scan: %v", err)
	}
	slow := byRule(results, "ACME-BG-901")
	if len(slow) == 0 {
		t.Fatal("ACME-BG-901 has no results")
	}
	for _, r := range slow {
		if r.Status != engine.StatusError || !strings.Contains(r.Message, "did not finish within") || !strings.Contains(r.Message, "--timeout") {
			t.Errorf("ACME-BG-901: %s %q, want error naming the time limit", r.Status, r.Message)
		}
	}
	for _, r := range withoutRule(results, "ACME-BG-901") {
		if strings.Contains(r.Message, "did not finish") {
			t.Fatalf("built-in %s was cut off by the custom rule's time: %s", r.RuleID, r.Message)
		}
	}
}

func TestExpiredTimeLimitErrorsEveryRule(t *testing.T) {
	eng := newEngine(t)
	ctx, cancel := engine.WithTimeLimit(context.Background(), time.Nanosecond)
	defer cancel()
	time.Sleep(time.Millisecond)
	results, err := eng.Scan(ctx, customInput(t))
	if err != nil {
		t.Fatalf("a time limit must not abort the scan: %v", err)
	}
	seen := map[string]bool{}
	for _, r := range results {
		seen[r.RuleID] = true
		if r.Status != engine.StatusError || !strings.Contains(r.Message, "--timeout 1ns") {
			t.Fatalf("%s: %s %q, want error naming --timeout", r.RuleID, r.Status, r.Message)
		}
	}
	if len(seen) != len(eng.Rules()) {
		t.Errorf("%d of %d rules reported", len(seen), len(eng.Rules()))
	}
}

func TestCancelledScanIsInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newEngine(t).Scan(ctx, customInput(t))
	if !errors.Is(err, engine.ErrInterrupted) {
		t.Fatalf("Scan with a cancelled context: %v, want ErrInterrupted", err)
	}
}

func TestMemoryLimitStopsRunawayRule(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{PolicyDirs: []string{filepath.Join(customPolicies, "huge")}})
	if err != nil {
		t.Fatal(err)
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	limit := before.HeapAlloc + 256<<20
	ctx := engine.WithMemoryLimit(context.Background(), limit)
	results, err := eng.Scan(ctx, customInput(t))
	if err != nil {
		t.Fatalf("a memory limit must not abort the scan: %v", err)
	}
	huge := byRule(results, "ACME-BG-902")
	if len(huge) != 1 || huge[0].Status != engine.StatusError || !strings.Contains(huge[0].Message, "--max-memory") {
		t.Fatalf("ACME-BG-902: %+v, want one error naming --max-memory", huge)
	}
	_, baseline := customScan(t, customInput(t))
	if !reflect.DeepEqual(withoutRule(results, "ACME-BG-902"), baseline) {
		t.Fatal("the built-in rules' results changed because a custom rule was stopped")
	}
}
