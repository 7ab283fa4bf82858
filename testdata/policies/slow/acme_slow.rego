# METADATA
# title: Fixture that takes far longer than any real rule
# description: |
#   Fixture for scan --timeout: a cross product of 10,000 x 10,000 numbers
#   (100 million steps, little memory).
# custom:
#   id: ACME-BG-901
#   severity: low
#   resource: account
#   requires: [users]
#   remediation: Nothing; this is a test fixture.
#   controls:
#     iso27001-2022: [A.5.15]
package breakglass.rules.acme_slow

import data.breakglass.lib
import rego.v1

impossible if {
	some i in numbers.range(1, 10000)
	some j in numbers.range(1, 10000)
	i * j == -1
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("%s: done", [a.upn]),
} if {
	some a in lib.accounts
	not impossible
}
