# METADATA
# title: Entra audit logs are exported
# description: |
#   Changes to the break-glass accounts — new methods, password resets,
#   role changes, exclusion-group membership, Conditional Access edits — are
#   recorded in the Entra audit log, which Entra keeps for 30 days at most.
#   The `AuditLogs` category must be exported by a diagnostic setting (Log
#   Analytics, storage or event hub) so that changes can be alerted on and
#   investigated later.
# custom:
#   id: BG-MON-003
#   severity: medium
#   resource: tenant
#   requires: [diagnosticSettings]
#   remediation: |
#     Entra admin center > Identity > Monitoring & health > Diagnostic
#     settings > edit the setting (or Add diagnostic setting) > tick
#     AuditLogs > choose a Log Analytics workspace, storage account or event
#     hub. az CLI: `az monitor diagnostic-settings create --name to-law-sec
#     --resource /providers/microsoft.aadiam --workspace <workspace resource
#     id> --logs '[{"category":"AuditLogs","enabled":true}]'`.
package breakglass.rules.bg_mon_003

import data.breakglass.lib
import data.breakglass.lib.monitoring
import rego.v1

exported := {sprintf("%s -> %s", [name, d]) |
	some name, dests in monitoring.exporting("AuditLogs")
	some d in dests
}

results contains {
	"status": "pass",
	"resource": lib.tenant_resource,
	"message": sprintf("AuditLogs are exported: %s", [concat("; ", sort(exported))]),
} if count(exported) > 0

results contains {
	"status": "fail",
	"resource": lib.tenant_resource,
	"message": sprintf("no Entra diagnostic setting exports AuditLogs to a destination, so changes to break-glass accounts and exclusions leave no lasting trail; %s", [monitoring.summary]),
} if count(exported) == 0
