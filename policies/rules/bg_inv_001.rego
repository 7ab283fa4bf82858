# METADATA
# title: Enough break-glass accounts exist and are enabled
# description: |
#   Microsoft recommends two or more emergency-access accounts so that the
#   loss of one (forgotten key, lockout, compromise) still leaves a way in.
#   At least `minAccounts` declared accounts must exist and be enabled.
# custom:
#   id: BG-INV-001
#   severity: high
#   resource: tenant
#   requires: [users]
#   remediation: |
#     Create the missing cloud-only accounts on the tenant's
#     `*.onmicrosoft.com` domain (Entra admin center > Users > New user, or
#     `az ad user create`), enable disabled ones (`Update-MgUser -UserId <id>
#     -AccountEnabled:$true`), and declare them under `accounts:` in
#     breakglass.yaml.
package breakglass.rules.bg_inv_001

import data.breakglass.lib
import rego.v1

# usable counts distinct users: two declarations resolving to the same
# account are one account.
usable := {a.upn | some a in lib.accounts; a.exists; a.user.accountEnabled == true}

minimum := lib.setting("minAccounts", 2)

results contains {
	"status": "pass",
	"resource": lib.tenant_resource,
	"message": sprintf("%d of %d declared accounts exist and are enabled (minimum %d): %s", [count(usable), count(lib.accounts), minimum, concat(", ", sort(usable))]),
} if count(usable) >= minimum

results contains {
	"status": "fail",
	"resource": lib.tenant_resource,
	"message": sprintf("only %d declared account(s) exist and are enabled, fewer than minAccounts %d%s", [count(usable), minimum, hint]),
} if {
	count(usable) < minimum
	hint := declaration_hint
}

declaration_hint := "; no accounts are declared in breakglass.yaml" if count(lib.accounts) == 0

else := ""
