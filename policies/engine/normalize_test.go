package engine_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/config"
	"github.com/breakglass-dev/breakglass/policies/engine"
)

// upperConfig upper-cases the GUIDs, UPNs and vault URIs of a YAML config.
func upperConfig(t *testing.T, path string) *config.Config {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(snapshot.UpperCaseIdentifiers(raw))
	re := regexp.MustCompile(`(?m)((?:userPrincipalName|account|vaultSecret): )(\S+)`)
	text = re.ReplaceAllStringFunc(text, func(m string) string {
		parts := re.FindStringSubmatch(m)
		return parts[1] + strings.NewReplacer("HTTPS://", "https://", "/SECRETS/", "/secrets/").Replace(strings.ToUpper(parts[2]))
	})
	out := filepath.Join(t.TempDir(), "breakglass.yaml")
	if err := os.WriteFile(out, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(out)
	if err != nil {
		t.Fatalf("the upper-cased config does not load: %v", err)
	}
	return cfg
}

// TestMixedCaseGivesSameVerdicts: upper-casing every identifier of the
// sample snapshot and its config changes no result.
func TestMixedCaseGivesSameVerdicts(t *testing.T) {
	eng := newEngine(t)
	snap, cfg := loadSample(t)
	want := scan(t, eng, snap, cfg)

	raw, err := os.ReadFile(filepath.Join(sampleDir, "snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	upper, err := snapshot.Parse("upper.json", snapshot.UpperCaseIdentifiers(raw))
	if err != nil {
		t.Fatal(err)
	}
	got := scan(t, eng, upper, upperConfig(t, filepath.Join(sampleDir, "breakglass.yaml")))
	if !reflect.DeepEqual(got, want) {
		for i := range min(len(got), len(want)) {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("first difference:\n got %+v\nwant %+v", got[i], want[i])
			}
		}
		t.Fatalf("%d results, want %d", len(got), len(want))
	}
}

// TestUpperCasePrincipalIsNoFalsePass: an extra directory role whose
// assignment names the account in capitals is still an extra role
// (BG-PRIV-002 fails), as it is in lower case.
func TestUpperCasePrincipalIsNoFalsePass(t *testing.T) {
	eng := newEngine(t)
	verdict := func(principal func(string) string) string {
		snap, cfg := loadSample(t)
		bg01 := ""
		for _, u := range snap.Doc["dataSets"].(map[string]any)["users"].(map[string]any)["items"].([]any) {
			if u := u.(map[string]any); u["userPrincipalName"] == "bg-01@contoso.onmicrosoft.com" {
				bg01 = u["id"].(string)
			}
		}
		set := snap.Doc["dataSets"].(map[string]any)["roleAssignments"].(map[string]any)
		set["items"] = append(set["items"].([]any), map[string]any{
			"id": "extra-role-assignment", "principalId": principal(bg01),
			"roleDefinitionId": "194ae4cb-b126-40b2-bd5b-6091b380977d", "directoryScopeId": "/",
		})
		data, err := json.MarshalIndent(snap.Doc, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		loaded, err := snapshot.Parse("mutated.json", data)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range byRule(scan(t, eng, loaded, cfg), "BG-PRIV-002") {
			if r.Resource.ID == bg01 {
				return r.Status
			}
		}
		return "none"
	}
	lower := verdict(func(id string) string { return id })
	upper := verdict(strings.ToUpper)
	if lower != engine.StatusFail || upper != lower {
		t.Fatalf("BG-PRIV-002 with an extra role: lower-case principal %s, upper-case %s; want fail for both", lower, upper)
	}
}

// TestPolicyWithoutConditionsIsError: a Conditional Access policy that Graph
// returned without conditions loads, its pairs are `error` (never a pass:
// it would seem to target nobody), and every other verdict is unchanged.
func TestPolicyWithoutConditionsIsError(t *testing.T) {
	eng := newEngine(t)
	snap, cfg := loadSample(t)
	want := scan(t, eng, snap, cfg)

	snap, cfg = loadSample(t)
	set := snap.Doc["dataSets"].(map[string]any)["conditionalAccessPolicies"].(map[string]any)
	set["items"] = append(set["items"].([]any), map[string]any{
		"id": "0c0c0c0c-0000-4000-8000-00000000c0de", "displayName": "No conditions", "state": "enabled",
		"grantControls": map[string]any{"operator": "OR", "builtInControls": []any{"block"}},
	})
	data, err := json.MarshalIndent(snap.Doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := snapshot.Parse("no-conditions.json", data)
	if err != nil {
		t.Fatalf("a policy without conditions must not make the snapshot unreadable: %v", err)
	}
	got := scan(t, eng, loaded, cfg)
	pairs := 0
	for _, r := range got {
		if r.Resource.ID != "0c0c0c0c-0000-4000-8000-00000000c0de" {
			continue
		}
		if r.RuleID == "BG-CA-002" {
			pairs++
			if r.Status != engine.StatusError || !strings.Contains(r.Message, "no readable conditions") {
				t.Errorf("BG-CA-002 %s: %s %q, want error", r.Subject.ID, r.Status, r.Message)
			}
		}
	}
	if pairs != 2 {
		t.Errorf("%d BG-CA-002 pairs for the policy, want one per declared account (2)", pairs)
	}
	for _, id := range []string{"BG-INV-001", "BG-AUTH-001", "BG-PRIV-001", "BG-MON-001", "BG-CA-003"} {
		if !reflect.DeepEqual(byRule(got, id), byRule(want, id)) {
			t.Errorf("%s changed", id)
		}
	}
	for _, r := range byRule(got, "BG-CA-001") {
		if r.Status == engine.StatusPass && strings.Contains(r.Message, "No conditions") {
			t.Errorf("BG-CA-001 passes through an unjudgeable policy: %s", r.Message)
		}
	}
}
