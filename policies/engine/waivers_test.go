package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/breakglass-dev/breakglass/config"
)

func TestApplyWaivers(t *testing.T) {
	now := time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)
	bg1, bg2 := "b9a1e001-0000-4000-8000-00000000b001", "b9a1e001-0000-4000-8000-00000000b002"
	pol := "c0000001-0000-4000-8000-00000000ca04"
	user := func(id string) Ref { return Ref{Type: "user", ID: id} }
	results := []Result{
		{RuleID: "BG-AUTH-002", Status: StatusFail, Resource: user(bg2), Message: "phone method"}, // 0 waived
		{RuleID: "BG-CA-002", Status: StatusFail, Resource: Ref{Type: "conditionalAccessPolicy", ID: pol}, // 1 waived by the subject waiver
			Subject: &Ref{Type: "user", ID: bg2}, Message: "locks out bg-02"},
		{RuleID: "BG-CA-002", Status: StatusFail, Resource: Ref{Type: "conditionalAccessPolicy", ID: pol}, // 2 other subject: not covered
			Subject: &Ref{Type: "user", ID: bg1}, Message: "locks out bg-01"},
		{RuleID: "BG-MON-004", Status: StatusFail, Resource: user(bg1), Message: "undocumented sign-in"}, // 3 expired waiver
		{RuleID: "BG-CRED-001", Status: StatusError, Resource: user(bg1), Message: "users is forbidden"}, // 4 never waived
		{RuleID: "BG-AUTH-001", Status: StatusPass, Resource: user(bg1), Message: "ok"},                  // 5
	}
	orig := make([]Result, len(results))
	copy(orig, results)
	w := func(rule, res, subj, expires string, line int) config.Waiver {
		return config.Waiver{Rule: rule, Resource: res, Subject: subj, Reason: "accepted  for\nnow", Owner: "secops@contoso.com", Expires: expires, Line: line}
	}
	out, warnings := ApplyWaivers(results, WaiverOptions{
		Waivers: []config.Waiver{
			w("BG-AUTH-002", strings.ToUpper(bg2), "", "2026-11-25", 10), // ids compare case-insensitively; expires in 5 days
			w("BG-CA-002", pol, bg2, "2027-06-30", 20),
			w("BG-MON-004", bg1, "", "2026-11-19", 30),
			w("BG-CRED-001", bg1, "", "2027-06-30", 40),
			w("BG-INV-003", bg1, "", "2027-06-30", 50),
		},
		Path: "bg.yaml", Now: now, WarningDays: 14,
	})
	for i := range results {
		if results[i].Status != orig[i].Status || results[i].Message != orig[i].Message || results[i].Waiver != nil {
			t.Fatalf("ApplyWaivers modified its input: %+v", results[i])
		}
	}
	want := []string{StatusWaived, StatusWaived, StatusFail, StatusFail, StatusError, StatusPass}
	for i, st := range want {
		if out[i].Status != st {
			t.Errorf("result %d (%s): status %s, want %s", i, out[i].RuleID, out[i].Status, st)
		}
	}
	if w := out[0].Waiver; w == nil || w.Source != "bg.yaml:10" || w.Owner != "secops@contoso.com" || w.Expired {
		t.Errorf("waived result carries %+v", out[0].Waiver)
	}
	if !strings.Contains(out[0].Message, "accepted risk until 2026-11-25, owner secops@contoso.com: accepted for now") {
		t.Errorf("waived message: %q", out[0].Message)
	}
	if out[2].Waiver != nil {
		t.Error("a subject waiver covered another subject")
	}
	if out[3].Waiver == nil || !out[3].Waiver.Expired || !strings.Contains(out[3].Message, "expired on 2026-11-19, owner secops@contoso.com") {
		t.Errorf("expired waiver: %+v %q", out[3].Waiver, out[3].Message)
	}
	if out[4].Waiver != nil {
		t.Error("an error result was waived")
	}
	all := strings.Join(warnings, "\n")
	for _, s := range []string{
		"waiver at bg.yaml:10 (BG-AUTH-002 on " + strings.ToUpper(bg2) + ") expires on 2026-11-25 (in 5 day(s))",
		"waiver at bg.yaml:30 (BG-MON-004 on " + bg1 + ") expired on 2026-11-19",
		"waiver at bg.yaml:40 (BG-CRED-001 on " + bg1 + ") matches a result with status error: only fail results can be waived",
		"waiver at bg.yaml:50 (BG-INV-003 on " + bg1 + ") matches no fail result",
	} {
		if !strings.Contains(all, s) {
			t.Errorf("warnings lack %q:\n%s", s, all)
		}
	}
	if strings.Contains(all, "bg.yaml:20") {
		t.Errorf("a waiver expiring in 7 months was warned about:\n%s", all)
	}
	if got := Summarize(out); got[StatusWaived] != 2 || got[StatusFail] != 2 {
		t.Errorf("summary %v", got)
	}
	if ExitCode(out[:2], "low") != 0 {
		t.Error("waived results must not trip --fail-on")
	}
}

// The last day of a waiver holds in the config's time zone.
func TestWaiverExpiryTimeZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	r := []Result{{RuleID: "BG-AUTH-002", Status: StatusFail, Resource: Ref{Type: "user", ID: "u"}, Message: "m"}}
	ws := []config.Waiver{{Rule: "BG-AUTH-002", Resource: "u", Reason: "r", Owner: "o", Expires: "2026-11-19"}}
	// 2026-11-20 03:00 UTC is still 2026-11-19 in New York.
	now := time.Date(2026, 11, 20, 3, 0, 0, 0, time.UTC)
	if out, _ := ApplyWaivers(r, WaiverOptions{Waivers: ws, Now: now, Location: ny}); out[0].Status != StatusWaived {
		t.Errorf("in New York the waiver still holds; got %s", out[0].Status)
	}
	if out, _ := ApplyWaivers(r, WaiverOptions{Waivers: ws, Now: now}); out[0].Status != StatusFail {
		t.Errorf("in UTC the waiver has expired; got %s", out[0].Status)
	}
}
