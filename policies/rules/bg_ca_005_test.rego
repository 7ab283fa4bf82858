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

# Fix: a group that excludes declared accounts from Conditional Access but
# is not listed in exclusionGroups was never judged (before: no verdict).
test_unlisted_effective_group_fails if {
	rs := bg_ca_005.results with input as fx.with_config(fx.doc, {"exclusionGroups": []})
	r := fx.only(rs, fx.gex)
	r.status == "fail"
	contains(r.message, "is not listed in exclusionGroups, so its members and protection were not collected; add it")
	contains(r.message, "from c0000001-0000-4000-8000-00000000ca01")
	not fx.only(rs, fx.tenant)
}

test_unlisted_group_of_report_only_policy_fails if {
	other := "9e0c1a55-0000-4000-8000-0000000e0003"
	d0 := fx.with_items(fx.doc, "transitiveMemberOf", [
		{"id": fx.bg1, "memberOf": [fx.grp(fx.gex), fx.grp(other)]},
		{"id": fx.bg2, "memberOf": [fx.grp(fx.gex)]},
	])
	d := fx.with_items(d0, "conditionalAccessPolicies", array.concat(fx.items("conditionalAccessPolicies"), [fx.policy("p-ro", "enabledForReportingButNotEnforced", {"includeUsers": ["All"], "excludeGroups": [other]}, ["block"])]))
	rs := bg_ca_005.results with input as d
	r := fx.only(rs, other)
	r.status == "fail"
	contains(r.message, "it excludes bg-01@contoso.onmicrosoft.com from p-ro")
	fx.statuses(rs, fx.gex) == {"pass"}
}

test_group_excluding_nobody_declared_is_ignored if {
	other := "9e0c1a55-0000-4000-8000-0000000e0003"
	d := fx.with_items(fx.doc, "conditionalAccessPolicies", [fx.policy(fx.pol_mfa, "enabled", {"includeUsers": ["All"], "excludeGroups": [fx.gex, other]}, ["mfa"])])
	rs := bg_ca_005.results with input as d
	not fx.only(rs, other)
}

test_disabled_policy_group_is_ignored if {
	d0 := fx.with_config(fx.doc, {"exclusionGroups": []})
	d := fx.with_items(d0, "conditionalAccessPolicies", [fx.policy(fx.pol_mfa, "disabled", {"includeUsers": ["All"], "excludeGroups": [fx.gex]}, ["mfa"])])
	rs := bg_ca_005.results with input as d
	fx.statuses(rs, fx.tenant) == {"not_applicable"}
	not fx.only(rs, fx.gex)
}

# The engine's completeness check enumerates unlisted groups too, so a
# missing verdict for them is an `error`, never silence.
test_resources_cover_unlisted_groups if {
	rs := data.breakglass.lib.resources.exclusion_group with input as fx.with_config(fx.doc, {"exclusionGroups": []})
	rs == [{"resource": {"type": "group", "id": fx.gex, "name": "CA-BreakGlass-Exclude"}}]
}

# Two declared users sharing a UPN (differing in case) used to abort with
# conflicting values in lib.users_by_upn and exclusion.declared_groups.
test_declared_users_sharing_a_upn if {
	other := "b9a1e001-0000-4000-8000-00000000b0ff"
	users := array.concat(fx.items("users"), [fx.user(other, "BG-01@contoso.onmicrosoft.com")])
	tm := array.concat(fx.items("transitiveMemberOf"), [{"id": other, "memberOf": [fx.grp(fx.gnest)]}])
	d := fx.with_config(fx.with_items(fx.with_items(fx.doc, "users", users), "transitiveMemberOf", tm), {"accounts": [
		{"userPrincipalName": "bg-01@contoso.onmicrosoft.com"},
		{"id": other},
		{"userPrincipalName": "bg-02@contoso.onmicrosoft.com"},
	]})
	rs := bg_ca_005.results with input as d
	count(rs) > 0
}
