# METADATA
# title: Entra sign-in logs are exported to Log Analytics
# description: |
#   Entra ID keeps sign-in logs for 30 days at most (7 without a P1
#   licence) and cannot alert on them. Alerting on every break-glass sign-in
#   (BG-MON-002) and keeping evidence for auditors both need the
#   `SignInLogs` category exported to a Log Analytics workspace through an
#   Entra diagnostic setting.
# custom:
#   id: BG-MON-001
#   severity: high
#   resource: tenant
#   requires: [diagnosticSettings]
#   remediation: |
#     Entra admin center > Identity > Monitoring & health > Diagnostic
#     settings > Add diagnostic setting: tick SignInLogs (and AuditLogs,
#     NonInteractiveUserSignInLogs), "Send to Log Analytics workspace", pick
#     the security workspace. With az CLI: `az monitor diagnostic-settings
#     create --name to-law-sec --resource /providers/microsoft.aadiam
#     --workspace <workspace resource id> --logs
#     '[{"category":"SignInLogs","enabled":true},{"category":"AuditLogs","enabled":true}]'`
#     (or PUT
#     https://management.azure.com/providers/microsoft.aadiam/diagnosticSettings/{name}?api-version=2017-04-01).
package breakglass.rules.bg_mon_001

import data.breakglass.lib
import data.breakglass.lib.monitoring
import rego.v1

to_workspace := {sprintf("%s -> %s", [name, d]) |
	some name, dests in monitoring.exporting("SignInLogs")
	some d in dests
	startswith(d, "Log Analytics workspace")
}

results contains {
	"status": "pass",
	"resource": lib.tenant_resource,
	"message": sprintf("SignInLogs are exported to Log Analytics: %s", [concat("; ", sort(to_workspace))]),
} if count(to_workspace) > 0

results contains {
	"status": "fail",
	"resource": lib.tenant_resource,
	"message": sprintf("no Entra diagnostic setting exports SignInLogs to a Log Analytics workspace, so break-glass sign-ins cannot be alerted on; %s", [monitoring.summary]),
} if count(to_workspace) == 0
