# METADATA
# title: Fixture ACME-BG-301
# description: |
#   Test fixture: a well-formed rule in a package the engine never runs.
# custom:
#   id: ACME-BG-301
#   severity: low
#   resource: tenant
#   requires: []
#   remediation: Fix it.
#   controls:
#     iso27001-2022: [A.5.15]
package acme.breakglass

import data.breakglass.lib
import rego.v1

results contains {"status": "pass", "resource": lib.tenant_resource, "message": "ok"}
