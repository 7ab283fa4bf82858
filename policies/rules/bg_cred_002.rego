# METADATA
# title: Break-glass password never expires
# description: |
#   If the tenant's password expiration policy applies, an emergency
#   account nobody has used for months meets a forced password change at
#   the worst moment — or is already expired. Set `DisablePasswordExpiration`
#   on the account and rotate deliberately instead (BG-CRED-001).
# custom:
#   id: BG-CRED-002
#   severity: low
#   resource: account
#   requires: [users]
#   remediation: |
#     `Update-MgUser -UserId <id> -PasswordPolicies DisablePasswordExpiration`
#     (Graph: PATCH /users/{id} {"passwordPolicies": "DisablePasswordExpiration"};
#     az CLI: `az rest --method patch --url
#     https://graph.microsoft.com/v1.0/users/<id> --body
#     '{"passwordPolicies":"DisablePasswordExpiration"}'`). Keep other flags
#     already present, comma-separated.
package breakglass.rules.bg_cred_002

import data.breakglass.lib
import rego.v1

policies(u) := {lower(trim_space(p)) |
	raw := object.get(u, "passwordPolicies", null)
	is_string(raw)
	some p in split(raw, ",")
}

never_expires(u) if "disablepasswordexpiration" in policies(u)

results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("the password of %s never expires (passwordPolicies %s)", [a.upn, a.user.passwordPolicies]),
} if {
	some a in lib.accounts
	a.exists
	never_expires(a.user)
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("the password of %s follows the tenant's expiration policy (passwordPolicies %v, expected DisablePasswordExpiration): a forced change can block the emergency sign-in", [a.upn, object.get(a.user, "passwordPolicies", null)]),
} if {
	some a in lib.accounts
	a.exists
	not never_expires(a.user)
}
