package breakglass.rules.bg_iso_002_test

import data.breakglass.rules.bg_iso_002
import data.breakglass.test.core_fixture as fx
import rego.v1

test_initial_domain_passes if {
	fx.statuses(bg_iso_002.results) == {concat("/", [fx.bg1, ""]): "pass", concat("/", [fx.bg2, ""]): "pass"} with input as fx.input_doc
}

test_federated_domain_fails if {
	doc := fx.set_user(fx.input_doc, 1, {"userPrincipalName": "bg-02@contoso.com"})
	some r in bg_iso_002.results with input as doc
	r.resource.id == fx.bg2
	r.status == "fail"
	contains(r.message, "federated")
}

test_managed_custom_domain_fails if {
	doc := json.patch(fx.set_user(fx.input_doc, 1, {"userPrincipalName": "bg-02@example.org"}), [{
		"op": "add", "path": "/dataSets/domains/items/-",
		"value": {"id": "example.org", "authenticationType": "Managed", "isInitial": false},
	}])
	fx.statuses(bg_iso_002.results)[concat("/", [fx.bg2, ""])] == "fail" with input as doc
}
