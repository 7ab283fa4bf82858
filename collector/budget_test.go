package collector_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/breakglass-dev/breakglass/collector"
	"github.com/breakglass-dev/breakglass/collector/fakeserver"
	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/config"
)

// testBudgetScale shrinks Graph's throttling windows (10 s -> 10 ms) in
// both the fake server and the collector, so every test runs under the
// documented budgets without waiting for them.
const testBudgetScale = 0.001

// largeWithCandidates is the L-size tenant: 100,000 users, 195 CA policies
// (including five 100,000-member groups), 40 role holders (2 declared break-glass
// accounts, 8 more Global Administrators) and 192 users named like
// break-glass accounts: 200 undeclared candidates, the --max-candidates default.
var largeWithCandidates = fakeserver.LargeOptions{Users: 100000, BigGroups: 5, BigGroupMembers: 100000, CAPolicies: 195,
	RoleHolders: 40, Subscriptions: 20, NameCandidates: 192}

func largeBudgetRun(t testing.TB, scale float64, log *syncBuffer) (*snapshot.Document, *fakeserver.Server, time.Duration) {
	t.Helper()
	o := largeWithCandidates
	srv := fakeserver.New(fakeserver.Large(o), testToken)
	srv.PageSize = 100
	srv.EnforceBudgets(scale)
	t.Cleanup(srv.Close)
	cfg, err := config.Parse("large.yaml", []byte(fakeserver.LargeConfig(o, srv.URL)))
	if err != nil {
		t.Fatal(err)
	}
	opts := options(srv, cfg, nil)
	opts.Log, opts.Progress = nil, nil
	if log != nil {
		opts.Progress = log
	}
	opts.BudgetTimeScale = scale
	opts.Timeout = 2 * time.Hour
	opts.RequestTimeout = 30 * time.Minute
	start := time.Now()
	doc, err := collector.Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return doc, srv, time.Since(start)
}

// The L-size tenant is collected within Graph's documented budgets: the
// fake server enforces them (429 beyond), and not one request is refused,
// so no data set ends throttled.
func TestLargeTenantStaysWithinGraphBudgets(t *testing.T) {
	log := &syncBuffer{}
	doc, srv, _ := largeBudgetRun(t, testBudgetScale, log)
	for _, name := range snapshot.Names {
		if ds := doc.DataSets[name]; ds.Status != snapshot.StatusOK {
			t.Errorf("%s: %s (%s)", name, ds.Status, ds.Message)
		}
	}
	if th := srv.BudgetThrottled(); len(th) > 0 {
		t.Errorf("the fake server refused requests over budget: %v", th)
	}
	if v := srv.Violations(); len(v) > 0 {
		t.Errorf("violations: %v", v)
	}
	if n := len(doc.DataSets[snapshot.Candidates].Items); n != 200 {
		t.Errorf("candidates: %d, want 200", n)
	}
	got := srv.BudgetRequests()
	// Methods for 2 declared accounts and 200 candidates; sign-ins for
	// the 2 declared accounts; signInActivity for both in one request;
	// CA policies (195 on 2 pages) and named locations.
	want := map[string]int{"authenticationMethods": 202, "signIns": 2, "signInActivity": 1, "conditionalAccess": 3}
	for fam, n := range want {
		if got[fam] != n {
			t.Errorf("%s: %d requests, want %d", fam, got[fam], n)
		}
	}
	if !strings.Contains(log.String(), "authenticationMethods 202") {
		t.Errorf("the progress output lacks the per-family summary:\n%s", log)
	}
	t.Logf("requests per family: %v", got)
}

// BenchmarkCollectLargeTenantGraphBudgets measures the wall time Graph's
// documented budgets impose on the L-size tenant, at real time by default
// (about 7 minutes: 205 identity-and-access-reports requests at 5 per 10 s):
//
//	go test ./collector -run '^$' -bench CollectLargeTenantGraphBudgets -benchtime 1x -timeout 30m
func BenchmarkCollectLargeTenantGraphBudgets(b *testing.B) {
	for i := 0; i < b.N; i++ {
		doc, srv, wall := largeBudgetRun(b, 1, nil)
		for name, ds := range doc.DataSets {
			if ds.Status != snapshot.StatusOK {
				b.Fatalf("%s: %s %s", name, ds.Status, ds.Message)
			}
		}
		got := srv.BudgetRequests()
		b.ReportMetric(wall.Seconds(), "wall-s")
		for fam, n := range got {
			b.ReportMetric(float64(n), fam+"-requests")
		}
		b.ReportMetric(float64(len(srv.BudgetThrottled())), "families-throttled")
		b.Logf("wall %s, requests per family %v, throttled %v", wall.Round(time.Second), got, srv.BudgetThrottled())
	}
}

