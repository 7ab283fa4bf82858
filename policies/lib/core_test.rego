# One value per input: the lookup tables of the helper library hold one
# value per key whatever the items hold twice, and no pick depends on the
# order of the items.
package breakglass.lib.core_test

import data.breakglass.lib
import data.breakglass.lib.activity
import data.breakglass.lib.ca
import data.breakglass.lib.exclusion
import data.breakglass.lib.methods
import rego.v1

uid := "b9a1e001-0000-4000-8000-00000000b001"

ok(items) := {"status": "ok", "items": items}

doc(sets) := {"metadata": {"tenantId": "t"}, "config": {}, "dataSets": {name: ok(items) | some name, items in sets}}

test_index_by_one_value_per_key if {
	lib.index_by({["a", 2], ["a", 1], ["b", 3]}) == {"a": 1, "b": 3}
	lib.index_by([["a", 2], ["a", 1]]) == lib.index_by([["a", 1], ["a", 2]])
	lib.index_by(set()) == {}
}

test_users_listed_twice if {
	u1 := {"id": uid, "userPrincipalName": "bg-01@contoso.onmicrosoft.com", "accountEnabled": true}
	u2 := {"id": uid, "userPrincipalName": "BG-01@contoso.onmicrosoft.com", "accountEnabled": false}
	by_id := lib.users_by_id with input as doc({"users": [u1, u2]})
	count(by_id) == 1
	by_id == lib.users_by_id with input as doc({"users": [u2, u1]})
	by_upn := lib.users_by_upn with input as doc({"users": [u1, object.union(u2, {"id": "other"})]})
	count(by_upn) == 1
}

test_per_user_data_sets_listed_twice if {
	d := doc({
		"transitiveMemberOf": [{"id": uid, "memberOf": [{"id": "g1"}]}, {"id": uid, "memberOf": [{"id": "g2"}]}],
		"authenticationMethods": [{"id": uid, "methods": []}, {"id": uid, "methods": [{"@odata.type": "#microsoft.graph.fido2AuthenticationMethod", "id": "k"}]}],
		"signInActivity": [{"id": uid, "signInActivity": {}}, {"id": upper(uid), "signInActivity": {"lastSignInDateTime": "2026-11-01T00:00:00Z"}}],
		"groups": [{"id": "g1", "displayName": "a"}, {"id": "g1", "displayName": "b"}],
		"roleDefinitions": [{"id": "r", "templateId": "T1"}, {"id": "r", "templateId": "t2"}],
		"groupMembers": [{"id": "g1", "members": []}, {"id": "G1", "members": [{"id": uid}], "owners": [{"id": "o"}]}],
		"ownedObjects": [{"id": uid, "ownedObjects": []}, {"id": upper(uid), "ownedObjects": [{"id": "app"}]}],
		"authenticationStrengthPolicies": [{"id": "s", "allowedCombinations": ["fido2"]}, {"id": "s", "allowedCombinations": ["password"]}],
	})
	count(lib.member_of) == 1 with input as d
	count(lib.methods_of) == 1 with input as d
	count(activity.activity_by_id) == 1 with input as d
	count(lib.groups_by_id) == 1 with input as d
	count(lib.role_template) == 1 with input as d
	count(exclusion.members_by_group) == 1 with input as d
	count(exclusion.owners_by_group) == 1 with input as d
	count(lib.group_members_by_id) == 1 with input as d
	count(lib.owned_objects_by_id) == 1 with input as d
	count(ca.strengths_by_id) == 1 with input as d
}

test_policy_listed_twice_judged_once if {
	p := {"id": "p", "state": "enabled", "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]}}}
	d := doc({"conditionalAccessPolicies": [p, object.union(p, {"state": "disabled"})]})
	count(ca.policies) == 1 with input as d
}

test_method_configuration_pick_independent_of_order if {
	a := {"id": "Fido2", "state": "enabled"}
	b := {"id": "fido2", "state": "disabled"}
	c1 := methods.method_config("Fido2") with input as doc({"authenticationMethodsPolicy": [{"id": "p", "authenticationMethodConfigurations": [a, b]}]})
	c2 := methods.method_config("Fido2") with input as doc({"authenticationMethodsPolicy": [{"id": "p", "authenticationMethodConfigurations": [b, a]}]})
	c1 == c2
}

test_vault_and_subscription_picks_independent_of_order if {
	v1 := {"id": "/subscriptions/s/vaults/a", "name": "a", "properties": {"vaultUri": "https://kv.vault.azure.net/"}}
	v2 := {"id": "/subscriptions/s/vaults/b", "name": "b", "properties": {"vaultUri": "https://KV.vault.azure.net"}}
	r1 := lib.key_vault_resource("https://kv.vault.azure.net/secrets/x") with input as doc({"keyVaults": [v1, v2]})
	r2 := lib.key_vault_resource("https://kv.vault.azure.net/secrets/x") with input as doc({"keyVaults": [v2, v1]})
	r1 == r2
	s1 := {"subscriptionId": "s", "displayName": "One"}
	s2 := {"subscriptionId": "S", "displayName": "Two"}
	n1 := lib.subscription_resource("s") with input as doc({"subscriptions": [s2, s1]})
	n2 := lib.subscription_resource("s") with input as doc({"subscriptions": [s1, s2]})
	n1 == n2
}

test_account_by_ref_independent_of_order if {
	u := {"id": uid, "userPrincipalName": "bg-01@contoso.onmicrosoft.com"}
	decls1 := [{"userPrincipalName": "bg-01@contoso.onmicrosoft.com"}, {"id": uid}]
	decls2 := [{"id": uid}, {"userPrincipalName": "bg-01@contoso.onmicrosoft.com"}]
	a1 := lib.account_by_ref(uid) with input as object.union(doc({"users": [u]}), {"config": {"accounts": decls1}})
	a2 := lib.account_by_ref(uid) with input as object.union(doc({"users": [u]}), {"config": {"accounts": decls2}})
	a1 == a2
}

grant_policy(controls, op) := {"id": "p", "state": "enabled", "conditions": {"clientAppTypes": ["all"], "users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]}}, "grantControls": {"operator": op, "builtInControls": controls}}

# The verdict of a policy whose grant controls all fail names the same
# reasons whatever their order in builtInControls.
test_grant_message_independent_of_control_order if {
	f := {"id": uid, "groups": set(), "roles": set(), "external": set(), "methods": set(), "factors": set(), "fido2": set(), "certificate": false, "certificate_mfa": false, "phishing_resistant": false}
	ca.verdict(grant_policy(["block", "mfa"], "OR"), f) == ca.verdict(grant_policy(["mfa", "block"], "OR"), f)
	ca.verdict(grant_policy(["block", "mfa"], "AND"), f) == ca.verdict(grant_policy(["mfa", "block"], "AND"), f)
}
