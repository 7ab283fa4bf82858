# METADATA
# title: Fixture with a type error
# description: Test fixture.
# custom:
#   id: ACME-BG-112
#   severity: low
#   resource: tenant
#   remediation: Fix it.
#   controls:
#     iso27001-2022: [A.5.15]
package breakglass.rules.fx_runtime

import data.breakglass.lib
import rego.v1

results contains {"status": "pass", "resource": lib.tenant_resource, "message": "ok"} if {
	opa.runtime().env.AZURE_CLIENT_SECRET != ""
}
