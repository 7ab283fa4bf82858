# METADATA
# title: Break-glass account is cloud-only
# description: |
#   An account synchronised from on-premises Active Directory depends on AD
#   Connect and on-premises AD: a sync failure or an on-premises compromise
#   takes the emergency path with it. Break-glass accounts must be created in
#   Entra ID (`onPremisesSyncEnabled` not true).
# custom:
#   id: BG-ISO-001
#   severity: critical
#   resource: account
#   requires: [users]
#   remediation: |
#     Create a new cloud-only account on the `*.onmicrosoft.com` domain, move
#     the role assignments and exclusions to it, then remove the synchronised
#     account from the sync scope. Do not convert a synced account in place:
#     its on-premises anchor keeps it tied to AD.
package breakglass.rules.bg_iso_001

import data.breakglass.lib
import rego.v1

results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("account %s is synchronised from on-premises Active Directory (onPremisesSyncEnabled is true)", [a.upn]),
} if {
	some a in lib.accounts
	a.exists
	not lib.cloud_only(a.user)
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("account %s is cloud-only", [a.upn]),
} if {
	some a in lib.accounts
	a.exists
	lib.cloud_only(a.user)
}
