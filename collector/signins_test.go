package collector_test

import (
	"strings"
	"testing"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
)

// Sign-ins are read for min(30, max(signInLookbackDays, drillMaxAgeDays))
// days: BG-PROC-002 confirms drills up to drillMaxAgeDays old, and Entra ID
// keeps sign-in logs for 30 days.
func TestSignInWindow(t *testing.T) {
	for _, c := range []struct {
		name            string
		lookback, drill int
		since           string
	}{
		{"drill age beyond retention: 30 days", 7, 90, "2026-09-15T12:00:00Z"},
		{"drill age within retention", 7, 10, "2026-10-05T12:00:00Z"},
		{"lookback longer than drill age", 20, 5, "2026-09-25T12:00:00Z"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := newServer(t)
			cfg := loadConfig(t, srv, "breakglass.yaml")
			cfg.SignInLookbackDays, cfg.DrillMaxAgeDays = &c.lookback, &c.drill
			r := collect(t, srv, cfg, nil)
			if st := r.status(snapshot.SignIns); st != "ok" {
				t.Fatalf("signIns: %s (%s)", st, r.message(snapshot.SignIns))
			}
			n := 0
			for _, req := range srv.Requests() {
				if !strings.Contains(req, "/auditLogs/signIns") {
					continue
				}
				n++
				if !strings.Contains(req, "createdDateTime ge "+c.since) {
					t.Errorf("sign-in request %q does not start the window at %s", req, c.since)
				}
			}
			if n != 2 {
				t.Errorf("%d sign-in requests, want one per declared account", n)
			}
		})
	}
}
