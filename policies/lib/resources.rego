# METADATA
# title: resource enumeration
# description: |
#   What each kind of rule judges, enumerated from the configuration and the
#   snapshot. The engine uses it to report `error` once per resource when a
#   rule's data sets are missing, and to prove that every rule judged every
#   resource it should have.
# scope: package
package breakglass.lib.resources

import data.breakglass.lib
import data.breakglass.lib.ca
import data.breakglass.lib.exclusion
import rego.v1

tenant := [{"resource": lib.tenant_resource}]

account := [{"resource": lib.account_resource(a)} | some a in lib.accounts]

enabled_policy_account := [{"resource": ca.policy_resource(p), "subject": lib.account_resource(a)} |
	some p in ca.enabled_policies
	some a in lib.accounts
]

report_only_policy_account := [{"resource": ca.policy_resource(p), "subject": lib.account_resource(a)} |
	some p in ca.report_only_policies
	some a in lib.accounts
]

# exclusion_group: the configured exclusion groups and the groups that
# exclude declared accounts from Conditional Access without being listed.
exclusion_group := [{"resource": lib.group_resource(g)} | some g in (lib.exclusion_groups | exclusion.unlisted_groups)]

subscription := [{"resource": lib.subscription_resource(s)} | some s in lib.setting("subscriptions", [])]

key_vault := [{"resource": r} | some r in {lib.key_vault_resource(a.declaration.vaultSecret) |
	some a in lib.accounts
	object.get(a.declaration, "vaultSecret", "") != ""
}]
