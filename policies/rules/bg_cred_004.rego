# METADATA
# title: Break-glass Key Vault has soft delete and purge protection
# description: |
#   If the vault holding the break-glass passwords can be deleted and purged
#   — by an attacker covering tracks, or by a clean-up script — the
#   passwords are gone when they are needed. Soft delete keeps deleted
#   vaults and secrets recoverable; purge protection stops anyone from
#   purging them before the retention period ends.
# custom:
#   id: BG-CRED-004
#   severity: medium
#   resource: key-vault
#   requires: [keyVaults]
#   remediation: |
#     `az keyvault update --name <vault> --resource-group <rg>
#     --enable-purge-protection true` (purge protection cannot be turned off
#     again; soft delete is on by default for vaults created since 2020 and
#     cannot be disabled — enable it on older vaults with `az keyvault update
#     --name <vault> --enable-soft-delete true`). Portal: Key vaults > the
#     vault > Properties > Purge protection > "Enable purge protection".
package breakglass.rules.bg_cred_004

import data.breakglass.lib
import rego.v1

vault_resources := {lib.key_vault_resource(a.declaration.vaultSecret) |
	some a in lib.accounts
	object.get(a.declaration, "vaultSecret", "") != ""
}

vaults_by_id := lib.index_by({[lower(v.id), v] | some v in lib.items("keyVaults")})

missing_protection(v) := array.concat(
	["soft delete" | not soft_delete_on(v)],
	["purge protection" | object.get(v, ["properties", "enablePurgeProtection"], null) != true],
)

soft_delete_on(v) if v.properties.enableSoftDelete == true

# Purge protection cannot be enabled without soft delete.
soft_delete_on(v) if v.properties.enablePurgeProtection == true

results contains {
	"status": "fail",
	"resource": r,
	"message": sprintf("Key Vault %s (named by vaultSecret) was not found among the collected vaults: it was deleted, or it lives in a subscription that is not configured", [r.id]),
} if {
	some r in vault_resources
	not vaults_by_id[lower(r.id)]
}

results contains {
	"status": "fail",
	"resource": r,
	"message": sprintf("Key Vault %s lacks %s: the break-glass passwords can be deleted for good", [r.name, concat(" and ", sort(missing_protection(v)))]),
} if {
	some r in vault_resources
	v := vaults_by_id[lower(r.id)]
	count(missing_protection(v)) > 0
}

results contains {
	"status": "pass",
	"resource": r,
	"message": sprintf("Key Vault %s has soft delete (%v days retention) and purge protection on", [r.name, object.get(v, ["properties", "softDeleteRetentionInDays"], 90)]),
} if {
	some r in vault_resources
	v := vaults_by_id[lower(r.id)]
	count(missing_protection(v)) == 0
}

results contains {
	"status": "not_applicable",
	"resource": lib.tenant_resource,
	"message": "no declared account names a vaultSecret, so there is no Key Vault to check (see BG-CRED-003)",
} if count(vault_resources) == 0
