# METADATA
# title: Fixture whose function yields two values on the sample
# description: |
#   Fixture for rule isolation: `first_method` iterates over an account's
#   methods, so an account with two methods makes it produce conflicting
#   values and OPA aborts the evaluation of this rule. The engine must
#   report `error` for this rule alone; every other rule reports normally.
# custom:
#   id: ACME-BG-900
#   severity: high
#   resource: account
#   requires: [users, authenticationMethods]
#   remediation: Nothing; this is a test fixture.
#   controls:
#     iso27001-2022: [A.5.15]
package breakglass.rules.acme_conflict

import data.breakglass.lib
import rego.v1

# Wrong on purpose: one value per method, not per account.
first_method(uid) := lib.method_type(m) if {
	some m in object.get(lib.methods_of, uid, [])
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("%s has %s", [a.upn, first_method(a.id)]),
} if {
	some a in lib.accounts
	a.exists
}
