# METADATA
# title: Break-glass account has no phone or email methods
# description: |
#   SMS, voice and email methods are tied to a person's phone number or
#   mailbox: they travel with an employee, can be SIM-swapped or phished,
#   and let whoever holds them reset or use the emergency account. A
#   break-glass account should rely only on FIDO2 keys or certificates kept
#   in a controlled location.
# custom:
#   id: BG-AUTH-002
#   severity: high
#   resource: account
#   requires: [users, authenticationMethods]
#   remediation: |
#     Delete the methods: Entra admin center > Users > the account >
#     Authentication methods > the phone or email method > Delete; or
#     `Remove-MgUserAuthenticationPhoneMethod -UserId <id>
#     -PhoneAuthenticationMethodId <method id>` and
#     `Remove-MgUserAuthenticationEmailMethod -UserId <id>
#     -EmailAuthenticationMethodId <method id>` (Graph: DELETE
#     /users/{id}/authentication/phoneMethods/{method id}). Consider excluding
#     the break-glass group from the SMS/voice/email method policies so they
#     cannot be registered again.
package breakglass.rules.bg_auth_002

import data.breakglass.lib
import rego.v1

person_bound(uid) := {describe(m) |
	some m in object.get(lib.methods_of, uid, [])
	lib.method_type(m) in {"phoneAuthenticationMethod", "emailAuthenticationMethod"}
}

describe(m) := sprintf("%s phone (%s)", [object.get(m, "phoneType", "mobile"), m.id]) if {
	lib.method_type(m) == "phoneAuthenticationMethod"
} else := sprintf("email (%s)", [m.id])

results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("%s has person-bound methods registered: %s; expected only FIDO2 keys or certificates", [a.upn, concat(", ", sort(person_bound(a.id)))]),
} if {
	some a in lib.accounts
	a.exists
	count(person_bound(a.id)) > 0
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("%s has no phone (SMS/voice) or email method registered", [a.upn]),
} if {
	some a in lib.accounts
	a.exists
	count(person_bound(a.id)) == 0
}
