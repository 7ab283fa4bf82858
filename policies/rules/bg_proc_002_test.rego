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

# A drill on 2026-11-02 at 21:40 in New York signs in at 02:40Z on 11-03 (EST).
ny_drill := fx.with_items(fx.doc, "signIns", [
	fx.signin("s1", fx.bg1, upn1, "2026-11-03T02:40:00Z"),
	fx.signin("s2", fx.bg2, "bg-02@contoso.onmicrosoft.com", "2026-11-02T10:30:00Z"),
])

# Before the fix the drill was unconfirmed: the sign-in's UTC date is the
# next day (still so without timeZone).
test_evening_drill_without_time_zone_unconfirmed if {
	r := fx.only(scan(ny_drill), fx.bg1)
	r.status == "fail"
	contains(r.message, "no sign-in of the account that day")
}

# Fix: with timeZone the sign-in's local date confirms the drill.
test_evening_drill_in_time_zone_confirmed if {
	r := fx.only(scan(fx.with_config(ny_drill, {"timeZone": "America/New_York"})), fx.bg1)
	r.status == "pass"
	contains(r.message, "confirmed by sign-in 2026-11-02 21:40 America/New_York")
}

# Ages count calendar days in the zone: at 2026-11-20T03:00Z it is still
# 11-19 in New York, so a 2026-08-21 drill is 90 days old there (recent,
# older than the sign-in window: manual) and 91 days old in UTC (fail).
test_drill_age_in_local_days if {
	ds := [{"account": upn1, "date": "2026-08-21", "kind": "drill"}, {"account": fx.bg2, "date": "2026-11-02", "kind": "drill"}]
	early := time.parse_rfc3339_ns("2026-11-20T03:00:00Z")
	utc := bg_proc_002.results with input as drills(ds) with data.breakglass.lib.now_ns as early
	fx.statuses(utc, fx.bg1) == {"fail"}
	ny := bg_proc_002.results with input as fx.with_config(drills(ds), {"timeZone": "America/New_York"}) with data.breakglass.lib.now_ns as early
	fx.statuses(ny, fx.bg1) == {"manual"}
}

# One value per input: an account that signs in twice on a drill date
# (portal, then CLI) used to abort the scan with eval_conflict_error in
# confirmation(a, d).
test_two_sign_ins_on_drill_date_pass if {
	cli := object.union(fx.signin("s1b", fx.bg1, upn1, "2026-11-02T10:20:00Z"), {"appDisplayName": "Azure CLI"})
	rs := scan(fx.with_items(fx.doc, "signIns", array.concat(fx.items("signIns"), [cli])))
	r := fx.only(rs, fx.bg1)
	r.status == "pass"
	contains(r.message, "confirmed by sign-in 2026-11-02 10:00 via Azure Portal")
}

# A drill and an incident recorded on one date, with sign-ins of both
# outcomes that day: each is confirmed once.
test_drill_and_incident_on_one_date_pass if {
	failed := object.union(fx.signin("s1c", fx.bg1, upn1, "2026-11-02T09:00:00Z"), {"status": {"errorCode": 50126}})
	later := object.union(fx.signin("s1d", fx.bg1, upn1, "2026-11-02T11:00:00Z"), {"appDisplayName": "Microsoft Graph PowerShell"})
	d := fx.with_items(
		drills([
			{"account": upn1, "date": "2026-11-02", "kind": "drill", "reference": "CHG-1"},
			{"account": fx.bg1, "date": "2026-11-02", "kind": "incident", "reference": "INC-7"},
			{"account": fx.bg2, "date": "2026-11-02", "kind": "drill"},
		]),
		"signIns", array.concat(fx.items("signIns"), [failed, later]),
	)
	r := fx.only(scan(d), fx.bg1)
	r.status == "pass"
	contains(r.message, "drill 2026-11-02 (CHG-1) confirmed by sign-in 2026-11-02 10:00")
	contains(r.message, "incident 2026-11-02 (INC-7) confirmed by sign-in 2026-11-02 10:00")
}
