package breakglass.rules.bg_iso_004_test

import data.breakglass.rules.bg_iso_004
import data.breakglass.test.fixtures as fx
import rego.v1

test_unlicensed_passes if {
	rs := bg_iso_004.results with input as fx.doc
	fx.statuses(rs, fx.bg1) == {"pass"}
}

test_licensed_fails if {
	users := [object.union(fx.items("users")[0], {"assignedLicenses": [{"skuId": "06ebc4ee-1bb5-47dd-8120-11324bc54e06", "disabledPlans": []}]}), fx.items("users")[1]]
	rs := bg_iso_004.results with input as fx.with_items(fx.doc, "users", users)
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "06ebc4ee-1bb5-47dd-8120-11324bc54e06")
	fx.statuses(rs, fx.bg2) == {"pass"}
}
