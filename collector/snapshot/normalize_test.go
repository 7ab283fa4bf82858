package snapshot

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestNormalizeString(t *testing.T) {
	cases := []struct{ key, in, want string }{
		{"id", "5A1B8C7D-0000-4E4E-9F9F-ABCDEFABCDEF", "5a1b8c7d-0000-4e4e-9f9f-abcdefabcdef"},
		{"includeUsers", "5A1B8C7D-0000-4E4E-9F9F-ABCDEFABCDEF", "5a1b8c7d-0000-4e4e-9f9f-abcdefabcdef"},
		{"includeUsers", "All", "All"},
		{"includeUsers", "GuestsOrExternalUsers", "GuestsOrExternalUsers"},
		{"userPrincipalName", "BG-01@Contoso.onmicrosoft.com", "bg-01@contoso.onmicrosoft.com"},
		{"account", "BG-01@Contoso.onmicrosoft.com", "bg-01@contoso.onmicrosoft.com"},
		{"displayName", "BG-01 Break Glass", "BG-01 Break Glass"},
		{"displayName", "5A1B8C7D-0000-4E4E-9F9F-ABCDEFABCDEF", "5a1b8c7d-0000-4e4e-9f9f-abcdefabcdef"},
		{"scope", "/subscriptions/AAAA/resourceGroups/RG", "/subscriptions/aaaa/resourcegroups/rg"},
		{"id", "/providers/Microsoft.Management/managementGroups/Root", "/providers/microsoft.management/managementgroups/root"},
		{"vaultUri", "https://KV-BG.vault.azure.net/", "https://kv-bg.vault.azure.net/"},
		{"id", "https://KV-BG.vault.azure.net/secrets/BG-01", "https://kv-bg.vault.azure.net/secrets/bg-01"},
		{"query", "SigninLogs | where UserId == '5A1B8C7D-0000-4E4E-9F9F-ABCDEFABCDEF'", "SigninLogs | where UserId == '5A1B8C7D-0000-4E4E-9F9F-ABCDEFABCDEF'"},
		{"directoryScopeId", "/", "/"},
		{"@odata.type", "#microsoft.graph.user", "#microsoft.graph.user"},
		{"uri", "https://Wiki.Contoso.com/BG", "https://Wiki.Contoso.com/BG"},
		{"id", "DirectoryRole_7C3F8A2E-5B1D-4E6F-9A0B-1C2D3E4F5A6B_62E90394-69F5-4237-9190-012177145E10", "DirectoryRole_7c3f8a2e-5b1d-4e6f-9a0b-1c2d3e4f5a6b_62e90394-69f5-4237-9190-012177145e10"},
		{"policyId", "DirectoryRole_7C3F8A2E-5B1D-4E6F-9A0B-1C2D3E4F5A6B_62e90394", "DirectoryRole_7c3f8a2e-5b1d-4e6f-9a0b-1c2d3e4f5a6b_62e90394"},
		{"query", "/groups/9E0C1A55-0000-4000-8000-0000000E0001/transitiveMembers", "/groups/9e0c1a55-0000-4000-8000-0000000e0001/transitiveMembers"},
		{"directoryScopeId", "/administrativeUnits/9E0C1A55-0000-4000-8000-0000000E0001", "/administrativeUnits/9e0c1a55-0000-4000-8000-0000000e0001"},
		{"query", "SigninLogs | where UserId == 'B9A1E001-0000-4000-8000-00000000B001'", "SigninLogs | where UserId == 'B9A1E001-0000-4000-8000-00000000B001'"},
	}
	for _, c := range cases {
		if got := NormalizeString(c.key, c.in); got != c.want {
			t.Errorf("NormalizeString(%q, %q) = %q, want %q", c.key, c.in, got, c.want)
		}
	}
}

// TestMixedCaseSnapshotLoadsLikeLowerCase: a snapshot whose GUIDs and UPNs
// are upper-cased (as Graph may return them) loads into exactly the same
// document as the original.
func TestMixedCaseSnapshotLoadsLikeLowerCase(t *testing.T) {
	raw, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Parse("sample.json", raw)
	if err != nil {
		t.Fatal(err)
	}
	upper := UpperCaseIdentifiers(raw)
	if string(upper) == string(raw) {
		t.Fatal("the test changed nothing")
	}
	got, err := Parse("upper.json", upper)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Doc, want.Doc) {
		t.Fatal("a mixed-case snapshot loads differently from its lower-case form")
	}
}

func TestTokenRejections(t *testing.T) {
	raw, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	dup := strings.Replace(string(raw), `"accountEnabled": true,`, `"accountEnabled": false,
          "accountEnabled": true,`, 1)
	huge := strings.Replace(string(raw), `"schemaVersion": 1`, `"schemaVersion": 1, "x": 1e400`, 1)
	cases := []struct{ name, data, want string }{
		{"duplicate member", dup, "duplicate object member name at /dataSets/users/items/0/accountEnabled"},
		{"number out of range", huge, "number 1e400"},
		{"invalid UTF-8", strings.Replace(string(raw), "Contoso", "Cont\xffso", 1), "UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("snap.json", []byte(c.data))
			var ie *InputError
			if !errors.As(err, &ie) || ie.Line == 0 || ie.Col == 0 {
				t.Fatalf("want an InputError with line and column, got %v", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q lacks %q", err, c.want)
			}
		})
	}
	// The duplicate's line is the second member's.
	_, err = Parse("snap.json", []byte(dup))
	line := strings.Count(dup[:strings.Index(dup, `"accountEnabled": true,`)], "\n") + 1
	if ie := err.(*InputError); ie.Line != line {
		t.Errorf("duplicate reported at line %d, want %d", ie.Line, line)
	}
}

func TestLoadLimit(t *testing.T) {
	if _, err := LoadLimit(samplePath, 1000); err == nil || !strings.Contains(err.Error(), "--max-snapshot-size") {
		t.Fatalf("an oversized snapshot must be refused naming the flag, got %v", err)
	}
	if _, err := LoadLimit(samplePath, 1<<30); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := LoadLimit(filepath.Join(dir, "none.json"), 1<<20); err == nil {
		t.Fatal("a missing file loaded")
	}
}

// isGUID is the hand-written form of guidRE (the hot path of loading).
func TestIsGUIDMatchesPattern(t *testing.T) {
	cases := []string{
		"b9a1e001-0000-4000-8000-00000000b002", "B9A1E001-0000-4000-8000-00000000B002",
		"b9a1e001-0000-4000-8000-00000000b00", "b9a1e001-0000-4000-8000-00000000b0022",
		"b9a1e001-0000-4000-8000_00000000b002", "g9a1e001-0000-4000-8000-00000000b002",
		"b9a1e0010-000-4000-8000-00000000b002", "", "------------------------------------",
		"b9a1e001-0000-4000-8000-00000000b0é", "{9a1e001-0000-4000-8000-00000000b002",
	}
	for _, s := range cases {
		if got, want := isGUID(s), guidRE.MatchString(s); got != want {
			t.Errorf("isGUID(%q) = %v, guidRE says %v", s, got, want)
		}
	}
}

func FuzzIsGUID(f *testing.F) {
	f.Add("b9a1e001-0000-4000-8000-00000000b002")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isGUID(s), guidRE.MatchString(s); got != want {
			t.Errorf("isGUID(%q) = %v, guidRE says %v", s, got, want)
		}
	})
}
