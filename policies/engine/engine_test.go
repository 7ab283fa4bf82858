package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/config"
	"github.com/breakglass-dev/breakglass/policies/engine"
)

var sampleDir = filepath.Join("..", "..", "testdata", "sample")

func newEngine(t testing.TB) *engine.Engine {
	t.Helper()
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatalf("engine.New: %v", err)
	}
	return eng
}

// loadSample returns the sample snapshot document (a fresh copy per call, so
// tests may mutate it) and its config.
func loadSample(t testing.TB) (*snapshot.Loaded, *config.Config) {
	t.Helper()
	snap, err := snapshot.Load(filepath.Join(sampleDir, "snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(sampleDir, "breakglass.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return snap, cfg
}

func scan(t testing.TB, eng *engine.Engine, snap *snapshot.Loaded, cfg *config.Config) []engine.Result {
	t.Helper()
	results, err := eng.Scan(context.Background(), engine.Input{Document: snap.Doc, Config: cfg, Now: snap.CollectedAt})
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return results
}

// setStatus marks a data set as not collected.
func setStatus(t testing.TB, snap *snapshot.Loaded, name, status, message string) {
	t.Helper()
	sets := snap.Doc["dataSets"].(map[string]any)
	sets[name] = map[string]any{"status": status, "message": message, "items": []any{}}
}

func byRule(results []engine.Result, ruleID string) []engine.Result {
	var out []engine.Result
	for _, r := range results {
		if r.RuleID == ruleID {
			out = append(out, r)
		}
	}
	return out
}

func key(r engine.Result) string {
	k := r.Resource.ID
	if r.Subject != nil {
		k += "/" + r.Subject.ID
	}
	return k + "=" + r.Status
}

func keys(results []engine.Result) []string {
	out := make([]string, 0, len(results))
	for _, r := range results {
		out = append(out, key(r))
	}
	sort.Strings(out)
	return out
}

const (
	bg1    = "b9a1e001-0000-4000-8000-00000000b001"
	bg2    = "b9a1e001-0000-4000-8000-00000000b002"
	tenant = "7c3f8a2e-5b1d-4e6f-9a0b-1c2d3e4f5a6b"
	ca04   = "c0000001-0000-4000-8000-00000000ca04"
)

func TestSampleCoreRules(t *testing.T) {
	eng := newEngine(t)
	snap, cfg := loadSample(t)
	results := scan(t, eng, snap, cfg)
	want := map[string][]string{
		"BG-INV-001":  {tenant + "=pass"},
		"BG-INV-003":  {bg1 + "=pass", bg2 + "=pass"},
		"BG-ISO-001":  {bg1 + "=pass", bg2 + "=pass"},
		"BG-ISO-002":  {bg1 + "=pass", bg2 + "=pass"},
		"BG-PRIV-001": {bg1 + "=pass", bg2 + "=pass"},
		"BG-PRIV-002": {bg1 + "=pass", bg2 + "=pass"},
		"BG-AUTH-001": {bg1 + "=pass", bg2 + "=pass"},
		"BG-CA-001":   {tenant + "=pass"},
	}
	for rule, w := range want {
		if got := keys(byRule(results, rule)); !reflect.DeepEqual(got, w) {
			t.Errorf("%s: got %v, want %v", rule, got, w)
		}
	}
	// CA004 excludes bg-01 by user id only: bg-02 is locked out of it.
	var failed []string
	for _, r := range byRule(results, "BG-CA-002") {
		if r.Status != engine.StatusPass {
			failed = append(failed, key(r))
		}
	}
	if w := []string{ca04 + "/" + bg2 + "=fail"}; !reflect.DeepEqual(failed, w) {
		t.Errorf("BG-CA-002 non-pass results = %v, want %v", failed, w)
	}
	if n := len(byRule(results, "BG-CA-002")); n != 8 {
		t.Errorf("BG-CA-002: %d results, want 4 enabled policies x 2 accounts", n)
	}
}

func TestResultsCarrySeverityControlsAndFingerprints(t *testing.T) {
	eng := newEngine(t)
	snap, cfg := loadSample(t)
	seen := map[string]bool{}
	for _, r := range scan(t, eng, snap, cfg) {
		rule, ok := eng.Rule(r.RuleID)
		if !ok {
			t.Fatalf("result for unknown rule %s", r.RuleID)
		}
		if r.Severity != rule.Severity || r.Message == "" || len(r.Fingerprint) != 64 {
			t.Errorf("%s: incomplete result %+v", r.RuleID, r)
		}
		for _, fw := range []string{"iso27001-2022", "nist-800-53r5", "soc2-2017"} {
			if len(r.Controls[fw]) == 0 {
				t.Errorf("%s: no %s controls", r.RuleID, fw)
			}
		}
		if seen[r.Fingerprint] && r.RuleID != "BG-DRIFT-001" {
			t.Errorf("%s: duplicate fingerprint for %s", r.RuleID, key(r))
		}
		seen[r.Fingerprint] = true
	}
}

func TestScanIsDeterministic(t *testing.T) {
	eng := newEngine(t)
	snap, cfg := loadSample(t)
	first, _ := json.Marshal(scan(t, eng, snap, cfg))
	for i := 0; i < 3; i++ {
		again, _ := json.Marshal(scan(t, newEngine(t), snap, cfg))
		if string(again) != string(first) {
			t.Fatal("two scans of the same input differ")
		}
	}
}

// Missing data is never a pass: the engine reports error once per resource
// the rule would have judged, naming the data set and its status.
func TestMissingDataFansOutErrors(t *testing.T) {
	eng := newEngine(t)
	snap, cfg := loadSample(t)
	setStatus(t, snap, snapshot.AuthenticationMethods, "forbidden", "403 Authorization_RequestDenied: UserAuthenticationMethod.Read.All")
	results := scan(t, eng, snap, cfg)

	if got, w := keys(byRule(results, "BG-AUTH-001")), []string{bg1 + "=error", bg2 + "=error"}; !reflect.DeepEqual(got, w) {
		t.Errorf("BG-AUTH-001 = %v, want %v", got, w)
	}
	for _, r := range byRule(results, "BG-AUTH-001") {
		if !strings.Contains(r.Message, "authenticationMethods is forbidden") || !strings.Contains(r.Message, "UserAuthenticationMethod.Read.All") {
			t.Errorf("message does not name the data set and reason: %q", r.Message)
		}
	}
	ca2 := byRule(results, "BG-CA-002")
	if len(ca2) != 8 {
		t.Errorf("BG-CA-002: %d results, want one error per (policy, account) pair", len(ca2))
	}
	for _, r := range ca2 {
		if r.Status != engine.StatusError || r.Subject == nil {
			t.Errorf("BG-CA-002 %s: want error with subject", key(r))
		}
	}
	if got, w := keys(byRule(results, "BG-CA-001")), []string{tenant + "=error"}; !reflect.DeepEqual(got, w) {
		t.Errorf("BG-CA-001 = %v, want %v", got, w)
	}
	// Rules that do not need the data set are unaffected.
	if got := keys(byRule(results, "BG-ISO-001")); !reflect.DeepEqual(got, []string{bg1 + "=pass", bg2 + "=pass"}) {
		t.Errorf("BG-ISO-001 = %v", got)
	}
}

func TestMissingDataWithoutEnumerationIsOneTenantError(t *testing.T) {
	eng := newEngine(t)
	snap, cfg := loadSample(t)
	setStatus(t, snap, snapshot.ConditionalAccessPolicies, "throttled", "429 after 3 retries")
	results := scan(t, eng, snap, cfg)
	if got, w := keys(byRule(results, "BG-CA-002")), []string{tenant + "=error"}; !reflect.DeepEqual(got, w) {
		t.Errorf("BG-CA-002 = %v, want one tenant-level error", got)
	}
}

func TestEveryStatusOtherThanOKIsMissing(t *testing.T) {
	eng := newEngine(t)
	for _, st := range []string{"forbidden", "unlicensed", "throttled", "error", "skipped"} {
		snap, cfg := loadSample(t)
		setStatus(t, snap, snapshot.Users, st, "")
		for _, r := range scan(t, eng, snap, cfg) {
			rule, _ := eng.Rule(r.RuleID)
			needsUsers := false
			for _, ds := range rule.Requires {
				needsUsers = needsUsers || ds == snapshot.Users
			}
			if needsUsers && r.Status == engine.StatusPass {
				t.Errorf("users %s: %s passed (%s)", st, r.RuleID, r.Message)
			}
		}
	}
}

func TestExitCode(t *testing.T) {
	results := []engine.Result{{Status: "pass", Severity: "critical"}, {Status: "fail", Severity: "medium"}, {Status: "manual", Severity: "high"}}
	for failOn, want := range map[string]int{"critical": 0, "high": 0, "medium": 1, "low": 1, "none": 0} {
		if got := engine.ExitCode(results, failOn); got != want {
			t.Errorf("fail-on %s: %d, want %d", failOn, got, want)
		}
	}
	if engine.ExitCode([]engine.Result{{Status: "error", Severity: "high"}}, "high") != 1 {
		t.Error("an error result must trip --fail-on: missing data is not a pass")
	}
}

func TestSandboxDropsIOBuiltins(t *testing.T) {
	caps := engine.SandboxCapabilities()
	names := map[string]bool{}
	for _, b := range caps.Builtins {
		names[b.Name] = true
	}
	for _, forbidden := range []string{"http.send", "net.lookup_ip_addr", "opa.runtime", "rand.intn", "uuid.rfc4122"} {
		if names[forbidden] {
			t.Errorf("%s is available to policies", forbidden)
		}
	}
	if !names["time.now_ns"] || !names["time.parse_rfc3339_ns"] {
		t.Error("time builtins must stay available (time.now_ns is pinned per scan)")
	}
	if caps.AllowNet == nil || len(caps.AllowNet) != 0 {
		t.Error("AllowNet must be empty (nil would allow every host)")
	}
}

func ExampleEngine_Scan() {
	eng, _ := engine.New(context.Background(), engine.Options{})
	snap, _ := snapshot.Load("../../testdata/sample/snapshot.json")
	cfg, _ := config.Load("../../testdata/sample/breakglass.yaml")
	results, _ := eng.Scan(context.Background(), engine.Input{Document: snap.Doc, Config: cfg, Now: snap.CollectedAt})
	for _, r := range byRule(results, "BG-CA-001") {
		fmt.Println(r.RuleID, r.Status, r.Resource.Type)
	}
	// Output: BG-CA-001 pass tenant
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// A rule with nothing in scope (no subscriptions configured, so the ARM
// data sets are skipped) reports not_applicable, not a tenant-level error.
func TestSkippedDataWithNothingInScopeIsNotApplicable(t *testing.T) {
	eng := newEngine(t)
	snap, cfg := loadSample(t)
	cfg.Subscriptions = []string{}
	setStatus(t, snap, snapshot.ARMRoleAssignments, "skipped", "no subscriptions configured")
	got := byRule(scan(t, eng, snap, cfg), "BG-PRIV-004")
	if len(got) != 1 || got[0].Status != engine.StatusNotApplicable || got[0].Resource.Type != "tenant" {
		t.Fatalf("BG-PRIV-004 = %+v", got)
	}
	// With a subscription in scope the same skipped data set is an error.
	snap, cfg = loadSample(t)
	setStatus(t, snap, snapshot.ARMRoleAssignments, "skipped", "")
	for _, r := range byRule(scan(t, eng, snap, cfg), "BG-PRIV-004") {
		if r.Status != engine.StatusError || r.Resource.Type != "subscription" {
			t.Errorf("BG-PRIV-004 = %s on %s, want error on the subscription", r.Status, r.Resource.Type)
		}
	}
}

// An account declared after the snapshot was taken exists in users but has
// no methods, memberships or sign-ins collected: rules needing those report
// error for it (never "no SMS method" or "no unexpected sign-in" passes),
// and the lockout check counts only accounts whose data is complete,
// while rules whose per-user data does cover it (the sample has carol's
// memberships) still judge it,
// and so does the tenant-level lockout check.
func TestAccountMissingFromPerUserDataSetsIsError(t *testing.T) {
	eng := newEngine(t)
	snap, cfg := loadSample(t)
	const carol = "ca201000-0000-4000-8000-0000000a0003"
	cfg.Accounts = append(cfg.Accounts, config.Account{UserPrincipalName: "carol@contoso.com"})
	results := scan(t, eng, snap, cfg)
	for _, rule := range []string{"BG-AUTH-001", "BG-AUTH-002", "BG-AUTH-003", "BG-MON-004"} {
		for _, r := range byRule(results, rule) {
			if r.Resource.ID == carol && (r.Status != engine.StatusError || !strings.Contains(r.Message, "was not collected for account")) {
				t.Errorf("%s on carol: %s %q", rule, r.Status, r.Message)
			}
			if r.Resource.ID == bg1 && r.Status == engine.StatusError {
				t.Errorf("%s on bg-01 (collected): %s %q", rule, r.Status, r.Message)
			}
		}
	}
	for _, r := range byRule(results, "BG-CA-002") {
		if r.Subject.ID == carol && r.Status != engine.StatusError {
			t.Errorf("BG-CA-002 pair for carol: %s", r.Status)
		}
	}
	// The lockout check still passes on bg-01, whose data is complete;
	// carol is not counted as getting through.
	if got := byRule(results, "BG-CA-001"); len(got) != 1 || got[0].Status != engine.StatusPass || strings.Contains(got[0].Message, "carol") {
		t.Errorf("BG-CA-001 = %+v, want pass on bg-01 alone", got)
	}
	// With carol the only declared account, "nobody is ready" could just
	// mean her group roles are unknown: error, not fail.
	cfg.Accounts = []config.Account{{UserPrincipalName: "carol@contoso.com"}}
	if got := byRule(scan(t, eng, snap, cfg), "BG-CA-001"); len(got) != 1 || got[0].Status != engine.StatusError {
		t.Errorf("BG-CA-001 with only carol = %+v, want error", got)
	}
	// Rules that need only the users data set judge carol normally.
	for _, r := range byRule(results, "BG-ISO-001") {
		if r.Resource.ID == carol && r.Status != engine.StatusPass {
			t.Errorf("BG-ISO-001 on carol: %s", r.Status)
		}
	}
}

// A snapshot written before signIns recorded its subjects leaves sign-in
// coverage unknown: rules are judged as before, not all turned into error.
func TestSignInsWithoutSubjectsAreNotUncovered(t *testing.T) {
	eng := newEngine(t)
	snap, cfg := loadSample(t)
	delete(snap.Doc["dataSets"].(map[string]any)["signIns"].(map[string]any), "subjects")
	for _, r := range byRule(scan(t, eng, snap, cfg), "BG-MON-004") {
		if r.Status == engine.StatusError {
			t.Errorf("BG-MON-004 on %s: %s", r.Resource.ID, r.Message)
		}
	}
}
