package breakglass.rules.bg_inv_001_test

import data.breakglass.rules.bg_inv_001
import data.breakglass.test.core_fixture as fx
import rego.v1

test_two_enabled_accounts_pass if {
	fx.statuses(bg_inv_001.results) == {concat("/", [fx.tenant, ""]): "pass"} with input as fx.input_doc
}

test_disabled_account_fails if {
	doc := fx.set_user(fx.input_doc, 1, {"accountEnabled": false})
	fx.statuses(bg_inv_001.results) == {concat("/", [fx.tenant, ""]): "fail"} with input as doc
}

test_missing_account_fails if {
	doc := fx.with_items(fx.input_doc, "users", [fx.input_doc.dataSets.users.items[0]])
	fx.statuses(bg_inv_001.results) == {concat("/", [fx.tenant, ""]): "fail"} with input as doc
}

test_min_accounts_one_passes_with_one if {
	doc := json.patch(fx.set_user(fx.input_doc, 1, {"accountEnabled": false}), [{"op": "replace", "path": "/config/minAccounts", "value": 1}])
	fx.statuses(bg_inv_001.results) == {concat("/", [fx.tenant, ""]): "pass"} with input as doc
}

test_no_declaration_fails_with_hint if {
	doc := json.patch(fx.input_doc, [{"op": "replace", "path": "/config/accounts", "value": []}])
	some r in bg_inv_001.results with input as doc
	r.status == "fail"
	contains(r.message, "no accounts are declared")
}
