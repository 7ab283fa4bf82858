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
