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

# --- method attributes (fixed method ids) ------------------------------------

mobile_id := "3179e48a-750b-4051-897c-87b9720928f7"

email_id := "3ddfcfc8-9383-446f-83cc-3ab9be4be18f"

password_id := "28c10230-6103-485e-b985-444c60001490"

phone(number) := {"@odata.type": "#microsoft.graph.phoneAuthenticationMethod", "id": mobile_id, "phoneNumber": number, "phoneType": "mobile", "smsSignInState": "notAllowedByPolicy"}

email(address) := {"@odata.type": "#microsoft.graph.emailAuthenticationMethod", "id": email_id, "emailAddress": address}

password(created) := {"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": password_id, "password": null, "createdDateTime": created}

# with_bg1_methods gives bg-01 its FIDO2 key plus extra methods.
with_bg1_methods(d, extra) := fx.with_items(d, "authenticationMethods", [
	{"id": fx.bg1, "methods": array.concat([fx.fido("m-bg1-fido", fx.aag1)], extra)},
	fx.items("authenticationMethods")[1],
])

test_phone_number_swapped if {
	rs := drift(with_bg1_methods(base, [phone("+1 5550100")]), with_bg1_methods(fx.doc, [phone("+44 7700900999")]))
	keys(rs) == {[fx.bg1, sprintf("method:%s:phoneNumber", [mobile_id]), "fail"]}
	some r in rs
	contains(r.message, "before: +1 5550100; after: +44 7700900999")
}

test_sms_sign_in_enabled if {
	rs := drift(with_bg1_methods(base, [phone("+1 5550100")]), with_bg1_methods(fx.doc, [object.union(phone("+1 5550100"), {"smsSignInState": "ready"})]))
	keys(rs) == {[fx.bg1, sprintf("method:%s:smsSignInState", [mobile_id]), "fail"]}
}

test_email_changed if {
	rs := drift(with_bg1_methods(base, [email("secops@contoso.com")]), with_bg1_methods(fx.doc, [email("attacker@example.net")]))
	keys(rs) == {[fx.bg1, sprintf("method:%s:emailAddress", [email_id]), "fail"]}
	some r in rs
	contains(r.message, "before: secops@contoso.com; after: attacker@example.net")
}

test_password_reset_method_timestamp if {
	rs := drift(with_bg1_methods(base, [password("2026-09-15T08:00:00Z")]), with_bg1_methods(fx.doc, [password("2026-11-19T23:10:00Z")]))
	keys(rs) == {[fx.bg1, sprintf("method:%s:createdDateTime", [password_id]), "fail"]}
	some r in rs
	contains(r.message, "password was reset or changed")
	contains(r.message, "before: 2026-09-15T08:00:00Z; after: 2026-11-19T23:10:00Z")
}

test_password_reset_user_timestamp if {
	users := [object.union(fx.items("users")[0], {"lastPasswordChangeDateTime": "2026-11-19T23:10:00Z"}), fx.items("users")[1], fx.items("users")[2]]
	rs := drift(base, fx.with_items(fx.doc, "users", users))
	keys(rs) == {[fx.bg1, "account:lastPasswordChangeDateTime", "fail"]}
}

# a renamed key is the same credential; a field only one snapshot carries
# (older collector) is not compared.
test_method_label_and_missing_field_not_reported if {
	renamed := object.union(fx.fido("m-bg1-fido", fx.aag1), {"displayName": "renamed"})
	b := fx.with_items(base, "authenticationMethods", [
		{"id": fx.bg1, "methods": [fx.fido("m-bg1-fido", fx.aag1), object.remove(password("x"), ["createdDateTime"])]},
		fx.items("authenticationMethods")[1],
	])
	d := fx.with_items(fx.doc, "authenticationMethods", [
		{"id": fx.bg1, "methods": [renamed, password("2026-11-19T23:10:00Z")]},
		fx.items("authenticationMethods")[1],
	])
	keys(drift(b, d)) == {[fx.tenant, "", "pass"]}
}

test_method_unchanged_attributes_pass if {
	m := [phone("+1 5550100"), email("secops@contoso.com"), password("2026-09-15T08:00:00Z")]
	keys(drift(with_bg1_methods(base, m), with_bg1_methods(fx.doc, m))) == {[fx.tenant, "", "pass"]}
}

# --- roles through groups and group memberships ------------------------------

gpriv := "9e0c1a55-0000-4000-8000-0000000e0009"

with_groups(d) := fx.with_items(d, "groups", array.concat(fx.items("groups"), [{"id": gpriv, "displayName": "Tier0-Admins", "isAssignableToRole": true}]))

# bg-01 joined a role-assignable group that holds Security Administrator.
test_role_via_newly_joined_group if {
	b := with_groups(fx.with_items(base, "roleAssignments", array.concat(fx.items("roleAssignments"), [fx.ra("ra-g", gpriv, fx.secadm)])))
	d1 := with_groups(fx.with_items(fx.doc, "roleAssignments", array.concat(fx.items("roleAssignments"), [fx.ra("ra-g", gpriv, fx.secadm)])))
	d := fx.with_items(d1, "transitiveMemberOf", [
		{"id": fx.bg1, "memberOf": [fx.grp(fx.gex), object.union(fx.grp(gpriv), {"displayName": "Tier0-Admins"})]},
		fx.items("transitiveMemberOf")[1],
		fx.items("transitiveMemberOf")[2],
	])
	rs := drift(b, d)
	keys(rs) == {
		[fx.bg1, sprintf("role:active|%s|/|group:%s", [fx.secadm, gpriv]), "fail"],
		[fx.bg1, sprintf("memberOf:%s", [gpriv]), "fail"],
	}
	some r in rs
	r.key == sprintf("role:active|%s|/|group:%s", [fx.secadm, gpriv])
	contains(r.message, "after: active Security Administrator at scope / through group Tier0-Admins")
	some j in rs
	j.key == sprintf("memberOf:%s", [gpriv])
	contains(j.message, "joined group Tier0-Admins")
}

