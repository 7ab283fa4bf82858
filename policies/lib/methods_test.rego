package breakglass.lib.methods_test

import data.breakglass.lib.methods
import rego.v1

uid := "11111111-0000-4000-8000-000000000001"

config(id, state) := {"id": id, "state": state, "includeTargets": [{"targetType": "group", "id": "all_users"}], "excludeTargets": []}

doc(method_list, configs) := {"dataSets": {
	"users": {"status": "ok", "items": [{"id": uid, "userPrincipalName": "bg@contoso.onmicrosoft.com", "authorizationInfo": {"certificateUserIds": ["X509:<PN>bg@contoso.onmicrosoft.com"]}}]},
	"authenticationMethods": {"status": "ok", "items": [{"id": uid, "methods": method_list}]},
	"transitiveMemberOf": {"status": "ok", "items": [{"id": uid, "memberOf": []}]},
	"authenticationMethodsPolicy": {"status": "ok", "items": [{"id": "authenticationMethodsPolicy", "authenticationMethodConfigurations": configs}]},
}}

password := {"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": "p"}

tap(usable, once) := {"@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethod", "id": "t", "isUsable": usable, "isUsableOnce": once}

sms := {"@odata.type": "#microsoft.graph.phoneAuthenticationMethod", "id": "s", "phoneType": "mobile"}

test_expired_tap_is_not_a_factor if {
	methods.usable_factors(uid) == {"password"} with input as doc([password, tap(false, true)], [config("TemporaryAccessPass", "enabled")])
}

test_usable_one_time_tap if {
	methods.usable_factors(uid) == {"password", "temporaryAccessPassOneTime"} with input as doc([password, tap(true, true)], [config("TemporaryAccessPass", "enabled")])
}

test_method_disabled_in_policy_is_not_a_factor if {
	methods.usable_factors(uid) == {"password"} with input as doc([password, sms], [config("Sms", "disabled"), config("Voice", "disabled")])
	methods.usable_factors(uid) == {"password", "sms"} with input as doc([password, sms], [config("Sms", "enabled")])
}

x509(mode, rules) := object.union(config("X509Certificate", "enabled"), {"authenticationModeConfiguration": {"x509CertificateAuthenticationDefaultMode": mode, "rules": rules}})

user := {"id": uid, "authorizationInfo": {"certificateUserIds": ["X509:<PN>bg@contoso.onmicrosoft.com"]}}

test_single_factor_cba_is_not_phishing_resistant_mfa if {
	not methods.certificate_multifactor(user) with input as doc([password], [x509("x509CertificateSingleFactor", [])])
	not methods.phishing_resistant_usable(user) with input as doc([password], [x509("x509CertificateSingleFactor", [])])
	methods.usable_certificate(user) with input as doc([password], [x509("x509CertificateSingleFactor", [])])
}

test_multi_factor_cba_counts if {
	methods.phishing_resistant_usable(user) with input as doc([password], [x509("x509CertificateMultiFactor", [])])
}

test_downgrading_rule_makes_cba_single_factor if {
	rule := {"x509CertificateRuleType": "issuerSubject", "identifier": "CN=Contoso CA", "x509CertificateAuthenticationMode": "x509CertificateSingleFactor"}
	not methods.certificate_multifactor(user) with input as doc([password], [x509("x509CertificateMultiFactor", [rule])])
}

authenticator := {"@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod", "id": "a"}

authenticator_config(mode) := {"id": "MicrosoftAuthenticator", "state": "enabled", "excludeTargets": [], "includeTargets": [{"targetType": "group", "id": "all_users", "authenticationMode": mode}]}

test_authenticator_push_needs_a_push_mode if {
	methods.usable_factors(uid) == {"password", "microsoftAuthenticatorPush"} with input as doc([password, authenticator], [authenticator_config("any")])
	methods.usable_factors(uid) == {"password", "microsoftAuthenticatorPush"} with input as doc([password, authenticator], [authenticator_config("push")])
	methods.usable_factors(uid) == {"password"} with input as doc([password, authenticator], [authenticator_config("deviceBasedPush")])
}

test_passwordless_phone_sign_in_never_counts if {
	not "deviceBasedPush" in methods.usable_factors(uid) with input as doc([password, authenticator], [authenticator_config("any")])
}

test_email_and_qr_code_are_not_factors if {
	email := {"@odata.type": "#microsoft.graph.emailAuthenticationMethod", "id": "e", "emailAddress": "x@y"}
	qr := {"@odata.type": "#microsoft.graph.qrCodePinAuthenticationMethod", "id": "q"}
	methods.usable_factors(uid) == {"password"} with input as doc([password, email, qr], [config("Email", "enabled"), config("QRCodePin", "enabled")])
}

test_office_phone_needs_is_office_phone_allowed if {
	office := {"@odata.type": "#microsoft.graph.phoneAuthenticationMethod", "id": "o", "phoneType": "office"}
	methods.usable_factors(uid) == {"password"} with input as doc([password, office], [config("Voice", "enabled")])
	allowed := object.union(config("Voice", "enabled"), {"isOfficePhoneAllowed": true})
	methods.usable_factors(uid) == {"password", "voice"} with input as doc([password, office], [allowed])
}
