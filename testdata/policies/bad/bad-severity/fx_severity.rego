# METADATA
# title: Fixture ACME-BG-101
# description: |
#   Test fixture.
# custom:
#   id: ACME-BG-101
#   severity: urgent
#   resource: tenant
#   requires: []
#   remediation: Fix it.
#   controls:
#     iso27001-2022: [A.5.15]
package breakglass.rules.fx_severity

import data.breakglass.lib
import rego.v1

results contains {"status": "pass", "resource": lib.tenant_resource, "message": "ok"}
