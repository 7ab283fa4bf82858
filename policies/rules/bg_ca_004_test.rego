package breakglass.rules.bg_ca_004_test

import data.breakglass.rules.bg_ca_004
import data.breakglass.test.fixtures as fx
import rego.v1

group(patch) := object.union({"id": fx.gex, "displayName": "CA-BreakGlass-Exclude", "isAssignableToRole": false, "groupTypes": [], "membershipRule": null}, patch)

test_role_assignable_passes if {
	rs := bg_ca_004.results with input as fx.doc
	r := fx.only(rs, fx.gex)
	r.status == "pass"
	contains(r.message, "role-assignable")
}

test_unprotected_fails if {
	rs := bg_ca_004.results with input as fx.with_items(fx.doc, "groups", [group({})])
	r := fx.only(rs, fx.gex)
	r.status == "fail"
	contains(r.message, "neither role-assignable")
}

test_restricted_admin_unit_passes if {
	d := fx.with_items(fx.with_items(fx.doc, "groups", [group({})]), "administrativeUnits", [{"id": "au1", "displayName": "AU-BreakGlass", "isMemberManagementRestricted": true, "members": [fx.grp(fx.gex)]}])
	rs := bg_ca_004.results with input as d
	r := fx.only(rs, fx.gex)
	r.status == "pass"
	contains(r.message, "AU-BreakGlass")
}

test_unrestricted_admin_unit_fails if {
	d := fx.with_items(fx.with_items(fx.doc, "groups", [group({})]), "administrativeUnits", [{"id": "au1", "displayName": "AU-Open", "isMemberManagementRestricted": false, "members": [fx.grp(fx.gex)]}])
	rs := bg_ca_004.results with input as d
	fx.statuses(rs, fx.gex) == {"fail"}
}

test_dynamic_role_assignable_fails if {
	rs := bg_ca_004.results with input as fx.with_items(fx.doc, "groups", [group({"isAssignableToRole": true, "groupTypes": ["DynamicMembership"], "membershipRule": "user.department -eq \"IT\""})])
	r := fx.only(rs, fx.gex)
	r.status == "fail"
	contains(r.message, "dynamic membership")
	not contains(r.message, "neither")
}

test_membership_rule_only_fails if {
	rs := bg_ca_004.results with input as fx.with_items(fx.doc, "groups", [group({"isAssignableToRole": true, "membershipRule": "user.jobTitle -eq \"bg\""})])
	fx.statuses(rs, fx.gex) == {"fail"}
}

test_dynamic_and_unprotected_reports_both if {
	rs := bg_ca_004.results with input as fx.with_items(fx.doc, "groups", [group({"groupTypes": ["DynamicMembership"]})])
	r := fx.only(rs, fx.gex)
	contains(r.message, "dynamic membership")
	contains(r.message, "neither")
}

test_missing_group_fails if {
	rs := bg_ca_004.results with input as fx.with_items(fx.doc, "groups", [])
	r := fx.only(rs, fx.gex)
	r.status == "fail"
	contains(r.message, "not found")
}

test_no_exclusion_groups_not_applicable if {
	d := fx.with_items(fx.with_config(fx.doc, {"exclusionGroups": []}), "conditionalAccessPolicies", [fx.policy(fx.pol_mfa, "enabled", {"includeUsers": ["All"]}, ["mfa"])])
	rs := bg_ca_004.results with input as d
	fx.statuses(rs, fx.tenant) == {"not_applicable"}
}

member(id, upn) := fx.member_user(id, upn)

bg_members := [member(fx.bg1, "bg-01@contoso.onmicrosoft.com"), member(fx.bg2, "bg-02@contoso.onmicrosoft.com")]

owner := {"@odata.type": "#microsoft.graph.user", "id": fx.alice, "userPrincipalName": "alice@contoso.com"}

# Fix: owners manage a group's members whatever its protection. Before,
# this role-assignable group with an owner passed.
test_role_assignable_with_owner_fails if {
	d := fx.with_items(fx.doc, "groupMembers", [{"id": fx.gex, "members": bg_members, "owners": [owner]}])
	rs := bg_ca_004.results with input as d
	r := fx.only(rs, fx.gex)
	r.status == "fail"
	contains(r.message, "owned by alice@contoso.com (a11ce000-0000-4000-8000-0000000a0001): owners manage its members")
	not contains(r.message, "neither")
}

