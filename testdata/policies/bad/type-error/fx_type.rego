# METADATA
# title: Fixture with a type error
# description: Test fixture.
# custom:
#   id: ACME-BG-110
#   severity: low
#   resource: tenant
#   remediation: Fix it.
#   controls:
#     iso27001-2022: [A.5.15]
package breakglass.rules.fx_type

import data.breakglass.lib
import rego.v1

results contains {"status": "pass", "resource": lib.tenant_resource, "message": "ok"} if {
	startswith(count(lib.accounts), "2")
}
