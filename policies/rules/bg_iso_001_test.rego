package breakglass.rules.bg_iso_001_test

import data.breakglass.rules.bg_iso_001
import data.breakglass.test.core_fixture as fx
import rego.v1

test_cloud_only_passes if {
	fx.statuses(bg_iso_001.results) == {concat("/", [fx.bg1, ""]): "pass", concat("/", [fx.bg2, ""]): "pass"} with input as fx.input_doc
}

test_synced_account_fails if {
	doc := fx.set_user(fx.input_doc, 1, {"onPremisesSyncEnabled": true})
	fx.statuses(bg_iso_001.results) == {concat("/", [fx.bg1, ""]): "pass", concat("/", [fx.bg2, ""]): "fail"} with input as doc
}

test_sync_false_is_cloud_only if {
	doc := fx.set_user(fx.input_doc, 1, {"onPremisesSyncEnabled": false})
	fx.statuses(bg_iso_001.results)[concat("/", [fx.bg2, ""])] == "pass" with input as doc
}

test_missing_account_not_applicable if {
	doc := fx.with_items(fx.input_doc, "users", [fx.input_doc.dataSets.users.items[0]])
	fx.statuses(bg_iso_001.results)[concat("/", [fx.bg2, ""])] == "not_applicable" with input as doc
}