// The fake server models the budgets: beyond them it answers 429, with
// Retry-After for the identity and access reports and without it for
// Conditional Access (as documented).
func TestFakeServerEnforcesGraphBudgets(t *testing.T) {
	srv := newServer(t)
	srv.EnforceBudgets(1) // real windows: nothing below frees up in time
	get := func(path string) *http.Response {
		req, _ := newGet(srv, path)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for i := 0; i < 5; i++ {
		if resp := get("/v1.0/users/" + bg1 + "/authentication/methods"); resp.StatusCode != 200 {
			t.Fatalf("reports request %d: %d", i+1, resp.StatusCode)
		}
	}
	// Sign-in logs share the reports budget with authentication methods.
	resp := get("/v1.0/auditLogs/signIns?$filter=userId%20eq%20'" + bg1 + "'%20and%20createdDateTime%20ge%202026-09-15T00:00:00Z")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("6th reports request: %d Retry-After %q, want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if resp := get("/v1.0/identity/conditionalAccess/policies"); resp.StatusCode != 200 {
		t.Fatalf("CA request: %d", resp.StatusCode)
	}
	resp = get("/v1.0/identity/conditionalAccess/namedLocations")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "" {
		t.Errorf("2nd CA request within a second: %d Retry-After %q, want 429 without Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if th := srv.BudgetThrottled(); th["signIns"] != 1 || th["conditionalAccess"] != 1 {
		t.Errorf("throttled = %v", th)
	}
}

// A 429 without Retry-After closes the family's budget for its window:
// the retry waits that long although the budget had tokens left.
func TestThrottledWithoutRetryAfterWaitsTheWindow(t *testing.T) {
	const scale = 0.05 // reports window 500 ms, Conditional Access 50 ms
	srv := newServer(t)
	srv.EnforceBudgets(scale)
	srv.AddFault(&fakeserver.Fault{Path: "/auditLogs/signIns", Status: 429, Code: "TooManyRequests", Times: 1})
	srv.AddFault(&fakeserver.Fault{Path: "/identity/conditionalAccess/policies", Status: 429, Code: "TooManyRequests", Times: 1})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), func(o *collector.Options) { o.BudgetTimeScale = scale })
	r.requireStatus(t, nil)
	if th := srv.BudgetThrottled(); len(th) > 0 {
		t.Errorf("over budget: %v", th)
	}
	for _, tc := range []struct {
		fam, path string
		window    time.Duration
	}{
		{"signIns", "/auditLogs/signIns", 10 * time.Second},
		{"conditionalAccess", "/identity/conditionalAccess/policies", time.Second},
	} {
		fam, window := tc.fam, time.Duration(float64(tc.window)*scale)
		// The first request to the faulted path got the 429; its retry is
		// the next request for the same URL (other reads of the family may
		// have been sent before the 429 came back).
		var arrivals []fakeserver.Arrival
		for _, a := range srv.BudgetArrivals(fam) {
			if strings.Contains(a.Request, tc.path) {
				arrivals = append(arrivals, a)
			}
		}
		if len(arrivals) < 2 {
			t.Fatalf("%s: %d requests", tc.path, len(arrivals))
		}
		first, retried := arrivals[0], false
		for _, a := range arrivals[1:] {
			if a.Request == first.Request {
				retried = true
				if gap := a.At.Sub(first.At); gap < window {
					t.Errorf("%s: retried %s after a 429 without Retry-After, want at least the window %s", fam, gap, window)
				}
				break
			}
		}
		if !retried {
			t.Errorf("%s: %s was not retried", fam, first.Request)
		}
	}
}

// signInActivity is read for the declared accounts only, in one request
// (`id in (...)`); a 429 or 403 on it fails that data set alone: the users
// are read without it and stay ok, and the sign-in rules still judge from
// the sign-in log.
func TestSignInActivityRefusalLeavesUsersOK(t *testing.T) {
	for _, tc := range []struct {
		status int
		code   string
		want   string
	}{
		{429, "TooManyRequests", "throttled"},
		{403, "Authorization_RequestDenied", "forbidden"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			srv := newServer(t)
			srv.AddFault(&fakeserver.Fault{Path: "/users", Query: "signInActivity", Status: tc.status, Code: tc.code, RetryAfter: "0"})
			r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
			r.requireStatus(t, map[string]string{snapshot.SignInActivity: tc.want})
			if msg := r.message(snapshot.SignInActivity); !strings.Contains(msg, "users stays ok") {
				t.Errorf("signInActivity message = %q", msg)
			}
			if n := len(r.items(snapshot.Users)); n < 6 {
				t.Errorf("users: %d items", n)
			}
			got := verdicts(scan(t, r))
			for _, rule := range []string{"BG-MON-004", "BG-PROC-002"} {
				for v, res := range got {
					if v.rule == rule && res.Status == "error" {
						t.Errorf("%s on %s: error (%s); it needs users and signIns, which are complete", rule, v.resource, res.Message)
					}
				}
			}
		})
	}
}

