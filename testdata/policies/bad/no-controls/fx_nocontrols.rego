# METADATA
# title: Fixture without controls
# description: Test fixture.
# custom:
#   id: ACME-BG-107
#   severity: low
#   resource: tenant
#   requires: []
#   remediation: Fix it.
package breakglass.rules.fx_nocontrols

import data.breakglass.lib
import rego.v1

results contains {"status": "pass", "resource": lib.tenant_resource, "message": "ok"}