# the exclusion group both accounts are in was given a role.
test_role_via_group_that_gained_it if {
	rs := drift(base, fx.with_items(fx.doc, "roleAssignments", array.concat(fx.items("roleAssignments"), [fx.ra("ra-g", fx.gex, fx.secadm)])))
	keys(rs) == {
		[fx.bg1, sprintf("role:active|%s|/|group:%s", [fx.secadm, fx.gex]), "fail"],
		[fx.bg2, sprintf("role:active|%s|/|group:%s", [fx.secadm, fx.gex]), "fail"],
	}
}

test_eligibility_via_group_gained if {
	rs := drift(base, fx.with_items(fx.doc, "roleEligibilitySchedules", [fx.ra("e-g", fx.gex, fx.secadm)]))
	keys(rs) == {
		[fx.bg1, sprintf("role:eligible|%s|/|group:%s", [fx.secadm, fx.gex]), "fail"],
		[fx.bg2, sprintf("role:eligible|%s|/|group:%s", [fx.secadm, fx.gex]), "fail"],
	}
}

test_role_via_group_lost_on_leaving if {
	b := fx.with_items(base, "roleAssignments", array.concat(fx.items("roleAssignments"), [fx.ra("ra-g", fx.gex, fx.secadm)]))
	d1 := fx.with_items(fx.doc, "roleAssignments", array.concat(fx.items("roleAssignments"), [fx.ra("ra-g", fx.gex, fx.secadm)]))
	d := fx.with_items(d1, "transitiveMemberOf", [{"id": fx.bg1, "memberOf": []}, fx.items("transitiveMemberOf")[1], fx.items("transitiveMemberOf")[2]])
	rs := drift(b, d)
	keys(rs) == {
		[fx.bg1, sprintf("role:active|%s|/|group:%s", [fx.secadm, fx.gex]), "fail"],
		[fx.bg1, sprintf("memberOf:%s", [fx.gex]), "fail"],
	}
}

# a directory role in transitiveMemberOf is not a group membership.
test_directory_role_membership_not_a_group if {
	role_obj := {"@odata.type": "#microsoft.graph.directoryRole", "id": "d1r0", "displayName": "Global Administrator"}
	d := fx.with_items(fx.doc, "transitiveMemberOf", [{"id": fx.bg1, "memberOf": [fx.grp(fx.gex), role_obj]}, fx.items("transitiveMemberOf")[1], fx.items("transitiveMemberOf")[2]])
	keys(drift(base, d)) == {[fx.tenant, "", "pass"]}
}

test_memberships_unavailable_error if {
	b := object.union(base, {"dataSets": {"transitiveMemberOf": {"status": "error", "items": []}}})
	keys(drift(b, fx.doc)) == {
		[fx.tenant, "unavailable:role assignments", "error"],
		[fx.tenant, "unavailable:group memberships", "error"],
	}
}

# One value per input: a method, a member, a user or a membership listed
# twice with different content (pages read apart, ids in two cases) used
# to abort with "object keys must be unique" in the drift indexes.
test_method_listed_twice_in_baseline if {
	twice := object.union(fx.fido("m-bg1-fido", fx.aag1), {"displayName": "renamed"})
	methods := [{"id": fx.bg1, "methods": [fx.fido("m-bg1-fido", fx.aag1), twice]}, fx.items("authenticationMethods")[1]]
	rs := drift(fx.with_items(base, "authenticationMethods", methods), fx.doc)
	keys(rs) == {[fx.tenant, "", "pass"]}
}

test_member_listed_twice_in_two_cases if {
	gm := fx.items("groupMembers")[0]
	members := array.concat(gm.members, [fx.member_user(upper(fx.bg1), "BG-01@contoso.onmicrosoft.com")])
	rs := drift(fx.with_items(base, "groupMembers", [object.union(gm, {"members": members})]), fx.doc)
	keys(rs) == {[fx.tenant, "", "pass"]}
}

test_user_and_membership_listed_twice if {
	users := array.concat(fx.items("users"), [object.union(fx.user(upper(fx.bg1), "bg-01@contoso.onmicrosoft.com"), {"displayName": "other page"})])
	tm := array.concat(fx.items("transitiveMemberOf"), [{"id": upper(fx.bg1), "memberOf": []}])
	b := fx.with_items(fx.with_items(base, "users", users), "transitiveMemberOf", tm)
	rs := drift(b, fx.doc)
	every r in rs {
		not contains(r.message, "conflict")
	}
	count(rs) > 0
}

test_policy_listed_twice_in_current if {
	p := fx.items("conditionalAccessPolicies")[0]
	twice := object.union(p, {"displayName": "renamed"})
	rs := drift(base, fx.with_items(fx.doc, "conditionalAccessPolicies", [p, twice]))
	keys(rs) == {[fx.tenant, "", "pass"]}
}
