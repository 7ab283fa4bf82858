package breakglass.rules.bg_mon_004_test

import data.breakglass.rules.bg_mon_004
import data.breakglass.test.fixtures as fx
import rego.v1

upn1 := "bg-01@contoso.onmicrosoft.com"

scan(d) := rs if {
	rs := bg_mon_004.results with input as d with data.breakglass.lib.now_ns as fx.now
}

test_drill_sign_ins_pass if {
	rs := scan(fx.doc)
	r := fx.only(rs, fx.bg1)
	r.status == "pass"
	contains(r.message, "2026-11-02")
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_unexplained_sign_in_fails if {
	sis := array.concat(fx.items("signIns"), [fx.signin("s3", fx.bg1, upn1, "2026-11-12T21:17:42Z")])
	rs := scan(fx.with_items(fx.doc, "signIns", sis))
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "2026-11-12 21:17 via Azure Portal from 203.0.113.10")
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_failed_sign_in_counts if {
	bad := object.union(fx.signin("s3", fx.bg1, upn1, "2026-11-12T21:17:42Z"), {"status": {"errorCode": 50126}})
	rs := scan(fx.with_items(fx.doc, "signIns", [bad]))
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "failed, error 50126")
}

test_sign_in_before_window_ignored if {
	rs := scan(fx.with_items(fx.doc, "signIns", [fx.signin("old", fx.bg1, upn1, "2026-10-01T09:00:00Z")]))
	r := fx.only(rs, fx.bg1)
	r.status == "pass"
	contains(r.message, "has not signed in")
}

test_matched_by_upn_only if {
	s := {"id": "s9", "userPrincipalName": "BG-01@contoso.onmicrosoft.com", "createdDateTime": "2026-11-15T08:00:00Z"}
	rs := scan(fx.with_items(fx.doc, "signIns", [s]))
	fx.statuses(rs, fx.bg1) == {"fail"}
}

test_incident_date_explains if {
	sis := [fx.signin("s3", fx.bg1, upn1, "2026-11-12T21:17:42Z")]
	d := fx.with_config(fx.with_items(fx.doc, "signIns", sis), {"drills": [{"account": upn1, "date": "2026-11-12", "kind": "incident", "reference": "INC-7"}]})
	rs := scan(d)
	fx.statuses(rs, fx.bg1) == {"pass"}
}

test_sign_in_activity_not_in_log_fails if {
	act := [{"id": fx.bg1, "signInActivity": {"lastNonInteractiveSignInDateTime": "2026-11-18T03:00:00Z", "lastSignInDateTime": "2026-11-02T10:00:00Z"}}]
	rs := scan(fx.with_items(fx.doc, "signInActivity", act))
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "lastNonInteractiveSignInDateTime")
}
