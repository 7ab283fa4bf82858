package breakglass.rules.bg_proc_002_test

import data.breakglass.rules.bg_proc_002
import data.breakglass.test.fixtures as fx
import rego.v1

upn1 := "bg-01@contoso.onmicrosoft.com"

scan(d) := rs if {
	rs := bg_proc_002.results with input as d with data.breakglass.lib.now_ns as fx.now
}

drills(ds) := fx.with_config(fx.doc, {"drills": ds})

test_confirmed_drill_passes if {
	rs := scan(fx.doc)
	r := fx.only(rs, fx.bg1)
	r.status == "pass"
	contains(r.message, "drill 2026-11-02 (CHG-1) confirmed by sign-in 2026-11-02 10:00")
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_no_drill_fails if {
	rs := scan(drills([{"account": fx.bg2, "date": "2026-11-02", "kind": "drill"}]))
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "none is recorded")
}

test_old_drill_fails if {
	rs := scan(drills([{"account": upn1, "date": "2026-05-01", "kind": "drill"}, {"account": fx.bg2, "date": "2026-11-02", "kind": "drill"}]))
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "the newest recorded is 2026-05-01")
}

test_drill_without_sign_in_fails if {
	rs := scan(drills([{"account": upn1, "date": "2026-11-05", "kind": "drill"}, {"account": fx.bg2, "date": "2026-11-02", "kind": "drill"}]))
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "no sign-in of the account that day")
}

test_failed_sign_in_does_not_confirm if {
	failed := object.union(fx.signin("s1", fx.bg1, upn1, "2026-11-02T10:00:00Z"), {"status": {"errorCode": 53003}})
	rs := scan(fx.with_items(fx.doc, "signIns", [failed, fx.items("signIns")[1]]))
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "only failed sign-ins")
}

test_drill_outside_sign_in_window_manual if {
	rs := scan(drills([{"account": upn1, "date": "2026-09-30", "kind": "drill"}, {"account": fx.bg2, "date": "2026-11-02", "kind": "drill"}]))
	r := fx.only(rs, fx.bg1)
	r.status == "manual"
	contains(r.message, "sign-in window (30 days)")
}

test_sign_in_activity_confirms_old_drill if {
	d := fx.with_items(drills([{"account": upn1, "date": "2026-09-30", "kind": "drill"}, {"account": fx.bg2, "date": "2026-11-02", "kind": "drill"}]), "signInActivity", [{"id": fx.bg1, "signInActivity": {"lastSuccessfulSignInDateTime": "2026-09-30T12:00:00Z"}}])
	rs := scan(d)
	fx.statuses(rs, fx.bg1) == {"pass"}
}

test_incident_counts if {
	rs := scan(drills([{"account": upn1, "date": "2026-11-02", "kind": "incident", "reference": "INC-9"}, {"account": fx.bg2, "date": "2026-11-02", "kind": "drill"}]))
	fx.statuses(rs, fx.bg1) == {"pass"}
}
