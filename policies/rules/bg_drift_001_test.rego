package breakglass.rules.bg_drift_001_test

import data.breakglass.rules.bg_drift_001
import data.breakglass.test.fixtures as fx
import rego.v1

# drift compares the fixture (current) with a baseline derived from it.
drift(base, current) := rs if {
	rs := bg_drift_001.results with input as object.union(current, {"baseline": base})
}

base := object.remove(fx.doc, ["config"])

keys(rs) := {[r.resource.id, object.get(r, "key", ""), r.status] | some r in rs}

test_no_baseline_not_applicable if {
	rs := bg_drift_001.results with input as fx.doc
	r := fx.only(rs, fx.tenant)
	r.status == "not_applicable"
	contains(r.message, "no --baseline given")
}

test_identical_passes if {
	rs := drift(base, fx.doc)
	keys(rs) == {[fx.tenant, "", "pass"]}
}

test_method_added if {
	methods := [{"id": fx.bg1, "methods": [fx.fido("m-bg1-fido", fx.aag1), {"@odata.type": "#microsoft.graph.phoneAuthenticationMethod", "id": "p1", "phoneType": "mobile"}]}, fx.items("authenticationMethods")[1]]
	rs := drift(base, fx.with_items(fx.doc, "authenticationMethods", methods))
	keys(rs) == {[fx.bg1, "method:p1", "fail"]}
	some r in rs
	contains(r.message, "before: not registered; after: phoneAuthenticationMethod")
}

test_method_removed if {
	rs := drift(base, fx.with_items(fx.doc, "authenticationMethods", [fx.items("authenticationMethods")[1]]))
	keys(rs) == {[fx.bg1, "method:m-bg1-fido", "fail"]}
}

test_role_added_and_eligible if {
	d1 := fx.with_items(fx.doc, "roleAssignments", array.concat(fx.items("roleAssignments"), [fx.ra("ra9", fx.bg2, fx.secadm)]))
	d := fx.with_items(d1, "roleEligibilitySchedules", [fx.ra("e1", fx.bg1, fx.secadm)])
	rs := drift(base, d)
	keys(rs) == {
		[fx.bg2, sprintf("role:active|%s|/", [fx.secadm]), "fail"],
		[fx.bg1, sprintf("role:eligible|%s|/", [fx.secadm]), "fail"],
	}
	some r in rs
	contains(r.message, "after: active Security Administrator at scope /")
}

test_role_removed if {
	rs := drift(base, fx.with_items(fx.doc, "roleAssignments", [fx.ra("ra1", fx.bg1, fx.ga), fx.ra("ra3", fx.alice, fx.ga)]))
	keys(rs) == {[fx.bg2, sprintf("role:active|%s|/", [fx.ga]), "fail"]}
}

test_non_declared_role_change_ignored if {
	rs := drift(base, fx.with_items(fx.doc, "roleAssignments", [fx.ra("ra1", fx.bg1, fx.ga), fx.ra("ra2", fx.bg2, fx.ga)]))
	keys(rs) == {[fx.tenant, "", "pass"]}
}

test_exclusion_added_and_removed if {
	p := fx.policy(fx.pol_mfa, "enabled", {"includeUsers": ["All"], "excludeUsers": [fx.alice]}, ["mfa"])
	rs := drift(base, fx.with_items(fx.doc, "conditionalAccessPolicies", [p]))
	keys(rs) == {
		[fx.pol_mfa, sprintf("exclusion:excludeUsers|%s", [fx.alice]), "fail"],
		[fx.pol_mfa, sprintf("exclusion:excludeGroups|%s", [fx.gex]), "fail"],
	}
}

test_new_policy_exclusions_reported if {
	p := fx.policy("p-new", "disabled", {"includeUsers": ["All"], "excludeGroups": [fx.gex]}, ["block"])
	rs := drift(base, fx.with_items(fx.doc, "conditionalAccessPolicies", array.concat(fx.items("conditionalAccessPolicies"), [p])))
	keys(rs) == {["p-new", sprintf("exclusion:excludeGroups|%s", [fx.gex]), "fail"]}
	some r in rs
	contains(r.message, "policy created since the baseline")
}

test_group_member_added if {
	gm := [{"id": fx.gex, "members": array.concat(fx.items("groupMembers")[0].members, [fx.member_user(fx.alice, "alice@contoso.com")]), "owners": []}]
	rs := drift(base, fx.with_items(fx.doc, "groupMembers", gm))
	keys(rs) == {[fx.gex, sprintf("member:%s", [fx.alice]), "fail"]}
	some r in rs
	contains(r.message, "after: user alice@contoso.com")
}

# bg-01 was deleted and re-created under the same UPN: new object id.
test_account_recreated if {
	new_id := "b9a1e001-0000-4000-8000-00000000b0ff"
	users := [fx.user(new_id, "bg-01@contoso.onmicrosoft.com"), fx.items("users")[1], fx.items("users")[2]]
	d1 := fx.with_items(fx.doc, "users", users)
	d2 := fx.with_items(d1, "authenticationMethods", [{"id": new_id, "methods": []}, fx.items("authenticationMethods")[1]])
	d := fx.with_items(d2, "roleAssignments", [fx.ra("ra1", new_id, fx.ga), fx.ra("ra2", fx.bg2, fx.ga)])
	rs := drift(base, d)
	[new_id, "account", "fail"] in keys(rs)
	[fx.bg1, "account", "fail"] in keys(rs)
	[fx.bg1, "method:m-bg1-fido", "fail"] in keys(rs)
	some r in rs
	r.resource.id == new_id
	r.key == "account"
	contains(r.message, "deleted and re-created?")
}

test_account_disabled if {
	users := [object.union(fx.items("users")[0], {"accountEnabled": false}), fx.items("users")[1]]
	rs := drift(base, fx.with_items(fx.doc, "users", users))
	some r in rs
	r.key == "account:accountEnabled"
	contains(r.message, "before: true; after: false")
}

test_account_undeclared_in_baseline_config if {
	b := object.union(base, {"config": {"accounts": [{"userPrincipalName": "bg-01@contoso.onmicrosoft.com"}]}})
	rs := drift(b, fx.doc)
	keys(rs) == {[fx.bg2, "account", "fail"]}
}

test_unavailable_data_set_error if {
	b := object.union(base, {"dataSets": {"groupMembers": {"status": "forbidden", "items": []}}})
	rs := drift(b, fx.doc)
	keys(rs) == {[fx.tenant, "unavailable:exclusion-group members", "error"]}
}

test_other_tenant_error if {
	b := object.union(base, {"metadata": {"tenantId": "00000000-0000-0000-0000-000000000001"}})
	rs := drift(b, fx.doc)
	keys(rs) == {[fx.tenant, "", "error"]}
}
