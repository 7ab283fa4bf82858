package breakglass.rules.bg_ca_002_test

import data.breakglass.rules.bg_ca_002
import data.breakglass.test.core_fixture as fx
import rego.v1

pid := fx.mfa_policy.id

pair(uid) := concat("/", [pid, uid])

test_excluded_accounts_pass if {
	fx.statuses(bg_ca_002.results) == {pair(fx.bg1): "pass", pair(fx.bg2): "pass"} with input as fx.input_doc
}

test_not_excluded_but_mfa_satisfiable_passes if {
	doc := fx.with_items(fx.input_doc, "transitiveMemberOf", [{"id": fx.bg1, "memberOf": []}, {"id": fx.bg2, "memberOf": []}])
	fx.statuses(bg_ca_002.results) == {pair(fx.bg1): "pass", pair(fx.bg2): "pass"} with input as doc
}

test_not_excluded_without_usable_key_fails if {
	doc := json.patch(fx.input_doc, [
		{"op": "replace", "path": "/dataSets/transitiveMemberOf/items/0/memberOf", "value": []},
		{"op": "replace", "path": "/dataSets/authenticationMethods/items/0/methods", "value": [fx.password]},
	])
	fx.statuses(bg_ca_002.results) == {pair(fx.bg1): "fail", pair(fx.bg2): "pass"} with input as doc
}

test_key_blocked_by_fido2_restrictions_fails if {
	doc := json.patch(fx.input_doc, [
		{"op": "replace", "path": "/dataSets/transitiveMemberOf/items/0/memberOf", "value": []},
		{"op": "replace", "path": "/dataSets/authenticationMethodsPolicy/items/0/authenticationMethodConfigurations/0/keyRestrictions/aaGuids", "value": ["ee882879-721c-4913-9775-3dfcce97072a"]},
	])
	fx.statuses(bg_ca_002.results)[pair(fx.bg1)] == "fail" with input as doc
}

test_block_policy_not_excluded_fails if {
	doc := json.patch(fx.input_doc, [
		{"op": "replace", "path": "/dataSets/conditionalAccessPolicies/items/0/grantControls/builtInControls", "value": ["block"]},
		{"op": "replace", "path": "/dataSets/conditionalAccessPolicies/items/0/conditions/users/excludeGroups", "value": []},
	])
	fx.statuses(bg_ca_002.results) == {pair(fx.bg1): "fail", pair(fx.bg2): "fail"} with input as doc
}

test_waived_policy_not_applicable if {
	doc := json.patch(fx.input_doc, [
		{"op": "replace", "path": "/dataSets/conditionalAccessPolicies/items/0/conditions/users/excludeGroups", "value": []},
		{"op": "replace", "path": "/dataSets/conditionalAccessPolicies/items/0/grantControls/builtInControls", "value": ["block"]},
		{"op": "add", "path": "/config/caAllowedPolicies", "value": [pid]},
	])
	fx.statuses(bg_ca_002.results) == {pair(fx.bg1): "not_applicable", pair(fx.bg2): "not_applicable"} with input as doc
}

test_report_only_and_disabled_policies_ignored if {
	doc := json.patch(fx.input_doc, [{"op": "replace", "path": "/dataSets/conditionalAccessPolicies/items/0/state", "value": "enabledForReportingButNotEnforced"}])
	count(bg_ca_002.results) == 0 with input as doc
	doc2 := json.patch(fx.input_doc, [{"op": "replace", "path": "/dataSets/conditionalAccessPolicies/items/0/state", "value": "disabled"}])
	count(bg_ca_002.results) == 0 with input as doc2
}

test_results_carry_policy_resource_and_account_subject if {
	some r in bg_ca_002.results with input as fx.input_doc
	r.resource == {"type": "conditionalAccessPolicy", "id": pid, "name": "Require MFA"}
	r.subject.type == "user"
}
