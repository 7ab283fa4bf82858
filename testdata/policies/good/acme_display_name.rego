# METADATA
# title: Break-glass account display names are marked as emergency accounts
# description: |
#   Fixture: a well-formed custom rule judging each declared account.
# custom:
#   id: ACME-BG-001
#   severity: medium
#   resource: account
#   requires: [users]
#   remediation: Rename the account so its display name starts with "Break Glass".
#   controls:
#     iso27001-2022: [A.5.15]
#     nist-800-53r5: [AC-2]
package breakglass.rules.acme_display_name

import data.breakglass.lib
import rego.v1

results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("%s is named %q", [a.upn, a.user.displayName]),
} if {
	some a in lib.accounts
	a.exists
	startswith(a.user.displayName, "Break Glass")
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("%s is named %q, which does not start with \"Break Glass\"", [a.upn, object.get(a.user, "displayName", "")]),
} if {
	some a in lib.accounts
	a.exists
	not startswith(object.get(a.user, "displayName", ""), "Break Glass")
}
