package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/config"
	"github.com/breakglass-dev/breakglass/policies/engine"
)

var updateScenarios = flag.Bool("update", false, "rewrite testdata/scenarios/*/expected.json (review every diff by hand: the expected files are the spec)")

var scenariosDir = filepath.Join("..", "..", "testdata", "scenarios")

// scenarioTuple is one expected result: what a scenario's expected.json
// lists. Key is set only for rules that report several changes on one object
// (BG-DRIFT-001).
type scenarioTuple struct {
	RuleID   string `json:"ruleId"`
	Resource string `json:"resource"`
	Subject  string `json:"subject"`
	Key      string `json:"key,omitempty"`
	Status   string `json:"status"`
}

func (s scenarioTuple) String() string {
	out := s.RuleID + " " + s.Resource
	if s.Subject != "" {
		out += " / " + s.Subject
	}
	if s.Key != "" {
		out += " [" + s.Key + "]"
	}
	return out + " = " + s.Status
}

func tuplesOf(results []engine.Result) []scenarioTuple {
	out := make([]scenarioTuple, 0, len(results))
	for _, r := range results {
		t := scenarioTuple{RuleID: r.RuleID, Resource: r.Resource.ID, Key: r.Key, Status: r.Status}
		if r.Subject != nil {
			t.Subject = r.Subject.ID
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// scanScenario scans testdata/scenarios/<name> the way `breakglass scan
// snapshot.json -c breakglass.yaml [--baseline baseline.json]` does.
func scanScenario(t *testing.T, eng *engine.Engine, name string, mutate func(*snapshot.Loaded)) []engine.Result {
	t.Helper()
	dir := filepath.Join(scenariosDir, name)
	snap, err := snapshot.Load(filepath.Join(dir, "snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(dir, "breakglass.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(snap)
	}
	in := engine.Input{Document: snap.Doc, Config: cfg, Now: snap.CollectedAt}
	if _, err := os.Stat(filepath.Join(dir, "baseline.json")); err == nil {
		base, err := snapshot.Load(filepath.Join(dir, "baseline.json"))
		if err != nil {
			t.Fatal(err)
		}
		in.Baseline = base.Doc
	}
	results, err := eng.Scan(context.Background(), in)
	if err != nil {
		t.Fatalf("Scan %s: %v", name, err)
	}
	return results
}

func scenarioNames(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(scenariosDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	for _, want := range []string{"healthy", "ca-mfa-lockout", "adconnect-sync-failure", "subscription-lost-owner",
		"weak-auth-stale-password", "monitoring-gaps", "exclusion-smuggling", "unlicensed-forbidden"} {
		if !slices.Contains(names, want) {
			t.Errorf("seed scenario %s is missing from %s", want, scenariosDir)
		}
	}
	return names
}

// TestScenarios compares every result of each seed scenario with its
// expected.json: the exact (rule, resource, subject, status) tuples.
func TestScenarios(t *testing.T) {
	eng := newEngine(t)
	for _, name := range scenarioNames(t) {
		t.Run(name, func(t *testing.T) {
			got := tuplesOf(scanScenario(t, eng, name, nil))
			path := filepath.Join(scenariosDir, name, "expected.json")
			if *updateScenarios {
				raw, err := json.MarshalIndent(got, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, append(raw, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./policies/engine -run TestScenarios -update, then review the file)", err)
			}
			var want []scenarioTuple
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&want); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			sort.Slice(want, func(i, j int) bool { return want[i].String() < want[j].String() })
			missing, extra := diffTuples(want, got)
			for _, m := range missing {
				t.Errorf("expected but not reported: %s", m)
			}
			for _, x := range extra {
				t.Errorf("reported but not expected: %s", x)
			}
		})
	}
}

func diffTuples(want, got []scenarioTuple) (missing, extra []scenarioTuple) {
	count := map[scenarioTuple]int{}
	for _, w := range want {
		count[w]++
	}
	for _, g := range got {
		count[g]--
	}
	for _, w := range want {
		if count[w] > 0 {
			missing = append(missing, w)
			count[w]--
		}
	}
	for _, g := range got {
		if count[g] < 0 {
			extra = append(extra, g)
			count[g]++
		}
	}
	return missing, extra
}

// TestScenarioInvariants states what each seed scenario is about,
// independently of expected.json, so a careless -update cannot hide a
// regression.
func TestScenarioInvariants(t *testing.T) {
	eng := newEngine(t)
	status := func(results []engine.Result, rule, resource string) []string {
		var out []string
		for _, r := range results {
			if r.RuleID == rule && (resource == "" || r.Resource.ID == resource) {
				out = append(out, r.Status)
			}
		}
		sort.Strings(out)
		return out
	}
	const (
		bg2Scn = "b9a1e001-0000-4000-8000-00000000b002"
		alice  = "a11ce000-0000-4000-8000-0000000a0001"
		sub    = "/subscriptions/5a5c41b0-0000-4000-8000-000000000001"
		gex    = "9e0c1a55-0000-4000-8000-0000000e0001"
	)
	t.Run("healthy", func(t *testing.T) {
		results := scanScenario(t, eng, "healthy", nil)
		ruleIDs := map[string]bool{}
		for _, r := range results {
			ruleIDs[r.RuleID] = true
			if r.Status == engine.StatusFail || r.Status == engine.StatusError || r.Status == engine.StatusManual {
				t.Errorf("healthy tenant: %s %s = %s: %s", r.RuleID, r.Resource.ID, r.Status, r.Message)
			}
		}
		if len(ruleIDs) != len(eng.Rules()) {
			t.Errorf("healthy tenant: %d rules reported, want all %d", len(ruleIDs), len(eng.Rules()))
		}
	})
	t.Run("ca-mfa-lockout", func(t *testing.T) {
		results := scanScenario(t, eng, "ca-mfa-lockout", nil)
		if got := status(results, "BG-CA-001", ""); !slices.Equal(got, []string{"fail"}) {
			t.Errorf("BG-CA-001 = %v, want the lockout reported", got)
		}
	})
	t.Run("adconnect-sync-failure", func(t *testing.T) {
		results := scanScenario(t, eng, "adconnect-sync-failure", nil)
		for _, rule := range []string{"BG-ISO-001", "BG-ISO-002"} {
			if got := status(results, rule, bg2Scn); !slices.Equal(got, []string{"fail"}) {
				t.Errorf("%s bg-02 = %v, want fail", rule, got)
			}
		}
	})
	t.Run("subscription-lost-owner", func(t *testing.T) {
		results := scanScenario(t, eng, "subscription-lost-owner", nil)
		if got := status(results, "BG-PRIV-004", sub); !slices.Equal(got, []string{"fail"}) {
			t.Errorf("BG-PRIV-004 = %v, want fail", got)
		}
	})
	t.Run("weak-auth-stale-password", func(t *testing.T) {
		results := scanScenario(t, eng, "weak-auth-stale-password", nil)
		for _, rule := range []string{"BG-AUTH-001", "BG-AUTH-002", "BG-AUTH-003", "BG-CRED-001"} {
			if got := status(results, rule, bg2Scn); !slices.Equal(got, []string{"fail"}) {
				t.Errorf("%s bg-02 = %v, want fail", rule, got)
			}
		}
	})
	t.Run("monitoring-gaps", func(t *testing.T) {
		results := scanScenario(t, eng, "monitoring-gaps", nil)
		for _, rule := range []string{"BG-MON-001", "BG-MON-002", "BG-MON-003"} {
			got := status(results, rule, "")
			if len(got) == 0 || slices.ContainsFunc(got, func(s string) bool { return s != "fail" }) {
				t.Errorf("%s = %v, want fail only", rule, got)
			}
		}
	})
	t.Run("exclusion-smuggling", func(t *testing.T) {
		results := scanScenario(t, eng, "exclusion-smuggling", nil)
		if got := status(results, "BG-CA-005", gex); !slices.Equal(got, []string{"fail"}) {
			t.Errorf("BG-CA-005 = %v, want fail", got)
		}
		if got := status(results, "BG-INV-004", alice); !slices.Equal(got, []string{"fail"}) {
			t.Errorf("BG-INV-004 alice = %v, want her reported as an undeclared candidate", got)
		}
	})
	t.Run("mandatory-mfa-password-only", func(t *testing.T) {
		results := scanScenario(t, eng, "mandatory-mfa-password-only", nil)
		if got := status(results, "BG-AUTH-004", bg2Scn); !slices.Equal(got, []string{"fail"}) {
			t.Errorf("BG-AUTH-004 bg-02 = %v, want fail (password only: unusable under mandatory MFA)", got)
		}
		if got := status(results, "BG-AUTH-004", ""); !slices.Equal(got, []string{"fail", "pass"}) {
			t.Errorf("BG-AUTH-004 = %v, want bg-01 pass and bg-02 fail", got)
		}
	})
	t.Run("managed-policy-pending", func(t *testing.T) {
		results := scanScenario(t, eng, "managed-policy-pending", nil)
		const managed = "c0000001-0000-4000-8000-0000000000a1"
		var got []string
		for _, r := range results {
			if r.RuleID == "BG-CA-007" && r.Resource.ID == managed && r.Subject != nil && r.Subject.ID == bg2Scn {
				got = append(got, r.Status)
			}
		}
		if !slices.Equal(got, []string{"fail"}) {
			t.Errorf("BG-CA-007 (Microsoft-managed policy, bg-02) = %v, want fail", got)
		}
		if got := status(results, "BG-CA-001", ""); !slices.Equal(got, []string{"pass"}) {
			t.Errorf("BG-CA-001 = %v, want pass: the managed policy is not enforced yet", got)
		}
	})
	t.Run("pim-approval-deadlock", func(t *testing.T) {
		results := scanScenario(t, eng, "pim-approval-deadlock", nil)
		if got := status(results, "BG-PRIV-005", ""); !slices.Equal(got, []string{"fail"}) {
			t.Errorf("BG-PRIV-005 = %v, want the deadlock reported", got)
		}
	})
	t.Run("alert-not-fired", func(t *testing.T) {
		results := scanScenario(t, eng, "alert-not-fired", nil)
		if got := status(results, "BG-MON-005", ""); !slices.Equal(got, []string{"fail", "fail"}) {
			t.Errorf("BG-MON-005 = %v, want fail for both accounts", got)
		}
		if got := status(results, "BG-MON-002", ""); !slices.Equal(got, []string{"pass", "pass"}) {
			t.Errorf("BG-MON-002 = %v: the rule exists, only the drill shows it does not fire", got)
		}
	})
	t.Run("automated-cleanup", func(t *testing.T) {
		results := scanScenario(t, eng, "automated-cleanup", nil)
		if got := status(results, "BG-INV-005", ""); !slices.Equal(got, []string{"fail", "fail"}) {
			t.Errorf("BG-INV-005 = %v, want fail for both accounts (auto-applied GA review)", got)
		}
	})
	t.Run("cba-untrusted-ca", func(t *testing.T) {
		results := scanScenario(t, eng, "cba-untrusted-ca", nil)
		if got := status(results, "BG-AUTH-006", bg2Scn); !slices.Equal(got, []string{"fail"}) {
			t.Errorf("BG-AUTH-006 bg-02 = %v, want fail (issuer no longer trusted)", got)
		}
	})
	t.Run("passkey-profile-rejects-key", func(t *testing.T) {
		results := scanScenario(t, eng, "passkey-profile-rejects-key", nil)
		if got := status(results, "BG-AUTH-005", bg2Scn); !slices.Equal(got, []string{"fail"}) {
			t.Errorf("BG-AUTH-005 bg-02 = %v, want fail (its key's AAGUID is not in the group's passkey profile)", got)
		}
		if got := status(results, "BG-AUTH-003", bg2Scn); !slices.Equal(got, []string{"pass"}) {
			t.Errorf("BG-AUTH-003 bg-02 = %v: the top-level key restrictions still allow the key", got)
		}
	})
	t.Run("unlicensed-forbidden", func(t *testing.T) {
		results := scanScenario(t, eng, "unlicensed-forbidden", nil)
		for _, rule := range []string{"BG-MON-001", "BG-MON-003", "BG-MON-004", "BG-PROC-002", "BG-PRIV-005", "BG-INV-005"} {
			got := status(results, rule, "")
			if len(got) == 0 || slices.ContainsFunc(got, func(s string) bool { return s != "error" }) {
				t.Errorf("%s = %v, want error only (missing data is never a pass)", rule, got)
			}
		}
	})
}

// TestMissingDataPerRule makes each data set every rule requires
// `forbidden` in turn, on the healthy tenant: the rule must report `error`
// only — once per resource it judged in the healthy scan, or once for the
// tenant when the resources cannot be enumerated — and never pass.
func TestMissingDataPerRule(t *testing.T) {
	eng := newEngine(t)
	healthy := scanScenario(t, eng, "healthy", nil)
	checked := 0
	for _, rule := range eng.Rules() {
		for _, ds := range rule.Requires {
			t.Run(rule.ID+"/"+ds, func(t *testing.T) {
				results := byRule(scanScenario(t, eng, "healthy", func(s *snapshot.Loaded) {
					setStatus(t, s, ds, "forbidden", "403 Authorization_RequestDenied")
				}), rule.ID)
				if len(results) == 0 {
					t.Fatal("no result: missing data must be reported")
				}
				for _, r := range results {
					if r.Status != engine.StatusError || !strings.Contains(r.Message, ds+" is forbidden") {
						t.Errorf("%s = %s (%q), want error naming %s", key(r), r.Status, r.Message, ds)
					}
				}
				kind := engine.ResourceKinds[rule.Resource]
				want := len(byRule(healthy, rule.ID))
				switch {
				case !kind.Closed || slices.Contains(kind.Needs, ds):
					want = 1 // cannot enumerate: one tenant-level error
				case ds == snapshot.Users, ds == snapshot.KeyVaults && rule.Resource == "key-vault":
					// still enumerated from the config, but named by UPN /
					// vault URI instead of the object id / ARM id
				default:
					if got, w := keys(results), errorKeys(byRule(healthy, rule.ID)); !slices.Equal(got, w) {
						t.Errorf("errors on %v, want one per resource judged when data is complete: %v", got, w)
					}
				}
				if len(results) != want {
					t.Errorf("%d error results, want %d", len(results), want)
				}
			})
			checked++
		}
	}
	if checked < 23 {
		t.Errorf("only %d (rule, data set) pairs checked", checked)
	}
}

// errorKeys is keys() of results with every status replaced by error, one
// per resource (drift and similar rules may judge a resource twice).
func errorKeys(results []engine.Result) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range results {
		r.Status = engine.StatusError
		if k := key(r); !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
