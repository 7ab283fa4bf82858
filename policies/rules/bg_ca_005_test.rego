package breakglass.rules.bg_ca_005_test

import data.breakglass.rules.bg_ca_005
import data.breakglass.test.fixtures as fx
import rego.v1

bg1m := fx.member_user(fx.bg1, "bg-01@contoso.onmicrosoft.com")

bg2m := fx.member_user(fx.bg2, "bg-02@contoso.onmicrosoft.com")

members(gid, ms) := {"id": gid, "members": ms, "owners": []}

test_only_declared_passes if {
	rs := bg_ca_005.results with input as fx.doc
	r := fx.only(rs, fx.gex)
	r.status == "pass"
	contains(r.message, "bg-01@contoso.onmicrosoft.com, bg-02@contoso.onmicrosoft.com")
}

test_smuggled_admin_fails if {
	rs := bg_ca_005.results with input as fx.with_items(fx.doc, "groupMembers", [members(fx.gex, [bg1m, bg2m, fx.member_user(fx.alice, "alice@contoso.com")])])
	r := fx.only(rs, fx.gex)
	r.status == "fail"
	contains(r.message, "user alice@contoso.com")
}

test_service_principal_fails if {
	sp := {"@odata.type": "#microsoft.graph.servicePrincipal", "id": "5e000000-0000-4000-8000-000000000001", "displayName": "automation"}
	rs := bg_ca_005.results with input as fx.with_items(fx.doc, "groupMembers", [members(fx.gex, [bg1m, sp])])
	r := fx.only(rs, fx.gex)
	r.status == "fail"
	contains(r.message, "servicePrincipal automation")
}

test_nested_group_resolved_passes if {
	gm := [members(fx.gex, [bg1m, fx.grp(fx.gnest)]), members(fx.gnest, [bg2m])]
	rs := bg_ca_005.results with input as fx.with_items(fx.doc, "groupMembers", gm)
	r := fx.only(rs, fx.gex)
	r.status == "pass"
	contains(r.message, "via nested group")
}

test_nested_group_smuggles_fails if {
	gm := [members(fx.gex, [bg1m, fx.grp(fx.gnest)]), members(fx.gnest, [bg2m, fx.member_user(fx.alice, "alice@contoso.com")])]
	rs := bg_ca_005.results with input as fx.with_items(fx.doc, "groupMembers", gm)
	r := fx.only(rs, fx.gex)
	r.status == "fail"
	contains(r.message, "alice@contoso.com (a11ce000-0000-4000-8000-0000000a0001) via nested group")
}

test_nested_group_unresolved_fails if {
	rs := bg_ca_005.results with input as fx.with_items(fx.doc, "groupMembers", [members(fx.gex, [bg1m, fx.grp(fx.gnest)])])
	r := fx.only(rs, fx.gex)
	r.status == "fail"
	contains(r.message, "were not collected")
}

test_cyclic_nesting_terminates if {
	gm := [members(fx.gex, [bg1m, fx.grp(fx.gnest)]), members(fx.gnest, [bg2m, fx.grp(fx.gex)])]
	rs := bg_ca_005.results with input as fx.with_items(fx.doc, "groupMembers", gm)
	fx.statuses(rs, fx.gex) == {"pass"}
}

test_group_not_collected_fails if {
	rs := bg_ca_005.results with input as fx.with_items(fx.doc, "groupMembers", [])
	r := fx.only(rs, fx.gex)
	r.status == "fail"
	contains(r.message, "was not collected")
}

test_empty_group_passes if {
	rs := bg_ca_005.results with input as fx.with_items(fx.doc, "groupMembers", [members(fx.gex, [])])
	r := fx.only(rs, fx.gex)
	r.status == "pass"
	contains(r.message, "(no members)")
}
