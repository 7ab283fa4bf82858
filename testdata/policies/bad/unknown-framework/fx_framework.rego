# METADATA
# title: Fixture ACME-BG-103
# description: |
#   Test fixture.
# custom:
#   id: ACME-BG-103
#   severity: low
#   resource: tenant
#   requires: []
#   remediation: Fix it.
#   controls:
#     cis-8: ["1.1"]
package breakglass.rules.fx_framework

import data.breakglass.lib
import rego.v1

results contains {"status": "pass", "resource": lib.tenant_resource, "message": "ok"}
