# METADATA
# title: Fixture ACME-BG-105
# description: |
#   Test fixture.
# custom:
#   id: ACME-BG-105
#   severity: low
#   resource: mailbox
#   requires: []
#   remediation: Fix it.
#   controls:
#     iso27001-2022: [A.5.15]
package breakglass.rules.fx_resource

import data.breakglass.lib
import rego.v1

results contains {"status": "pass", "resource": lib.tenant_resource, "message": "ok"}
