# METADATA
# title: Fixture BG-CUSTOM-001
# description: |
#   Test fixture.
# custom:
#   id: BG-CUSTOM-001
#   severity: low
#   resource: tenant
#   requires: []
#   remediation: Fix it.
#   controls:
#     iso27001-2022: [A.5.15]
package breakglass.rules.fx_reserved

import data.breakglass.lib
import rego.v1

results contains {"status": "pass", "resource": lib.tenant_resource, "message": "ok"}
