package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const waiverBase = `tenantId: 7c3f8a2e-5b1d-4e6f-9a0b-1c2d3e4f5a6b
accounts:
  - userPrincipalName: bg-01@contoso.onmicrosoft.com
waivers:
`

func TestWaiversParse(t *testing.T) {
	cfg, err := Parse("bg.yaml", []byte(waiverBase+`  - rule: BG-AUTH-002
    resource: B9A1E001-0000-4000-8000-00000000B002
    reason: SMS kept until the FIDO2 keys arrive
    owner: secops@contoso.com
    expires: 2027-01-31
  - rule: BG-CA-002
    resource: c0000001-0000-4000-8000-00000000ca04
    subject: b9a1e001-0000-4000-8000-00000000b002
    reason: compliant-device policy accepted for this account
    owner: Jane Doe
    expires: "2026-12-31"
waiverWarningDays: 30
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Waivers) != 2 || cfg.Waivers[0].Line != 5 || cfg.Waivers[1].Line != 10 {
		t.Fatalf("waivers %+v: want two with lines 5 and 10", cfg.Waivers)
	}
	if cfg.Waivers[0].Expires != "2027-01-31" {
		t.Errorf("an unquoted YAML date must stay the string 2027-01-31, got %q", cfg.Waivers[0].Expires)
	}
	if cfg.WarningDays() != 30 {
		t.Errorf("waiverWarningDays = %d, want 30", cfg.WarningDays())
	}
	// The last day holds until midnight at its end in the config's zone.
	if got, want := cfg.Waivers[0].ExpiresAt(time.UTC), time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("ExpiresAt = %v, want %v", got, want)
	}
	if err := cfg.CheckWaiverRules("bg.yaml", []string{"BG-AUTH-002", "BG-CA-002"}); err != nil {
		t.Errorf("known rules rejected: %v", err)
	}
	def, _ := Parse("bg.yaml", []byte(waiverBase+"  []\n"))
	if def.WarningDays() != DefaultWaiverWarningDays {
		t.Errorf("default waiverWarningDays = %d", def.WarningDays())
	}
}

func TestWaiverRejectionsNameTheLine(t *testing.T) {
	ok := "  - rule: BG-AUTH-002\n    resource: b9a1e001-0000-4000-8000-00000000b002\n    reason: r\n    owner: o@contoso.com\n    expires: 2027-01-31\n"
	cases := []struct {
		name, waiver string
		line         int
		want         string
	}{
		{"no owner", "  - rule: BG-AUTH-002\n    resource: b9a1e001-0000-4000-8000-00000000b002\n    reason: r\n    expires: 2027-01-31\n", 5, "needs owner"},
		{"blank reason", "  - rule: BG-AUTH-002\n    resource: b9a1e001-0000-4000-8000-00000000b002\n    reason: \"  \"\n    owner: o\n    expires: 2027-01-31\n", 7, "needs reason"},
		{"bad date", "  - rule: BG-AUTH-002\n    resource: b9a1e001-0000-4000-8000-00000000b002\n    reason: r\n    owner: o\n    expires: 2027-02-30\n", 9, "is not a date"},
		{"no expiry", "  - rule: BG-AUTH-002\n    resource: b9a1e001-0000-4000-8000-00000000b002\n    reason: r\n    owner: o\n", 5, "never lasts forever"},
		{"name as resource", "  - rule: BG-AUTH-002\n    resource: bg-02@contoso.onmicrosoft.com\n    reason: r\n    owner: o\n    expires: 2027-01-31\n", 6, "names are not accepted"},
		{"bad subject", "  - rule: BG-CA-002\n    resource: b9a1e001-0000-4000-8000-00000000b002\n    subject: bg-02\n    reason: r\n    owner: o\n    expires: 2027-01-31\n", 7, "subject"},
		{"bad rule id", "  - rule: auth-002\n    resource: b9a1e001-0000-4000-8000-00000000b002\n    reason: r\n    owner: o\n    expires: 2027-01-31\n", 5, "is not a rule id"},
		{"bad owner mail", "  - rule: BG-AUTH-002\n    resource: b9a1e001-0000-4000-8000-00000000b002\n    reason: r\n    owner: o@@x\n    expires: 2027-01-31\n", 8, "not a valid e-mail"},
		{"unknown key", "  - rule: BG-AUTH-002\n    resource: b9a1e001-0000-4000-8000-00000000b002\n    reason: r\n    owner: o\n    expiry: 2027-01-31\n", 9, "unknown key"},
		{"duplicate", ok + ok, 10, "repeats waivers[0]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("bg.yaml", []byte(waiverBase+c.waiver))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("want a config error, got %v", err)
			}
			if ce.Line != c.line || !strings.Contains(ce.Msg, c.want) || !strings.HasPrefix(err.Error(), "bg.yaml:") {
				t.Errorf("got %q (line %d), want line %d and %q", err, ce.Line, c.line, c.want)
			}
		})
	}
	_, err := Parse("bg.yaml", []byte(waiverBase+ok+"waiverWarningDays: -1\n"))
	if err == nil || !strings.Contains(err.Error(), "bg.yaml:10: waiverWarningDays must be 0 or more") {
		t.Errorf("negative waiverWarningDays: %v", err)
	}
}

func TestWaiverUnknownRule(t *testing.T) {
	cfg, err := Parse("bg.yaml", []byte(waiverBase+"  - rule: BG-AUTH-02\n    resource: b9a1e001-0000-4000-8000-00000000b002\n    reason: r\n    owner: o\n    expires: 2027-01-31\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.CheckWaiverRules("bg.yaml", []string{"BG-AUTH-001", "BG-AUTH-002"})
	if err == nil || !strings.Contains(err.Error(), `bg.yaml:5: waivers[0].rule "BG-AUTH-02" is not a loaded rule (did you mean BG-AUTH-002?)`) {
		t.Errorf("unknown rule: %v", err)
	}
}
