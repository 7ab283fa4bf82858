# METADATA
# title: Break-glass account display names start with "EMERGENCY-"
# description: |
#   A display name that marks the account as an emergency account makes it
#   stand out in sign-in logs, role listings and alerts, and stops it from
#   being mistaken for (or reused as) a personal admin account. Each declared
#   account's `displayName` must start with `EMERGENCY-` (case-sensitive).
# custom:
#   id: EXAMPLE-BG-001
#   severity: low
#   resource: account
#   requires: [users]
#   remediation: |
#     Rename the account, e.g. `Update-MgUser -UserId <id> -DisplayName
#     "EMERGENCY-01"` or Entra admin center > Users > the account > Edit
#     properties.
#   controls:
#     iso27001-2022: [A.5.16]
#     nist-800-53r5: [AC-2]
#     soc2-2017: [CC6.2]
package breakglass.rules.example_emergency_display_name

import data.breakglass.lib
import rego.v1

prefix := "EMERGENCY-"

display_name(a) := object.get(a.user, "displayName", "")

# A declared account the tenant lacks: BG-INV-003 reports it.
results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("%s is named %q", [a.upn, display_name(a)]),
} if {
	some a in lib.accounts
	a.exists
	startswith(display_name(a), prefix)
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("%s is named %q, which does not start with %q", [a.upn, display_name(a), prefix]),
} if {
	some a in lib.accounts
	a.exists
	not startswith(display_name(a), prefix)
}
