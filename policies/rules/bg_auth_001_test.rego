package breakglass.rules.bg_auth_001_test

import data.breakglass.rules.bg_auth_001
import data.breakglass.test.core_fixture as fx
import rego.v1

key1 := concat("/", [fx.bg1, ""])

test_fido2_registered_passes if {
	fx.statuses(bg_auth_001.results) == {key1: "pass", concat("/", [fx.bg2, ""]): "pass"} with input as fx.input_doc
}

test_password_only_fails if {
	doc := fx.with_items(fx.input_doc, "authenticationMethods", [{"id": fx.bg1, "methods": [fx.password]}, {"id": fx.bg2, "methods": [fx.password, fx.fido2("k2")]}])
	fx.statuses(bg_auth_001.results)[key1] == "fail" with input as doc
}

test_sms_is_not_phishing_resistant if {
	sms := {"@odata.type": "#microsoft.graph.phoneAuthenticationMethod", "id": "3179e48a-750b-4051-897c-87b9720928f7", "phoneType": "mobile"}
	doc := fx.with_items(fx.input_doc, "authenticationMethods", [{"id": fx.bg1, "methods": [fx.password, sms]}, {"id": fx.bg2, "methods": [fx.fido2("k2")]}])
	fx.statuses(bg_auth_001.results)[key1] == "fail" with input as doc
}

test_certificate_user_ids_pass if {
	doc := json.patch(
		fx.with_items(fx.input_doc, "authenticationMethods", [{"id": fx.bg1, "methods": [fx.password]}, {"id": fx.bg2, "methods": [fx.fido2("k2")]}]),
		[{"op": "add", "path": "/dataSets/users/items/0/authorizationInfo", "value": {"certificateUserIds": ["X509:<PN>bg-01@contoso.onmicrosoft.com"]}}],
	)
	fx.statuses(bg_auth_001.results)[key1] == "pass" with input as doc
}

test_no_methods_entry_fails if {
	doc := fx.with_items(fx.input_doc, "authenticationMethods", [{"id": fx.bg2, "methods": [fx.fido2("k2")]}])
	fx.statuses(bg_auth_001.results)[key1] == "fail" with input as doc
}
