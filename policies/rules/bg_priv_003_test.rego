package breakglass.rules.bg_priv_003_test

import data.breakglass.rules.bg_priv_003
import data.breakglass.test.fixtures as fx
import rego.v1

test_direct_passes if {
	rs := bg_priv_003.results with input as fx.doc
	fx.statuses(rs, fx.bg1) == {"pass"}
}

# bg-01 gets Global Administrator only through a nested role-assignable group.
test_via_group_fails if {
	d1 := fx.with_items(fx.doc, "roleAssignments", [fx.ra("ra-g", fx.gnest, fx.ga), fx.ra("ra2", fx.bg2, fx.ga)])
	d := fx.with_items(d1, "transitiveMemberOf", [{"id": fx.bg1, "memberOf": [fx.grp(fx.gex), fx.grp(fx.gnest)]}, {"id": fx.bg2, "memberOf": [fx.grp(fx.gex)]}])
	rs := bg_priv_003.results with input as d
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "Global Administrator through group")
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_direct_and_group_fails if {
	d1 := fx.with_items(fx.doc, "roleAssignments", [fx.ra("ra1", fx.bg1, fx.ga), fx.ra("ra-g", fx.gex, fx.secadm), fx.ra("ra2", fx.bg2, fx.ga)])
	rs := bg_priv_003.results with input as d1
	fx.statuses(rs, fx.bg1) == {"fail"}
	fx.statuses(rs, fx.bg2) == {"fail"}
}

test_no_role_not_applicable if {
	rs := bg_priv_003.results with input as fx.with_items(fx.doc, "roleAssignments", [fx.ra("ra2", fx.bg2, fx.ga)])
	fx.statuses(rs, fx.bg1) == {"not_applicable"}
}
