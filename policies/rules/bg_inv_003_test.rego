package breakglass.rules.bg_inv_003_test

import data.breakglass.rules.bg_inv_003
import data.breakglass.test.core_fixture as fx
import rego.v1

test_existing_enabled_accounts_pass if {
	fx.statuses(bg_inv_003.results) == {concat("/", [fx.bg1, ""]): "pass", concat("/", [fx.bg2, ""]): "pass"} with input as fx.input_doc
}

test_disabled_account_fails if {
	doc := fx.set_user(fx.input_doc, 0, {"accountEnabled": false})
	fx.statuses(bg_inv_003.results) == {concat("/", [fx.bg1, ""]): "fail", concat("/", [fx.bg2, ""]): "pass"} with input as doc
}

test_account_enabled_null_fails if {
	doc := fx.set_user(fx.input_doc, 0, {"accountEnabled": null})
	fx.statuses(bg_inv_003.results)[concat("/", [fx.bg1, ""])] == "fail" with input as doc
}

test_deleted_account_fails_by_declared_reference if {
	doc := fx.with_items(fx.input_doc, "users", [fx.input_doc.dataSets.users.items[0]])
	fx.statuses(bg_inv_003.results) == {concat("/", [fx.bg1, ""]): "pass", concat("/", [fx.bg2, ""]): "fail"} with input as doc
}

test_upn_matched_case_insensitively if {
	doc := json.patch(fx.input_doc, [{"op": "replace", "path": "/config/accounts/0/userPrincipalName", "value": "BG-01@Contoso.onmicrosoft.com"}])
	fx.statuses(bg_inv_003.results)[concat("/", [fx.bg1, ""])] == "pass" with input as doc
}
