package breakglass.rules.bg_auth_002_test

import data.breakglass.rules.bg_auth_002
import data.breakglass.test.fixtures as fx
import rego.v1

phone := {"@odata.type": "#microsoft.graph.phoneAuthenticationMethod", "id": "p1", "phoneNumber": "+31 6 12345678", "phoneType": "mobile"}

email := {"@odata.type": "#microsoft.graph.emailAuthenticationMethod", "id": "e1", "emailAddress": "someone@example.com"}

test_fido_only_passes if {
	rs := bg_auth_002.results with input as fx.doc
	fx.statuses(rs, fx.bg1) == {"pass"}
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_phone_and_email_fail if {
	methods := [{"id": fx.bg1, "methods": [fx.fido("f", fx.aag1), phone, email]}, {"id": fx.bg2, "methods": [fx.fido("g", fx.aag2)]}]
	rs := bg_auth_002.results with input as fx.with_items(fx.doc, "authenticationMethods", methods)
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "mobile phone (p1)")
	contains(r.message, "email (e1)")
	not contains(r.message, "+31")
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_no_methods_entry_passes if {
	rs := bg_auth_002.results with input as fx.with_items(fx.doc, "authenticationMethods", [])
	fx.statuses(rs, fx.bg1) == {"pass"}
}
