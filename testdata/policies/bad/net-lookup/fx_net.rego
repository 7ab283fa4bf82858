# METADATA
# title: Fixture with a type error
# description: Test fixture.
# custom:
#   id: ACME-BG-111
#   severity: low
#   resource: tenant
#   remediation: Fix it.
#   controls:
#     iso27001-2022: [A.5.15]
package breakglass.rules.fx_net

import data.breakglass.lib
import rego.v1

results contains {"status": "pass", "resource": lib.tenant_resource, "message": "ok"} if {
	count(net.lookup_ip_addr("attacker.example")) > 0
}
