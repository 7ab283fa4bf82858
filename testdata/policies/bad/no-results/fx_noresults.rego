# METADATA
# title: Fixture whose results rule is misspelled
# description: Test fixture.
# custom:
#   id: ACME-BG-113
#   severity: low
#   resource: tenant
#   remediation: Fix it.
#   controls:
#     iso27001-2022: [A.5.15]
package breakglass.rules.fx_noresults

import data.breakglass.lib
import rego.v1

result contains {"status": "pass", "resource": lib.tenant_resource, "message": "ok"}
