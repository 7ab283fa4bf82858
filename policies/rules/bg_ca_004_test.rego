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
	rs := bg_ca_004.results with input as fx.with_config(fx.doc, {"exclusionGroups": []})
	fx.statuses(rs, fx.tenant) == {"not_applicable"}
}
