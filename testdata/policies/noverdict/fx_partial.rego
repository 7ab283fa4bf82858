# METADATA
# title: Fixture that forgets an account
# description: |
#   Test fixture: a rule of resource "account" that judges only the first
#   declared account. The engine must report `error` for the others, never
#   let the silence pass.
# custom:
#   id: ACME-BG-201
#   severity: high
#   resource: account
#   requires: [users]
#   remediation: Judge every declared account.
#   controls:
#     iso27001-2022: [A.5.15]
package breakglass.rules.fx_partial

import data.breakglass.lib
import rego.v1

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": "judged",
} if {
	a := lib.accounts[0]
	a.exists
}
