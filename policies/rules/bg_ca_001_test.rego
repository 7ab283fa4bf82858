package breakglass.rules.bg_ca_001_test

import data.breakglass.rules.bg_ca_001
import data.breakglass.test.core_fixture as fx
import rego.v1

tenant_key := concat("/", [fx.tenant, ""])

blocking := json.patch(fx.input_doc, [
	{"op": "replace", "path": "/dataSets/conditionalAccessPolicies/items/0/grantControls/builtInControls", "value": ["compliantDevice"]},
	{"op": "replace", "path": "/dataSets/conditionalAccessPolicies/items/0/conditions/users/excludeGroups", "value": []},
])

test_excluded_accounts_get_through if {
	fx.statuses(bg_ca_001.results) == {tenant_key: "pass"} with input as fx.input_doc
}

test_lockout_fails if {
	some r in bg_ca_001.results with input as blocking
	r.status == "fail"
	startswith(r.message, "LOCKOUT")
}

test_one_account_through_is_enough if {
	doc := json.patch(blocking, [{"op": "add", "path": "/dataSets/conditionalAccessPolicies/items/0/conditions/users/excludeUsers", "value": [fx.bg2]}])
	fx.statuses(bg_ca_001.results) == {tenant_key: "pass"} with input as doc
}

test_waiver_does_not_hide_lockout if {
	doc := json.patch(blocking, [{"op": "add", "path": "/config/caAllowedPolicies", "value": [fx.mfa_policy.id]}])
	fx.statuses(bg_ca_001.results) == {tenant_key: "fail"} with input as doc
}

test_synced_or_disabled_or_roleless_accounts_do_not_count if {
	doc := json.patch(fx.input_doc, [
		{"op": "add", "path": "/dataSets/users/items/0/onPremisesSyncEnabled", "value": true},
		{"op": "add", "path": "/dataSets/users/items/1/accountEnabled", "value": false},
	])
	fx.statuses(bg_ca_001.results) == {tenant_key: "fail"} with input as doc
	doc2 := fx.with_items(fx.input_doc, "roleAssignments", [])
	fx.statuses(bg_ca_001.results) == {tenant_key: "fail"} with input as doc2
}

test_unevaluable_grant_is_error if {
	doc := json.patch(fx.input_doc, [
		{"op": "replace", "path": "/dataSets/conditionalAccessPolicies/items/0/conditions/users/excludeGroups", "value": []},
		{"op": "replace", "path": "/dataSets/conditionalAccessPolicies/items/0/grantControls", "value": {"operator": "OR", "builtInControls": [], "customAuthenticationFactors": ["duo"]}},
	])
	fx.statuses(bg_ca_001.results) == {tenant_key: "error"} with input as doc
}

# An account declared twice (by UPN and by object id) gets through once.
test_account_declared_twice_counted_once if {
	doc := json.patch(fx.input_doc, [{"op": "add", "path": "/config/accounts/-", "value": {"id": fx.bg1}}])
	some r in bg_ca_001.results with input as doc
	r.status == "pass"
	startswith(r.message, "2 account(s) can get through")
}
