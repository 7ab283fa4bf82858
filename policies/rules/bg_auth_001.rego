# METADATA
# title: Break-glass account has a phishing-resistant method
# description: |
#   Microsoft requires MFA for every sign-in to the admin portals, and
#   recommends phishing-resistant MFA for emergency accounts. The account
#   needs at least one FIDO2 security key or passkey, or certificate-based
#   authentication bound through `certificateUserIds`.
# custom:
#   id: BG-AUTH-001
#   severity: critical
#   resource: account
#   requires: [users, authenticationMethods]
#   remediation: |
#     Register two FIDO2 security keys per account (stored apart, e.g. two
#     safes): sign in as the account with a Temporary Access Pass and add
#     them at https://mysignins.microsoft.com/security-info, or configure
#     certificate-based authentication and set the account's
#     certificateUserIds.
package breakglass.rules.bg_auth_001

import data.breakglass.lib
import data.breakglass.lib.methods
import rego.v1

registered(u) := array.concat(
	[sprintf("FIDO2 %s", [object.get(m, "displayName", object.get(m, "aaGuid", "key"))]) | some m in methods.fido2_keys(u.id)],
	["certificate-based authentication" | methods.has_certificate(u)],
)

results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("%s has phishing-resistant methods: %s", [a.upn, concat(", ", sort(registered(a.user)))]),
} if {
	some a in lib.accounts
	a.exists
	count(registered(a.user)) > 0
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("%s has no FIDO2 key, passkey or certificate-based authentication registered", [a.upn]),
} if {
	some a in lib.accounts
	a.exists
	count(registered(a.user)) == 0
}
