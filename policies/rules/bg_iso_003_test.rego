package breakglass.rules.bg_iso_003_test

import data.breakglass.rules.bg_iso_003
import data.breakglass.test.fixtures as fx
import rego.v1

test_member_passes if {
	rs := bg_iso_003.results with input as fx.doc
	fx.statuses(rs, fx.bg1) == {"pass"}
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_guest_fails if {
	users := [object.union(fx.user(fx.bg1, "bg-01_fabrikam.com#EXT#@contoso.onmicrosoft.com"), {"userType": "Guest"}), fx.items("users")[1]]
	d := fx.with_config(fx.with_items(fx.doc, "users", users), {"accounts": [{"id": fx.bg1}, {"id": fx.bg2}]})
	rs := bg_iso_003.results with input as d
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "B2B guest")
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_internal_guest_fails if {
	users := [object.union(fx.items("users")[0], {"userType": "Guest"}), fx.items("users")[1]]
	rs := bg_iso_003.results with input as fx.with_items(fx.doc, "users", users)
	fx.statuses(rs, fx.bg1) == {"fail"}
}

test_missing_account_not_applicable if {
	rs := bg_iso_003.results with input as fx.with_items(fx.doc, "users", [fx.items("users")[1]])
	fx.statuses(rs, "bg-01@contoso.onmicrosoft.com") == {"not_applicable"}
}
