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

# A drill on 2026-11-02 at 21:40 in New York signs in at 02:40Z on 11-03 (EST).
ny_drill := fx.with_items(fx.doc, "signIns", [
	fx.signin("s1", fx.bg1, upn1, "2026-11-03T02:40:00Z"),
	fx.signin("s2", fx.bg2, "bg-02@contoso.onmicrosoft.com", "2026-11-02T10:30:00Z"),
])

# Before the fix the UTC date 2026-11-03 was compared with the drill date,
# and this is what still happens without timeZone.
test_evening_drill_without_time_zone_fails if {
	r := fx.only(scan(ny_drill), fx.bg1)
	r.status == "fail"
	contains(r.message, "2026-11-03 02:40 via Azure Portal")
}

# Fix: with timeZone the sign-in's local date is compared.
test_evening_drill_in_time_zone_passes if {
	rs := scan(fx.with_config(ny_drill, {"timeZone": "America/New_York"}))
	fx.statuses(rs, fx.bg1) == {"pass"}
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_time_zone_renders_local_time if {
	sis := [fx.signin("s3", fx.bg1, upn1, "2026-11-12T23:17:42Z")]
	rs := scan(fx.with_config(fx.with_items(fx.doc, "signIns", sis), {"timeZone": "Europe/Amsterdam"}))
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "2026-11-13 00:17 Europe/Amsterdam via Azure Portal")
}

test_time_zone_applies_to_sign_in_activity if {
	act := [{"id": fx.bg1, "signInActivity": {"lastSignInDateTime": "2026-11-03T02:40:00Z"}}]
	d := fx.with_config(fx.with_items(fx.with_items(fx.doc, "signIns", []), "signInActivity", act), {"timeZone": "America/New_York"})
	fx.statuses(scan(d), fx.bg1) == {"pass"}
}
