package collector_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/breakglass-dev/breakglass/collector"
	"github.com/breakglass-dev/breakglass/collector/fakeserver"
	"github.com/breakglass-dev/breakglass/collector/snapshot"
)

const pimGAGroup = "22222222-0000-4000-8000-000000000003" // "PIM - Global Admins", holds Global Administrator; member erin

// requireDeclaredComplete checks that the declared accounts were still read
// in full (users, sign-ins, owned objects) whatever happened to candidates.
func requireDeclaredComplete(t *testing.T, r result) {
	t.Helper()
	users := r.ids(snapshot.Users)
	for _, id := range []string{bg1, bg2} {
		if !slices.Contains(users, id) {
			t.Errorf("declared account %s missing from users %v", id, users)
		}
	}
	for _, name := range []string{snapshot.Users, snapshot.SignIns, snapshot.ApplicationOwnership} {
		if st := r.status(name); st != "ok" {
			t.Errorf("%s: %s (%s), want ok", name, st, r.message(name))
		}
	}
	if got := r.ids(snapshot.ApplicationOwnership); !equal(got, []string{bg1, bg2}) {
		t.Errorf("ownedObjects = %v", got)
	}
}

// Members of a group that holds an allowed role are candidates: when they
// cannot be read, the candidates data set is not `ok` (BG-INV-004 must
// report error, not pass), while the declared accounts are still complete
// and the data sets their rules need stay `ok`.
func TestUnreadableRoleGroupMembersFailMemberships(t *testing.T) {
	srv := newServer(t)
	srv.AddFault(&fakeserver.Fault{Path: "/groups/" + pimGAGroup + "/members", Status: 403, Code: "Authorization_RequestDenied", Message: "Insufficient privileges to complete the operation."})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	r.requireStatus(t, map[string]string{snapshot.Candidates: "forbidden"})
	msg := r.message(snapshot.Candidates)
	for _, want := range []string{"role-holding group " + pimGAGroup, "BG-INV-004", "GroupMember.Read.All"} {
		if !strings.Contains(msg, want) {
			t.Errorf("candidates message %q lacks %q", msg, want)
		}
	}
	requireDeclaredComplete(t, r)
	if slices.Contains(r.ids(snapshot.Users), erin) {
		t.Error("erin (only reachable through the unreadable group) is in users")
	}

	got := verdicts(scan(t, r))
	for v, res := range got {
		if v.rule == "BG-INV-004" && res.Status != "error" {
			t.Errorf("BG-INV-004 on %s: %s (%s), want error", v.resource, res.Status, res.Message)
		}
	}
	if res := got[verdict{"BG-ISO-001", bg1, ""}]; res.Status != "pass" {
		t.Errorf("BG-ISO-001 needs only users, which are complete: %s (%s)", res.Status, res.Message)
	}
	if res := got[verdict{"BG-AUTH-001", bg1, ""}]; res.Status == "error" {
		t.Errorf("BG-AUTH-001 judges declared accounts, whose methods are complete: %s (%s)", res.Status, res.Message)
	}
}

// A failed or truncated name search leaves BG-INV-004 blind to users named
// like break-glass accounts: the candidates data set is then not `ok`.
func TestFailedNameSearchFailsMemberships(t *testing.T) {
	srv := newServer(t)
	srv.AddFault(&fakeserver.Fault{Path: "/users", Query: "$search", Status: 400, Code: "Request_UnsupportedQuery", Message: "Unsupported query."})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	r.requireStatus(t, map[string]string{snapshot.Candidates: "error"})
	if msg := r.message(snapshot.Candidates); !strings.Contains(msg, "name search") || !strings.Contains(msg, "Unsupported query") {
		t.Errorf("candidates message = %q", msg)
	}
	requireDeclaredComplete(t, r)
}

