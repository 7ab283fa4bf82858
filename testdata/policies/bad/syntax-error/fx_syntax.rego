# METADATA
# title: Fixture with a syntax error
# description: Test fixture.
# custom:
#   id: ACME-BG-109
#   severity: low
#   resource: tenant
#   remediation: Fix it.
#   controls:
#     iso27001-2022: [A.5.15]
package breakglass.rules.fx_syntax

import data.breakglass.lib
import rego.v1

results contains {"status": "pass", "resource": lib.tenant_resource, "message": "ok"} if {
	count(lib.accounts) >
}
