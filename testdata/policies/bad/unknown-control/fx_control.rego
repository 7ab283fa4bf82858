# METADATA
# title: Fixture ACME-BG-102
# description: |
#   Test fixture.
# custom:
#   id: ACME-BG-102
#   severity: low
#   resource: tenant
#   requires: []
#   remediation: Fix it.
#   controls:
#     iso27001-2022: [A.99.99]
package breakglass.rules.fx_control

import data.breakglass.lib
import rego.v1

results contains {"status": "pass", "resource": lib.tenant_resource, "message": "ok"}
