package config

import "testing"

func TestLinesLocateDeclarations(t *testing.T) {
	src := `# leading comment
tenantId: 7c3f8a2e-5b1d-4e6f-9a0b-1c2d3e4f5a6b
accounts:
  - userPrincipalName: BG-01@contoso.onmicrosoft.com
    vaultSecret: https://kv-bg.vault.azure.net/secrets/bg-01
  - id: B9A1E001-0000-4000-8000-00000000B002
exclusionGroups: [9e0c1a55-0000-4000-8000-0000000e0001]
subscriptions:
  - 5a5c41b0-0000-4000-8000-000000000001
caAllowedPolicies:
  - c0000001-0000-4000-8000-00000000ca04
runbook:
  uri: https://wiki.contoso.com/bg
`
	cfg, err := Parse("breakglass.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	l := cfg.Lines()
	for name, c := range map[string]struct{ got, want int }{
		"first":               {l.First(), 2},
		"accounts key":        {l.Key("accounts"), 3},
		"runbook key":         {l.Key("runbook"), 12},
		"absent key":          {l.Key("drills"), 0},
		"account by UPN":      {l.Account("bg-01@CONTOSO.onmicrosoft.com"), 4},
		"account by id":       {l.Account("b9a1e001-0000-4000-8000-00000000b002"), 6},
		"unknown account":     {l.Account("someone@contoso.com"), 0},
		"empty ref":           {l.Account(""), 0},
		"vault secret":        {l.VaultSecret("bg-01@contoso.onmicrosoft.com"), 5},
		"no vault secret":     {l.VaultSecret("b9a1e001-0000-4000-8000-00000000b002"), 0},
		"vault host":          {l.Vault("KV-BG.vault.azure.net"), 5},
		"other vault":         {l.Vault("kv-other.vault.azure.net"), 0},
		"vault name":          {l.Vault("kv-bg"), 5},
		"exclusion group":     {l.ExclusionGroup("9E0C1A55-0000-4000-8000-0000000E0001"), 7},
		"subscription":        {l.Subscription("5a5c41b0-0000-4000-8000-000000000001"), 9},
		"allowed policy":      {l.CAAllowedPolicy("c0000001-0000-4000-8000-00000000ca04"), 11},
		"not allowed policy":  {l.CAAllowedPolicy("c0000001-0000-4000-8000-00000000ca05"), 0},
		"group is not policy": {l.CAAllowedPolicy("9e0c1a55-0000-4000-8000-0000000e0001"), 0},
	} {
		if c.got != c.want {
			t.Errorf("%s: line %d, want %d", name, c.got, c.want)
		}
	}
	var none *Lines
	if Default().Lines() != nil || none.Account("x") != 0 || none.First() != 0 || none.Vault("h") != 0 || none.Subscription("s") != 0 {
		t.Error("a config without a file must declare nothing")
	}
}
