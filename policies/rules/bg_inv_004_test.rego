package breakglass.rules.bg_inv_004_test

import data.breakglass.rules.bg_inv_004
import data.breakglass.test.fixtures as fx
import rego.v1

users := fx.items("users")

with_alice(patch) := fx.with_items(fx.doc, "users", [users[0], users[1], object.union(users[2], patch)])

with_policies(ps) := fx.with_items(fx.doc, "conditionalAccessPolicies", ps)

test_no_candidates_tenant_pass if {
	rs := bg_inv_004.results with input as fx.doc
	count(rs) == 1
	r := fx.only(rs, fx.tenant)
	r.status == "pass"
	contains(r.message, "1 other holder")
}

test_excluded_admin_is_candidate if {
	rs := bg_inv_004.results with input as with_policies([fx.policy(fx.pol_mfa, "enabled", {"includeUsers": ["All"], "excludeUsers": [fx.alice], "excludeGroups": [fx.gex]}, ["mfa"])])
	r := fx.only(rs, fx.alice)
	r.status == "fail"
	contains(r.message, "excluded from all 1 enabled Conditional Access policies")
	r.resource.type == "user"
	not fx.only(rs, fx.tenant)
}

test_excluded_from_one_of_two_is_not_candidate if {
	rs := bg_inv_004.results with input as with_policies([
		fx.policy(fx.pol_mfa, "enabled", {"includeUsers": ["All"], "excludeUsers": [fx.alice]}, ["mfa"]),
		fx.policy("p2", "enabled", {"includeRoles": [fx.ga]}, ["mfa"]),
	])
	fx.statuses(rs, fx.tenant) == {"pass"}
}

test_excluded_by_role_is_candidate if {
	rs := bg_inv_004.results with input as with_policies([fx.policy(fx.pol_mfa, "enabled", {"includeUsers": ["All"], "excludeRoles": [fx.ga]}, ["mfa"])])
	fx.statuses(rs, fx.alice) == {"fail"}
}

test_report_only_and_disabled_policies_ignored if {
	rs := bg_inv_004.results with input as with_policies([
		fx.policy("p-ro", "enabledForReportingButNotEnforced", {"includeUsers": ["All"], "excludeUsers": [fx.alice]}, ["mfa"]),
		fx.policy("p-off", "disabled", {"includeUsers": ["All"], "excludeUsers": [fx.alice]}, ["mfa"]),
	])
	fx.statuses(rs, fx.tenant) == {"pass"}
}

test_no_policy_targets_is_not_candidate if {
	rs := bg_inv_004.results with input as with_policies([])
	fx.statuses(rs, fx.tenant) == {"pass"}
}

test_exclusion_group_member_is_candidate if {
	d := fx.with_items(fx.doc, "transitiveMemberOf", [
		{"id": fx.bg1, "memberOf": [fx.grp(fx.gex)]},
		{"id": fx.bg2, "memberOf": [fx.grp(fx.gex)]},
		{"id": fx.alice, "memberOf": [fx.grp(fx.gnest), fx.grp(fx.gex)]},
	])
	rs := bg_inv_004.results with input as d
	r := fx.only(rs, fx.alice)
	contains(r.message, "member of exclusion group")
	contains(r.message, "excluded from all 1")
}

test_name_match_is_candidate if {
	rs := bg_inv_004.results with input as with_alice({"displayName": "Emergency Admin"})
	r := fx.only(rs, fx.alice)
	contains(r.message, "named like a break-glass account")
}

test_name_match_without_allowed_role_not_candidate if {
	d := fx.with_items(with_alice({"userPrincipalName": "breakglass3@contoso.com"}), "roleAssignments", [fx.ra("ra1", fx.bg1, fx.ga), fx.ra("ra2", fx.bg2, fx.ga), fx.ra("ra3", fx.alice, fx.secadm)])
	rs := bg_inv_004.results with input as d
	fx.statuses(rs, fx.tenant) == {"pass"}
}

test_declared_accounts_never_candidates if {
	rs := bg_inv_004.results with input as with_alice({"displayName": "break glass 03"})
	not fx.only(rs, fx.bg1)
	not fx.only(rs, fx.bg2)
}

test_discovery_mode_reports_all if {
	rs := bg_inv_004.results with input as fx.with_config(fx.doc, {"accounts": []})
	{r.resource.id | some r in rs} == {fx.bg1, fx.bg2}
}

bob := "b0b00000-0000-4000-8000-0000000b0b01"

gpim := "9e0c1a55-0000-4000-8000-0000000e0009"

es(id, principal, role, scope) := {"id": id, "principalId": principal, "roleDefinitionId": role, "directoryScopeId": scope}

# bob holds Global Administrator only as PIM-eligible and is excluded from
# the only enabled policy.
with_bob(eligibility, member_of) := d if {
	d0 := fx.with_items(fx.doc, "users", array.concat(users, [fx.user(bob, "bob@contoso.com")]))
	d1 := fx.with_items(d0, "roleEligibilitySchedules", eligibility)
	d2 := fx.with_items(d1, "transitiveMemberOf", array.concat(fx.items("transitiveMemberOf"), [{"id": bob, "memberOf": member_of}]))
	d := fx.with_items(d2, "conditionalAccessPolicies", [fx.policy(fx.pol_mfa, "enabled", {"includeUsers": ["All"], "excludeUsers": [bob], "excludeGroups": [fx.gex]}, ["mfa"])])
}

# Fix: eligible (PIM) holders of an allowed role are candidates too.
# Before, only active roles counted and bob was never judged.
test_eligible_admin_is_candidate if {
	rs := bg_inv_004.results with input as with_bob([es("e1", bob, fx.ga, "/")], [])
	r := fx.only(rs, bob)
	r.status == "fail"
	contains(r.message, "bob@contoso.com holds Global Administrator (eligible),")
	contains(r.message, "excluded from all 1 enabled Conditional Access policies")
}

test_eligible_through_group_is_candidate if {
	rs := bg_inv_004.results with input as with_bob([es("e1", gpim, fx.ga, "/")], [fx.grp(gpim)])
	fx.statuses(rs, bob) == {"fail"}
}

test_eligible_at_unit_scope_not_candidate if {
	rs := bg_inv_004.results with input as with_bob([es("e1", bob, fx.ga, "/administrativeUnits/au1")], [])
	not fx.only(rs, bob)
	fx.statuses(rs, fx.tenant) == {"pass"}
}

test_eligible_other_role_not_candidate if {
	rs := bg_inv_004.results with input as with_bob([es("e1", bob, fx.secadm, "/")], [])
	not fx.only(rs, bob)
}

test_active_and_eligible_marks_active_only if {
	d0 := with_policies([fx.policy(fx.pol_mfa, "enabled", {"includeUsers": ["All"], "excludeUsers": [fx.alice], "excludeGroups": [fx.gex]}, ["mfa"])])
	d := fx.with_items(d0, "roleEligibilitySchedules", [es("e1", fx.alice, fx.ga, "/")])
	r := fx.only(bg_inv_004.results, fx.alice) with input as d
	contains(r.message, "holds Global Administrator,")
	not contains(r.message, "(eligible)")
}

# A user listed twice (ids in two cases, a second page) is one candidate.
test_user_listed_twice_one_candidate if {
	alice := object.union(users[2], {"displayName": "Break Glass Alice"})
	twice := object.union(alice, {"id": upper(fx.alice), "accountEnabled": false})
	rs := bg_inv_004.results with input as fx.with_items(fx.doc, "users", [users[0], users[1], alice, twice])
	count([r | some r in rs; lower(r.resource.id) == fx.alice]) == 1
}
