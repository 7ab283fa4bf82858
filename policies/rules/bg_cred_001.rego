# METADATA
# title: Break-glass password was changed recently
# description: |
#   The password of an emergency account is a long-lived shared secret:
#   people who once had access to the safe or vault leave, and copies
#   linger. Rotating it at least every `passwordMaxAgeDays` days (default
#   90, measured against the scan's "now") limits how long a leaked
#   password stays useful.
# custom:
#   id: BG-CRED-001
#   severity: high
#   resource: account
#   requires: [users]
#   remediation: |
#     Rotate the password under dual control: generate a long random
#     password, set it (Entra admin center > Users > the account > Reset
#     password, or `Update-MgUser -UserId <id> -PasswordProfile
#     @{Password='<new>'; ForceChangePasswordNextSignIn=$false}`), store the
#     new value as a new version of the account's Key Vault secret (`az
#     keyvault secret set --vault-name <vault> --name <secret> --file
#     <file>`) or in the sealed envelope, and record the rotation.
package breakglass.rules.bg_cred_001

import data.breakglass.lib
import rego.v1

max_age := lib.setting("passwordMaxAgeDays", 90)

changed(a) := ts if {
	ts := object.get(a.user, "lastPasswordChangeDateTime", null)
	is_string(ts)
}

results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "error",
	"resource": lib.account_resource(a),
	"message": sprintf("%s has no lastPasswordChangeDateTime in the users data set, so the password age is unknown", [a.upn]),
} if {
	some a in lib.accounts
	a.exists
	not changed(a)
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("the password of %s was changed %d day(s) ago (%s), within passwordMaxAgeDays %d", [a.upn, lib.days_since(changed(a)), lib.date_of(changed(a)), max_age]),
} if {
	some a in lib.accounts
	a.exists
	lib.days_since(changed(a)) <= max_age
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("the password of %s was last changed %d days ago (%s), more than passwordMaxAgeDays %d", [a.upn, lib.days_since(changed(a)), lib.date_of(changed(a)), max_age]),
} if {
	some a in lib.accounts
	a.exists
	lib.days_since(changed(a)) > max_age
}