func TestSignInActivityOnlyForDeclaredAccountsInOneRequest(t *testing.T) {
	srv := newServer(t)
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	if got := r.ids(snapshot.SignInActivity); !equal(slices.Sorted(slices.Values(got)), []string{bg1, bg2}) {
		t.Errorf("signInActivity for %v, want the declared accounts", got)
	}
	var sia []string
	for _, req := range srv.Requests() {
		if strings.Contains(strings.ToLower(req), "signinactivity") {
			sia = append(sia, req)
		}
	}
	if len(sia) != 1 || !strings.Contains(sia[0], "id in (") {
		t.Errorf("signInActivity requests: %v, want one `id in (...)` list", sia)
	}
	if n := r.doc.Metadata.Collection.Requests[snapshot.SignInActivity]; n != 1 {
		t.Errorf("signInActivity counted %d requests", n)
	}

	// Discovery mode: no declared account, no signInActivity request.
	srv = newServer(t)
	r = collect(t, srv, loadConfig(t, srv, "discovery.yaml"), nil)
	for _, req := range srv.Requests() {
		if strings.Contains(strings.ToLower(req), "signinactivity") {
			t.Errorf("discovery mode read signInActivity: %s", req)
		}
	}
	if st := r.status(snapshot.SignInActivity); st != "ok" {
		t.Errorf("signInActivity: %s", st)
	}
}

// Candidate search finds what Graph can find: display-name tokens with
// $search, UPN/mail/alias prefixes with startswith; and, as documented, not
// a word in the middle of a UPN or glued inside a lower-case display name.
func TestNameSearchFindsUPNOnlyAndDisplayNameOnlyMatches(t *testing.T) {
	tenant, err := fakeserver.Load(filepath.Join(fixtures, "tenant.json"))
	if err != nil {
		t.Fatal(err)
	}
	const (
		upnOnly    = "aaaaaaaa-0000-4000-8000-0000000000a1" // breakglass01@contoso.com, "Service Account"
		nameOnly   = "aaaaaaaa-0000-4000-8000-0000000000a2" // spare@contoso.com, "Spare BreakGlass"
		symbolName = "aaaaaaaa-0000-4000-8000-0000000000a3" // ops@contoso.com, "ops-breakglass"
		midUPN     = "aaaaaaaa-0000-4000-8000-0000000000a4" // admin.breakglass@contoso.com, "Ops Robot": not findable
		glued      = "aaaaaaaa-0000-4000-8000-0000000000a5" // robot@contoso.com, "adminbreakglass": not findable
	)
	for _, u := range []struct{ id, upn, name string }{
		{upnOnly, "breakglass01@contoso.com", "Service Account"},
		{nameOnly, "spare@contoso.com", "Spare BreakGlass"},
		{symbolName, "ops@contoso.com", "ops-breakglass"},
		{midUPN, "admin.breakglass@contoso.com", "Ops Robot"},
		{glued, "robot@contoso.com", "adminbreakglass"},
	} {
		tenant.Users = append(tenant.Users, fakeserver.Obj{"id": u.id, "userPrincipalName": u.upn, "displayName": u.name, "accountEnabled": true, "userType": "Member"})
	}
	srv := fakeserver.New(tenant, testToken)
	srv.PageSize = 2
	srv.EnforceBudgets(testBudgetScale)
	t.Cleanup(srv.Close)
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	r.requireStatus(t, nil)
	cands := r.ids(snapshot.Candidates)
	for _, id := range []string{upnOnly, nameOnly, symbolName, emerg} {
		if !slices.Contains(cands, id) {
			t.Errorf("candidate %s not found: candidates %v", id, cands)
		}
		if item := r.item(snapshot.Candidates, id); item != nil && fmt.Sprint(item["reasons"]) != "[named like a break-glass account]" {
			t.Errorf("%s reasons = %v", id, item["reasons"])
		}
	}
	for _, id := range []string{midUPN, glued, dave} {
		if slices.Contains(cands, id) {
			t.Errorf("%s is a candidate; Graph's search cannot find it (or, dave \"Breakfast Club\", the pattern does not match)", id)
		}
	}
}

// A hidden-membership administrative unit refuses its member list without
// Member.Read.Hidden; the message names that permission.
func TestHiddenMembershipAUNamesMemberReadHidden(t *testing.T) {
	tenant, err := fakeserver.Load(filepath.Join(fixtures, "tenant.json"))
	if err != nil {
		t.Fatal(err)
	}
	tenant.AdministrativeUnits[0]["visibility"] = "HiddenMembership"
	srv := fakeserver.New(tenant, testToken)
	srv.EnforceBudgets(testBudgetScale)
	t.Cleanup(srv.Close)
	srv.AddFault(&fakeserver.Fault{Path: "/directory/administrativeUnits/", Status: 403, Code: "Authorization_RequestDenied", Message: "Insufficient privileges to complete the operation."})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	r.requireStatus(t, map[string]string{snapshot.AdministrativeUnits: "forbidden"})
	if msg := r.message(snapshot.AdministrativeUnits); !strings.Contains(msg, "Member.Read.Hidden") {
		t.Errorf("administrativeUnits message = %q", msg)
	}
}