test_pass_says_no_owners if {
	r := fx.only(bg_ca_004.results, fx.gex) with input as fx.doc
	contains(r.message, "no owners")
}

test_members_not_collected_fails if {
	rs := bg_ca_004.results with input as fx.with_items(fx.doc, "groupMembers", [])
	r := fx.only(rs, fx.gex)
	r.status == "fail"
	contains(r.message, "owners and members were not collected")
}

au_group_doc(nested_props, extra_members) := d if {
	au := {"id": "au1", "displayName": "AU-BreakGlass", "isMemberManagementRestricted": true, "members": array.concat([fx.grp(fx.gex)], extra_members)}
	d0 := fx.with_items(fx.doc, "groups", array.concat([group({})], [object.union({"id": fx.gnest, "displayName": "Nested"}, p) | some p in nested_props]))
	d1 := fx.with_items(d0, "administrativeUnits", [au])
	d := fx.with_items(d1, "groupMembers", [
		{"id": fx.gex, "members": array.concat(bg_members, [fx.grp(fx.gnest)]), "owners": []},
		{"id": fx.gnest, "members": [], "owners": []},
	])
}

# Fix: an unprotected group nested in a restricted-AU exclusion group let
# anyone who manages it exempt accounts. Before, this passed.
test_unprotected_nested_group_fails if {
	rs := bg_ca_004.results with input as au_group_doc([{"isAssignableToRole": false, "groupTypes": []}], [])
	r := fx.only(rs, fx.gex)
	r.status == "fail"
	contains(r.message, "unprotected nested group(s)")
	contains(r.message, "Nested (9e0c1a55-0000-4000-8000-0000000e0002): neither role-assignable nor in a restricted-management administrative unit")
}

test_nested_group_properties_unknown_fails if {
	rs := bg_ca_004.results with input as au_group_doc([], [])
	r := fx.only(rs, fx.gex)
	r.status == "fail"
	contains(r.message, "its properties were not collected")
}

test_dynamic_nested_group_fails if {
	rs := bg_ca_004.results with input as au_group_doc([{"isAssignableToRole": true, "groupTypes": ["DynamicMembership"]}], [])
	r := fx.only(rs, fx.gex)
	r.status == "fail"
	contains(r.message, "dynamic membership (groupTypes contains DynamicMembership)")
}

test_nested_group_in_restricted_au_passes if {
	rs := bg_ca_004.results with input as au_group_doc([{"isAssignableToRole": false, "groupTypes": []}], [fx.grp(fx.gnest)])
	r := fx.only(rs, fx.gex)
	r.status == "pass"
	contains(r.message, "its nested group(s) Nested are protected too")
}

test_owned_nested_group_fails if {
	d0 := au_group_doc([{"isAssignableToRole": true, "groupTypes": []}], [])
	d := fx.with_items(d0, "groupMembers", [
		{"id": fx.gex, "members": array.concat(bg_members, [fx.grp(fx.gnest)]), "owners": []},
		{"id": fx.gnest, "members": [], "owners": [owner]},
	])
	r := fx.only(bg_ca_004.results, fx.gex) with input as d
	r.status == "fail"
	contains(r.message, "Nested (9e0c1a55-0000-4000-8000-0000000e0002): owned by alice@contoso.com")
}

# Fix: a group that excludes the accounts but is not listed in
# exclusionGroups was never judged. BG-CA-005 reports the finding; this
# rule reports that it cannot judge the protection.
test_unlisted_effective_group_is_error if {
	rs := bg_ca_004.results with input as fx.with_config(fx.doc, {"exclusionGroups": []})
	r := fx.only(rs, fx.gex)
	r.status == "error"
	contains(r.message, "not listed in exclusionGroups")
	contains(r.message, "bg-01@contoso.onmicrosoft.com, bg-02@contoso.onmicrosoft.com")
	not fx.only(rs, fx.tenant)
}

# A nested group whose owners and members were never read (beyond the
# collector's walk) cannot be called protected.
test_nested_group_owners_not_collected_fails if {
	d := au_group_doc([{"isAssignableToRole": true, "groupTypes": []}], [])
	d2 := fx.with_items(d, "groupMembers", [{"id": fx.gex, "members": array.concat(bg_members, [fx.grp(fx.gnest)]), "owners": []}])
	r := fx.only(bg_ca_004.results, fx.gex) with input as d2
	r.status == "fail"
	contains(r.message, "its owners and members were not collected")
}
