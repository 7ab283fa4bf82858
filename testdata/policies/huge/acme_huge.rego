# METADATA
# title: Fixture that builds an enormous value
# description: |
#   Fixture for scan --max-memory: 20 million strings of 200 characters,
#   built one by one (gigabytes of memory) unless evaluation is stopped.
# custom:
#   id: ACME-BG-902
#   severity: low
#   resource: tenant
#   requires: [users]
#   remediation: Nothing; this is a test fixture.
#   controls:
#     iso27001-2022: [A.5.15]
package breakglass.rules.acme_huge

import data.breakglass.lib
import rego.v1

pairs := [s |
	some i in numbers.range(1, 5000)
	some j in numbers.range(1, 4000)
	s := sprintf("%0100d-%0100d", [i, j])
]

results contains {
	"status": "pass",
	"resource": lib.tenant_resource,
	"message": sprintf("%d pairs", [count(pairs)]),
}
