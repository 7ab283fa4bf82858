package collector_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/breakglass-dev/breakglass/collector/fakeserver"
	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/policies/engine"
)

// scan writes the collected snapshot to disk, loads it the way
// `breakglass scan` does and evaluates the built-in rules.
func scan(t *testing.T, r result) []engine.Result {
	t.Helper()
	path := filepath.Join(t.TempDir(), "snap.json")
	if err := snapshot.WriteFile(path, r.bytes); err != nil {
		t.Fatal(err)
	}
	snap, err := snapshot.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	results, err := eng.Scan(context.Background(), engine.Input{Document: snap.Doc, Now: snap.CollectedAt})
	if err != nil {
		t.Fatal(err)
	}
	return results
}

type verdict struct{ rule, resource, subject string }

func verdicts(results []engine.Result) map[verdict]engine.Result {
	out := map[verdict]engine.Result{}
	for _, r := range results {
		v := verdict{r.RuleID, r.Resource.ID, ""}
		if r.Subject != nil {
			v.subject = r.Subject.ID
		}
		out[v] = r
	}
	return out
}

// TestCollectThenScan is the end-to-end check: collect the fake tenant,
// write the snapshot, scan it with the built-in rules and assert the
// findings the fixture was built to produce.
func TestCollectThenScan(t *testing.T) {
	srv := newServer(t)
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	got := verdicts(scan(t, r))
	const (
		tenant = "11111111-1111-4111-8111-111111111111"
		sub    = "/subscriptions/66666666-0000-4000-8000-000000000001"
		kv     = sub + "/resourcegroups/rg-bg/providers/microsoft.keyvault/vaults/kv-bg" // ARM ids are stored lower-case
		p1     = "c0000000-0000-4000-8000-000000000001"
		p3     = "c0000000-0000-4000-8000-000000000003"
		p4     = "c0000000-0000-4000-8000-000000000004"
	)
	want := map[verdict]string{
		{"BG-INV-001", tenant, ""}:                                "pass",
		{"BG-INV-003", bg1, ""}:                                   "pass",
		{"BG-INV-004", alice, ""}:                                 "fail", // GA holder in the exclusion group
		{"BG-ISO-001", bg1, ""}:                                   "pass",
		{"BG-ISO-001", bg2, ""}:                                   "fail", // synchronised from AD
		{"BG-ISO-004", bg2, ""}:                                   "fail", // licensed
		{"BG-AUTH-001", bg1, ""}:                                  "pass", // FIDO2 key
		{"BG-AUTH-002", bg2, ""}:                                  "fail", // phone method
		{"BG-AUTH-003", bg1, ""}:                                  "pass", // AAGUID allowed by the FIDO2 policy
		{"BG-PRIV-001", bg1, ""}:                                  "pass",
		{"BG-CA-001", tenant, ""}:                                 "pass",
		{"BG-CA-002", p1, bg1}:                                    "pass", // excluded through the group
		{"BG-CA-002", p4, bg1}:                                    "pass", // phishing-resistant strength met by FIDO2
		{"BG-CA-002", p4, bg2}:                                    "fail",
		{"BG-CA-003", p3, bg1}:                                    "fail", // report-only compliant-device policy
		{"BG-CA-004", exclGrp, ""}:                                "fail", // owned by alice: owners manage its members
		{"BG-CA-005", exclGrp, ""}:                                "fail", // alice smuggled into the exclusion group
		{"BG-CA-006", p1, "deadbeef-0000-4000-8000-00000000dead"}: "fail", // stale exclusion
		{"BG-MON-001", tenant, ""}:                                "pass",
		{"BG-MON-002", bg1, ""}:                                   "pass",
		{"BG-MON-002", bg2, ""}:                                   "fail",
		{"BG-MON-004", bg1, ""}:                                   "fail", // 2026-10-09 sign-in without a drill
		{"BG-CRED-003", bg1, ""}:                                  "pass",
		{"BG-CRED-003", bg2, ""}:                                  "fail", // newest version disabled
		{"BG-CRED-004", kv, ""}:                                   "pass",
		{"BG-PRIV-004", sub, ""}:                                  "pass",
		{"BG-PROC-002", bg1, ""}:                                  "pass", // drill confirmed by a sign-in

		// issue 13
		{"BG-PRIV-005", tenant, ""}: "pass",           // GA approval by frank or the PIM Approvers group
		{"BG-MON-005", bg1, ""}:     "pass",           // the drill's sign-in raised bg-signin-alert
		{"BG-INV-005", bg1, ""}:     "pass",           // the inactivity workflow excludes it
		{"BG-INV-005", bg2, ""}:     "fail",           // auto-applied review of All Staff
		{"BG-AUTH-006", bg1, ""}:    "not_applicable", // no certificate bound
		{"BG-AUTH-005", bg1, ""}:    "pass",           // the default passkey profile allows its key
	}
	for v, status := range want {
		res, ok := got[v]
		if !ok {
			t.Errorf("%s on %s %s: no result", v.rule, v.resource, v.subject)
			continue
		}
		if res.Status != status {
			t.Errorf("%s on %s %s: %s (%s), want %s", v.rule, v.resource, v.subject, res.Status, res.Message, status)
		}
	}
	for v, res := range got {
		if res.Status == "error" {
			t.Errorf("%s on %s: error with complete data: %s", v.rule, v.resource, res.Message)
		}
	}
}

// TestCollectThenScanMissingData: data sets the collector could not read
// turn into `error` results, never passes.
func TestCollectThenScanMissingData(t *testing.T) {
	srv := newServer(t)
	srv.Unlicensed = true
	srv.AddFault(&fakeserver.Fault{PathSuffix: "/authentication/methods", Status: 403, Code: "Authorization_RequestDenied", Message: "Insufficient privileges to complete the operation."})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	got := verdicts(scan(t, r))
	for _, v := range []verdict{{"BG-MON-004", bg1, ""}, {"BG-AUTH-001", bg1, ""}, {"BG-AUTH-002", bg2, ""}} {
		if res := got[v]; res.Status != "error" {
			t.Errorf("%s on %s: %s (%s), want error", v.rule, v.resource, res.Status, res.Message)
		}
	}
	if res := got[verdict{"BG-ISO-001", bg1, ""}]; res.Status != "pass" {
		t.Errorf("BG-ISO-001 needs only users, which are ok: %s", res.Status)
	}
}
