package breakglass.rules.bg_auth_004_test

import data.breakglass.rules.bg_auth_004
import data.breakglass.test.fixtures as fx
import rego.v1

password := {"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": "28c10230-6103-485e-b985-444c60001490"}

sms := {"@odata.type": "#microsoft.graph.phoneAuthenticationMethod", "id": "3179e48a-750b-4051-897c-87b9720928f7", "phoneType": "mobile", "phoneNumber": "+1 5555550100"}

methods(bg2_methods) := fx.with_items(fx.doc, "authenticationMethods", [
	{"id": fx.bg1, "methods": [password, fx.fido("m-bg1-fido", fx.aag1)]},
	{"id": fx.bg2, "methods": bg2_methods},
])

test_fido2_passes if {
	rs := bg_auth_004.results with input as fx.doc
	r := fx.only(rs, fx.bg1)
	r.status == "pass"
	contains(r.message, fx.aag1)
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_password_only_fails_as_unusable if {
	rs := bg_auth_004.results with input as methods([password])
	fx.statuses(rs, fx.bg1) == {"pass"}
	r := fx.only(rs, fx.bg2)
	r.status == "fail"
	startswith(r.message, "UNUSABLE")
	contains(r.message, "no method besides its password")
	contains(r.message, "Owner")
}

test_nothing_registered_fails if {
	rs := bg_auth_004.results with input as methods([])
	r := fx.only(rs, fx.bg2)
	r.status == "fail"
	contains(r.message, "no authentication method registered")
}

# A key the FIDO2 key restrictions block is registered but unusable.
test_blocked_key_fails if {
	rs := bg_auth_004.results with input as methods([password, fx.fido("m-bg2-fido", "00000000-0000-0000-0000-0000000000ff")])
	r := fx.only(rs, fx.bg2)
	r.status == "fail"
	contains(r.message, "fido2AuthenticationMethod")
	contains(r.message, "not usable")
}

# SMS is weak (BG-AUTH-002) but it is MFA: mandatory MFA can be met once
# the Sms configuration enables it for the account.
test_sms_enabled_passes if {
	d := fx.with_items(methods([password, sms]), "authenticationMethodsPolicy", [{"id": "authenticationMethodsPolicy", "authenticationMethodConfigurations": [
		fx.items("authenticationMethodsPolicy")[0].authenticationMethodConfigurations[0],
		{"id": "Sms", "state": "enabled", "includeTargets": [{"targetType": "group", "id": "all_users"}], "excludeTargets": []},
	]}])
	rs := bg_auth_004.results with input as d
	r := fx.only(rs, fx.bg2)
	r.status == "pass"
	contains(r.message, "sms")
}

test_sms_not_enabled_fails if {
	rs := bg_auth_004.results with input as methods([password, sms])
	fx.statuses(rs, fx.bg2) == {"fail"}
}

test_single_factor_certificate_fails if {
	users := [fx.items("users")[0], object.union(fx.items("users")[1], {"authorizationInfo": {"certificateUserIds": ["X509:<PN>bg-02@contoso.onmicrosoft.com"]}})]
	d := fx.with_items(fx.with_items(methods([password]), "users", users), "authenticationMethodsPolicy", [{"id": "authenticationMethodsPolicy", "authenticationMethodConfigurations": [
		{"id": "X509Certificate", "state": "enabled", "includeTargets": [{"targetType": "group", "id": "all_users"}], "excludeTargets": [], "authenticationModeConfiguration": {"x509CertificateAuthenticationDefaultMode": "x509CertificateSingleFactor", "rules": []}},
	]}])
	rs := bg_auth_004.results with input as d
	fx.statuses(rs, fx.bg2) == {"fail"}
}

test_multifactor_certificate_passes if {
	users := [fx.items("users")[0], object.union(fx.items("users")[1], {"authorizationInfo": {"certificateUserIds": ["X509:<PN>bg-02@contoso.onmicrosoft.com"]}})]
	d := fx.with_items(fx.with_items(methods([password]), "users", users), "authenticationMethodsPolicy", [{"id": "authenticationMethodsPolicy", "authenticationMethodConfigurations": [
		{"id": "X509Certificate", "state": "enabled", "includeTargets": [{"targetType": "group", "id": "all_users"}], "excludeTargets": [], "authenticationModeConfiguration": {"x509CertificateAuthenticationDefaultMode": "x509CertificateMultiFactor", "rules": []}},
	]}])
	rs := bg_auth_004.results with input as d
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_missing_account_not_applicable if {
	d := fx.with_config(fx.doc, {"accounts": [{"userPrincipalName": "gone@contoso.onmicrosoft.com"}]})
	rs := bg_auth_004.results with input as d
	{r.status | some r in rs} == {"not_applicable"}
}

# Missing data: without the methods policy no method is known to be usable,
# so the account is never reported as able to meet mandatory MFA.
test_methods_policy_missing_fails_closed if {
	d := object.remove(fx.doc, ["dataSets"])
	d2 := object.union(d, {"dataSets": object.remove(fx.doc.dataSets, ["authenticationMethodsPolicy"])})
	rs := bg_auth_004.results with input as d2
	fx.statuses(rs, fx.bg1) == {"fail"}
	fx.statuses(rs, fx.bg2) == {"fail"}
}