// More candidates than --max-candidates: the candidates data set is `error`
// naming the cap; declared accounts are read first and completely, and the
// data sets their rules need stay `ok`. At the cap exactly, everything is ok.
func TestCandidateCapFailsCoverageDataSets(t *testing.T) {
	// Undeclared candidates in the fixture: alice (Global Administrator),
	// carol (eligible), emerg (named like a break-glass account), erin
	// (member of a group that holds Global Administrator).
	srv := newServer(t)
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), func(o *collector.Options) { o.MaxCandidates = 4 })
	r.requireStatus(t, nil)

	srv = newServer(t)
	r = collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), func(o *collector.Options) { o.MaxCandidates = 3 })
	r.requireStatus(t, map[string]string{snapshot.Candidates: "error"})
	if msg := r.message(snapshot.Candidates); !strings.Contains(msg, "4 candidate users") || !strings.Contains(msg, "--max-candidates 3") {
		t.Errorf("candidates message = %q", msg)
	}
	requireDeclaredComplete(t, r)
	// Every candidate is still read as a user.
	users := r.ids(snapshot.Users)
	for _, id := range []string{alice, carol, emerg, erin} {
		if !slices.Contains(users, id) {
			t.Errorf("candidate %s missing from users %v", id, users)
		}
	}
	got := verdicts(scan(t, r))
	for v, res := range got {
		if v.rule == "BG-INV-004" && res.Status != "error" {
			t.Errorf("BG-INV-004 on %s: %s (%s), want error", v.resource, res.Status, res.Message)
		}
	}
}

// A role-holding group with more members than the cap is read only up to
// the cap: even if the candidates read so far fit, the rest are unknown.
func TestTruncatedRoleGroupFailsCoverageDataSets(t *testing.T) {
	tenant, err := fakeserver.Load(filepath.Join(fixtures, "tenant.json"))
	if err != nil {
		t.Fatal(err)
	}
	// 7 members; with --max-candidates 4 the collector reads 5, then stops
	// (bob, the last one, is never seen). Undeclared candidates seen:
	// alice, carol, emerg, erin = 4, within the cap.
	tenant.GroupMembers[pimGAGroup] = []string{erin, bg1, bg2, alice, carol, emerg, bob}
	srv := fakeserver.New(tenant, testToken)
	srv.PageSize = 2
	t.Cleanup(srv.Close)
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), func(o *collector.Options) { o.MaxCandidates = 4 })
	r.requireStatus(t, map[string]string{snapshot.Candidates: "error"})
	if msg := r.message(snapshot.Candidates); !strings.Contains(msg, "more than 4 candidate users") {
		t.Errorf("candidates message = %q", msg)
	}
	requireDeclaredComplete(t, r)
}

// The candidates data set names every undeclared candidate and why it was
// picked, so an auditor sees what BG-INV-004 judged.
func TestCandidatesAreRecordedWithReasons(t *testing.T) {
	srv := newServer(t)
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	if got, want := r.ids(snapshot.Candidates), []string{alice, emerg, carol, erin}; !equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
		t.Fatalf("candidates = %v, want %v", got, want)
	}
	reasons := r.item(snapshot.Candidates, erin)["reasons"].([]any)
	if len(reasons) != 1 || !strings.Contains(reasons[0].(string), pimGAGroup) {
		t.Errorf("erin's reasons = %v", reasons)
	}
}

// signIns records which accounts it was queried for: an account with no
// sign-ins has no items, and only `subjects` tells that apart from "not
// collected".
func TestSignInsRecordTheirSubjects(t *testing.T) {
	srv := newServer(t)
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	raw, ok := r.sets[snapshot.SignIns].(map[string]any)["subjects"].([]any)
	if !ok || len(raw) != 2 || raw[0] != bg1 || raw[1] != bg2 {
		t.Errorf("signIns subjects = %v, want the declared accounts", raw)
	}
}

// ARM items record which subscriptions' lists returned them: an assignment
// at a management group is listed (atScope) for the subscriptions below it.
func TestARMItemsRecordListedFor(t *testing.T) {
	srv := newServer(t)
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	items := r.items(snapshot.ARMRoleAssignments)
	if len(items) == 0 {
		t.Fatal("no ARM role assignments collected")
	}
	for _, it := range items {
		subs, ok := it["listedFor"].([]any)
		if !ok || len(subs) == 0 {
			t.Errorf("%v has no listedFor", it["id"])
		}
	}
}
