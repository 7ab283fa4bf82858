# METADATA
# title: authentication method helpers
# description: |
#   Which registered methods an account can actually use on the emergency
#   path, under the tenant's authentication methods policy.
# scope: package
package breakglass.lib.methods

import data.breakglass.lib
import rego.v1

methods_policy := p if {
	p := sort(lib.items("authenticationMethodsPolicy"))[0]
} else := {}

# method_config returns a method configuration by id (the least in Rego's
# order, should the policy ever list one twice: never the list order).
method_config(id) := method_configs[lower(id)]

method_configs := lib.index_by({[lower(x.id), x] | some x in object.get(methods_policy, "authenticationMethodConfigurations", [])})

# config_targets is true when an enabled method configuration includes the
# user (all_users or one of its groups) and excludes none of its groups.
config_targets(cfg, uid) if {
	cfg.state == "enabled"
	groups := lib.groups_of(uid)
	some t in object.get(cfg, "includeTargets", [])
	target_matches(t, groups)
	not excluded_by_target(cfg, groups)
}

target_matches(t, _) if t.id == "all_users"

target_matches(t, groups) if t.id in groups

excluded_by_target(cfg, groups) if {
	some t in object.get(cfg, "excludeTargets", [])
	target_matches(t, groups)
}

# aaguid_allowed applies the FIDO2 key restrictions to one key model.
aaguid_allowed(cfg, _) if not object.get(cfg, ["keyRestrictions", "isEnforced"], false)

aaguid_allowed(cfg, aaguid) if {
	cfg.keyRestrictions.isEnforced
	lower(cfg.keyRestrictions.enforcementType) == "allow"
	lower(aaguid) in {lower(a) | some a in object.get(cfg.keyRestrictions, "aaGuids", [])}
}

aaguid_allowed(cfg, aaguid) if {
	cfg.keyRestrictions.isEnforced
	lower(cfg.keyRestrictions.enforcementType) == "block"
	not lower(aaguid) in {lower(a) | some a in object.get(cfg.keyRestrictions, "aaGuids", [])}
}

fido2_keys(uid) := [m | some m in object.get(lib.methods_of, uid, []); lib.method_type(m) == "fido2AuthenticationMethod"]

# usable_fido2_aaguids: AAGUIDs of the user's FIDO2 keys/passkeys that the
# FIDO2 policy lets it sign in with.
usable_fido2_aaguids(uid) := {lower(object.get(m, "aaGuid", "")) |
	cfg := method_config("Fido2")
	config_targets(cfg, uid)
	some m in fido2_keys(uid)
	aaguid_allowed(cfg, object.get(m, "aaGuid", ""))
}

certificate_user_ids(u) := object.get(u, ["authorizationInfo", "certificateUserIds"], [])

# has_certificate is true when certificate-based authentication is bound to
# the user (certificateUserIds).
has_certificate(u) if count(certificate_user_ids(u)) > 0

# usable_certificate: certificate-based authentication bound and enabled.
usable_certificate(u) if {
	has_certificate(u)
	config_targets(method_config("X509Certificate"), u.id)
}

# phishing_resistant_registered: FIDO2/passkey registered or CBA bound.
phishing_resistant_registered(u) if count(fido2_keys(u.id)) > 0

phishing_resistant_registered(u) if has_certificate(u)

# phishing_resistant_usable: such a method that the methods policy allows.
phishing_resistant_usable(u) if count(usable_fido2_aaguids(u.id)) > 0

phishing_resistant_usable(u) if certificate_multifactor(u)

# certificate_multifactor: certificate-based authentication satisfies MFA
# only when the X509Certificate configuration's default mode is
# multi-factor and no rule can downgrade a certificate to single-factor
# (which issuer a break-glass certificate has is not in the snapshot).
certificate_multifactor(u) if {
	usable_certificate(u)
	mode := object.get(method_config("X509Certificate"), "authenticationModeConfiguration", {})
	mode.x509CertificateAuthenticationDefaultMode == "x509CertificateMultiFactor"
	every r in object.get(mode, "rules", []) {
		r.x509CertificateAuthenticationMode == "x509CertificateMultiFactor"
	}
}

# method_factors lists the authentication-strength factors a registered
# method can present. A Temporary Access Pass counts only while usable.
method_factors(m) := ["password"] if lib.method_type(m) == "passwordAuthenticationMethod"

else := ["sms", "voice"] if {
	lib.method_type(m) == "phoneAuthenticationMethod"
	lower(object.get(m, "phoneType", "mobile")) == "mobile"
} else := ["voice"] if {
	lib.method_type(m) == "phoneAuthenticationMethod"
	lower(object.get(m, "phoneType", "")) != "office"
} else := ["voice"] if {
	# an office phone counts only when the Voice configuration allows it
	lib.method_type(m) == "phoneAuthenticationMethod"
	method_config("Voice").isOfficePhoneAllowed == true
}

else := ["microsoftAuthenticatorPush"] if {
	# Passwordless phone sign-in (deviceBasedPush) also needs the phone to
	# have it enabled, which Graph does not show: only push counts.
	lib.method_type(m) == "microsoftAuthenticatorAuthenticationMethod"
} else := ["softwareOath"] if lib.method_type(m) == "softwareOathAuthenticationMethod"

else := ["hardwareOath"] if lib.method_type(m) == "hardwareOathAuthenticationMethod"

else := ["temporaryAccessPassOneTime"] if {
	lib.method_type(m) == "temporaryAccessPassAuthenticationMethod"
	m.isUsable == true
	m.isUsableOnce == true
} else := ["temporaryAccessPassMultiUse"] if {
	lib.method_type(m) == "temporaryAccessPassAuthenticationMethod"
	m.isUsable == true
} else := []

# Not factors on the emergency path: email one-time passcodes serve members
# only for self-service password reset, and QR code + PIN is single-factor
# and mobile-only (it does not work in browsers or desktop apps).

# factor_configs names the methods-policy configuration that governs each
# factor; password needs none.
factor_configs := {
	"sms": "Sms",
	"voice": "Voice",
	"microsoftAuthenticatorPush": "MicrosoftAuthenticator",
	"softwareOath": "SoftwareOath",
	"hardwareOath": "HardwareOath",
	"temporaryAccessPassOneTime": "TemporaryAccessPass",
	"temporaryAccessPassMultiUse": "TemporaryAccessPass",
}

factor_enabled("password", _)

factor_enabled(factor, uid) if {
	factor != "microsoftAuthenticatorPush"
	config_targets(method_config(factor_configs[factor]), uid)
}

# Microsoft Authenticator push needs a target whose authenticationMode
# allows push ("any" or "push"; "deviceBasedPush" means passwordless only).
factor_enabled("microsoftAuthenticatorPush", uid) if {
	cfg := method_config("MicrosoftAuthenticator")
	config_targets(cfg, uid)
	groups := lib.groups_of(uid)
	some t in object.get(cfg, "includeTargets", [])
	target_matches(t, groups)
	lower(object.get(t, "authenticationMode", "any")) in {"any", "push"}
}

# usable_factors: the strength factors (other than fido2 and x509, handled
# with their own restrictions) that the user's registered methods provide
# and the methods policy enables for the user.
usable_factors(uid) := {factor |
	some m in object.get(lib.methods_of, uid, [])
	some factor in method_factors(m)
	factor_enabled(factor, uid)
}
