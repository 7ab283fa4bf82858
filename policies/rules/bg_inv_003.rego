# METADATA
# title: Each declared account exists and is enabled
# description: |
#   A declared break-glass account that was deleted, renamed or disabled is
#   not there when it is needed. Each account in breakglass.yaml must exist
#   (matched by object id, else by UPN) with `accountEnabled` true.
# custom:
#   id: BG-INV-003
#   severity: high
#   resource: account
#   requires: [users]
#   remediation: |
#     Restore a deleted account within 30 days (Entra admin center > Users >
#     Deleted users > Restore) or create it again and update breakglass.yaml
#     and every exclusion group; enable a disabled account with
#     `Update-MgUser -UserId <id> -AccountEnabled:$true`.
package breakglass.rules.bg_inv_003

import data.breakglass.lib
import rego.v1

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("declared account %s does not exist in the tenant", [a.ref]),
} if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("account %s is disabled (accountEnabled is not true)", [a.upn]),
} if {
	some a in lib.accounts
	a.exists
	a.user.accountEnabled != true
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("account %s exists and is enabled", [a.upn]),
} if {
	some a in lib.accounts
	a.exists
	a.user.accountEnabled == true
}
