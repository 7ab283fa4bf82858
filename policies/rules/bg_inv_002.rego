# METADATA
# title: No more break-glass accounts than maxAccounts
# description: |
#   Every emergency-access account is a standing, highly privileged
#   credential outside Conditional Access. Microsoft recommends two; each
#   extra account adds a credential to store, rotate, monitor and drill.
#   No more than `maxAccounts` accounts may be declared.
# custom:
#   id: BG-INV-002
#   severity: medium
#   resource: tenant
#   requires: []
#   remediation: |
#     Retire the surplus accounts: remove their role assignments (Entra admin
#     center > Roles & admins > Global Administrator > Assignments > Remove),
#     delete them (`Remove-MgUser -UserId <id>` or `az ad user delete --id
#     <id>`), remove them from the exclusion group and from `accounts:` in
#     breakglass.yaml. If more accounts are a deliberate decision, raise
#     `maxAccounts` and record why.
package breakglass.rules.bg_inv_002

import data.breakglass.lib
import rego.v1

maximum := lib.setting("maxAccounts", 4)

declared := [a.ref | some a in lib.accounts]

results contains {
	"status": "pass",
	"resource": lib.tenant_resource,
	"message": sprintf("%d account(s) declared, within maxAccounts %d", [count(declared), maximum]),
} if count(declared) <= maximum

results contains {
	"status": "fail",
	"resource": lib.tenant_resource,
	"message": sprintf("%d accounts are declared, more than maxAccounts %d: %s; retire %d of them or raise maxAccounts", [count(declared), maximum, concat(", ", sort(declared)), count(declared) - maximum]),
} if count(declared) > maximum
