# METADATA
# title: Fixture missing id
# description: |
#   Test fixture.
# custom:
#   severity: low
#   resource: tenant
#   requires: []
#   remediation: Fix it.
#   controls:
#     iso27001-2022: [A.5.15]
package breakglass.rules.fx_noid

import data.breakglass.lib
import rego.v1

results contains {"status": "pass", "resource": lib.tenant_resource, "message": "ok"}
