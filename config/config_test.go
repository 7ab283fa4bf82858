package config

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

const valid = `tenantId: 7c3f8a2e-5b1d-4e6f-9a0b-1c2d3e4f5a6b
accounts:
  - userPrincipalName: bg-01@contoso.onmicrosoft.com
    vaultSecret: https://kv-bg.vault.azure.net/secrets/bg-01
  - id: B9A1E001-0000-4000-8000-00000000B002
exclusionGroups: [9e0c1a55-0000-4000-8000-0000000e0001]
drills:
  - account: bg-01@contoso.onmicrosoft.com
    date: 2026-10-02
    kind: drill
    reference: CHG-1234
runbook:
  uri: https://wiki.contoso.com/bg
  owner: secops@contoso.com
  reviewed: 2026-09-01
`

func TestSampleConfigLoads(t *testing.T) {
	cfg, err := Load(filepath.Join("..", "testdata", "sample", "breakglass.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Accounts) != 2 || *cfg.MinAccounts != 2 || cfg.Runbook == nil {
		t.Errorf("unexpected sample config: %+v", cfg)
	}
}

func TestDefaultsAndNormalisation(t *testing.T) {
	cfg, err := Parse("breakglass.yaml", []byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	if *cfg.MinAccounts != 2 || *cfg.MaxAccounts != 4 || *cfg.PasswordMaxAgeDays != 90 || *cfg.DrillMaxAgeDays != 90 || *cfg.SignInLookbackDays != 30 {
		t.Errorf("defaults not applied: %+v", cfg)
	}
	if len(cfg.AllowedRoles) != 1 || cfg.AllowedRoles[0] != GlobalAdministrator {
		t.Errorf("allowedRoles default = %v", cfg.AllowedRoles)
	}
	if cfg.Drills[0].Date != "2026-10-02" {
		t.Errorf("an unquoted YAML date must stay the string 2026-10-02, got %q", cfg.Drills[0].Date)
	}
	if cfg.Discovery() {
		t.Error("accounts are declared: not discovery mode")
	}
	if !Default().Discovery() {
		t.Error("the default config has no accounts: discovery mode")
	}
}

// Every rejection names the file and the line of the offending key.
func TestRejectionsNameTheLine(t *testing.T) {
	cases := []struct {
		name, yaml, line, want string
	}{
		{"unknown key", "tenantId: 7c3f8a2e-5b1d-4e6f-9a0b-1c2d3e4f5a6b\nacounts: []\n", ":2:", `unknown key "acounts"`},
		{"bad tenant", "tenantId: contoso\n", ":1:", "not a GUID"},
		{"bad account id", "accounts:\n  - id: 1234\n", ":2:", "accounts[0].id"},
		{"account without reference", "accounts:\n  - vaultSecret: https://kv.vault.azure.net/secrets/x\n", ":2:", "needs userPrincipalName or id"},
		{"bad upn", "accounts:\n  - userPrincipalName: bg-01\n", ":2:", "not a UPN"},
		{"bad vault uri", "accounts:\n  - userPrincipalName: a@b.c\n    vaultSecret: http://kv/x\n", ":3:", "Key Vault secret URI"},
		{"duplicate account", "accounts:\n  - userPrincipalName: a@b.c\n  - userPrincipalName: A@b.c\n", ":3:", "repeats"},
		{"bad group", "exclusionGroups:\n  - 9e0c1a55\n", ":2:", "exclusionGroups[0]"},
		{"duplicate subscription", "subscriptions:\n  - 5a5c41b0-0000-4000-8000-000000000001\n  - 5a5c41b0-0000-4000-8000-000000000001\n", ":3:", "listed twice"},
		{"min greater than max", "minAccounts: 5\nmaxAccounts: 3\n", ":1:", "greater than maxAccounts"},
		{"zero max age", "passwordMaxAgeDays: 0\n", ":1:", "at least 1"},
		{"look-back beyond retention", "signInLookbackDays: 90\n", ":1:", "30 days"},
		{"bad drill date", "accounts:\n  - userPrincipalName: a@b.c\ndrills:\n  - account: a@b.c\n    date: 2026-13-01\n    kind: drill\n", ":5:", "not a date"},
		{"bad drill kind", "accounts:\n  - userPrincipalName: a@b.c\ndrills:\n  - account: a@b.c\n    date: 2026-10-01\n    kind: exercise\n", ":6:", "drill or incident"},
		{"drill of undeclared account", "accounts:\n  - userPrincipalName: a@b.c\ndrills:\n  - account: x@b.c\n    date: 2026-10-01\n    kind: drill\n", ":4:", "not one of the declared accounts"},
		{"unknown time zone", "signInLookbackDays: 30\ntimeZone: Europe/Amsterdm\n", ":2:", `timeZone "Europe/Amsterdm" is not a known IANA time zone`},
		{"machine-local time zone", "timeZone: Local\n", ":1:", "IANA time zone name"},
		{"empty time zone", "minAccounts: 2\n\ntimeZone: \"\"\n", ":3:", "IANA time zone name"},
		{"runbook without uri", "runbook:\n  owner: a@b.c\n", ":2:", "runbook.uri is required"},
		{"bad review date", "runbook:\n  uri: https://wiki/x\n  reviewed: yesterday\n", ":3:", "not a date"},
		{"wrong type", "minAccounts: two\n", ":1:", "two"},
		{"syntax", "accounts: [\n", ":", "yaml"},
		{"not a mapping", "- a\n- b\n", ":1:", "mapping"},
		{"empty", "", ":1:", "empty"},
		{"second document", "minAccounts: 2\n---\ntenantId: bogus\n", ":2:", "second YAML document"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("breakglass.yaml", []byte(c.yaml))
			if err == nil {
				t.Fatal("accepted")
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not a *config.Error", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "breakglass.yaml"+c.line) && c.line != ":" {
				t.Errorf("%q does not start with breakglass.yaml%s", msg, c.line)
			}
			if !strings.Contains(strings.ToLower(msg), strings.ToLower(c.want)) {
				t.Errorf("%q does not mention %q", msg, c.want)
			}
		})
	}
}

func TestTimeZone(t *testing.T) {
	cfg, err := Parse("breakglass.yaml", []byte(valid+"timeZone: America/New_York\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TimeZone != "America/New_York" {
		t.Errorf("timeZone = %q", cfg.TimeZone)
	}
	// Absent means UTC; it stays absent from input.config (the rules
	// default it), so snapshots and baselines are unchanged.
	cfg, err = Parse("breakglass.yaml", []byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TimeZone != "" || strings.Contains(string(raw), "timeZone") {
		t.Errorf("an absent timeZone must stay absent, got %q in %s", cfg.TimeZone, raw)
	}
}

func TestMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("got %v", err)
	}
}

// A value of the wrong type names its key, the type expected and the value
// as written.
func TestTypeMismatchNamesTheKey(t *testing.T) {
	for _, c := range []struct{ yaml, want string }{
		{"minAccounts: two\n", `breakglass.yaml:1: minAccounts: expected a whole number, got "two"`},
		{"tenantId: 7c3f8a2e-5b1d-4e6f-9a0b-1c2d3e4f5a6b\nmaxAccounts: 2.5\n", `breakglass.yaml:2: maxAccounts: expected a whole number, got 2.5`},
		{"signInLookbackDays: [1]\n", `breakglass.yaml:1: signInLookbackDays: expected a whole number, got a list`},
		{"accounts: bg-01@contoso.com\n", `breakglass.yaml:1: accounts: expected a list, got "bg-01@contoso.com"`},
		{"accounts:\n  - bg-01@contoso.com\n", `breakglass.yaml:2: accounts[0]: expected a mapping of keys, got "bg-01@contoso.com"`},
		{"exclusionGroups:\n  a: b\n", `breakglass.yaml:2: exclusionGroups: expected a list of strings, got a mapping`},
		{"runbook:\n  uri: [a]\n", `breakglass.yaml:2: runbook.uri: expected a string, got a list`},
		{"drills:\n  - account: a@b.c\n    date: {y: 1}\n", `breakglass.yaml:3: drills[0].date: expected a string, got a mapping`},
	} {
		_, err := Parse("breakglass.yaml", []byte(c.yaml))
		if err == nil || err.Error() != c.want {
			t.Errorf("%q:\n got %v\nwant %s", c.yaml, err, c.want)
		}
	}
}
