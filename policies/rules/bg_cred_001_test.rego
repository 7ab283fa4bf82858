package breakglass.rules.bg_cred_001_test

import data.breakglass.rules.bg_cred_001
import data.breakglass.test.fixtures as fx
import rego.v1

scan(d) := rs if {
	rs := bg_cred_001.results with input as d with data.breakglass.lib.now_ns as fx.now
}

with_password(ts) := fx.with_items(fx.doc, "users", [object.union(fx.items("users")[0], {"lastPasswordChangeDateTime": ts}), fx.items("users")[1]])

test_recent_password_passes if {
	rs := scan(fx.doc)
	r := fx.only(rs, fx.bg1)
	r.status == "pass"
	contains(r.message, "65 day(s) ago")
}

test_stale_password_fails if {
	rs := scan(with_password("2025-10-16T06:00:00Z"))
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "400 days ago")
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_exactly_max_age_passes if {
	rs := scan(with_password("2026-08-22T06:00:00Z"))
	fx.statuses(rs, fx.bg1) == {"pass"}
}

test_one_day_over_fails if {
	rs := scan(with_password("2026-08-21T06:00:00Z"))
	fx.statuses(rs, fx.bg1) == {"fail"}
}

test_custom_max_age if {
	rs := scan(fx.with_config(fx.doc, {"passwordMaxAgeDays": 30}))
	fx.statuses(rs, fx.bg1) == {"fail"}
}

test_unknown_change_time_error if {
	rs := scan(fx.with_items(fx.doc, "users", [object.remove(fx.items("users")[0], ["lastPasswordChangeDateTime"]), fx.items("users")[1]]))
	fx.statuses(rs, fx.bg1) == {"error"}
}
