package breakglass.rules.bg_cred_004_test

import data.breakglass.rules.bg_cred_004
import data.breakglass.test.fixtures as fx
import rego.v1

vault(props) := object.union(fx.items("keyVaults")[0], {"properties": props})

test_protected_vault_passes if {
	rs := bg_cred_004.results with input as fx.doc
	count(rs) == 1
	r := fx.only(rs, fx.kv_id)
	r.status == "pass"
}

test_no_purge_protection_fails if {
	rs := bg_cred_004.results with input as fx.with_items(fx.doc, "keyVaults", [vault({"enablePurgeProtection": null})])
	r := fx.only(rs, fx.kv_id)
	r.status == "fail"
	contains(r.message, "lacks purge protection")
}

test_neither_fails if {
	rs := bg_cred_004.results with input as fx.with_items(fx.doc, "keyVaults", [vault({"enableSoftDelete": false, "enablePurgeProtection": false})])
	r := fx.only(rs, fx.kv_id)
	contains(r.message, "purge protection and soft delete")
}

test_vault_not_collected_fails if {
	rs := bg_cred_004.results with input as fx.with_items(fx.doc, "keyVaults", [])
	r := fx.only(rs, "https://kv-bg.vault.azure.net/")
	r.status == "fail"
}

test_no_vault_secret_not_applicable if {
	rs := bg_cred_004.results with input as fx.with_config(fx.doc, {"accounts": [{"userPrincipalName": "bg-01@contoso.onmicrosoft.com"}]})
	fx.statuses(rs, fx.tenant) == {"not_applicable"}
}

# Purge protection cannot be on without soft delete: an absent
# enableSoftDelete with purge protection on is not "lacks soft delete".
test_purge_protection_implies_soft_delete if {
	v := vault({"enablePurgeProtection": true})
	rs := bg_cred_004.results with input as fx.with_items(fx.doc, "keyVaults", [json.remove(v, ["properties/enableSoftDelete"])])
	fx.only(rs, fx.kv_id).status == "pass"
}

# A vault listed twice with its ARM id in two cases: one verdict, no
# object-key conflict.
test_vault_listed_twice_in_two_cases if {
	v := fx.items("keyVaults")[0]
	twice := object.union(v, {"id": upper(v.id), "properties": {"enablePurgeProtection": false}})
	rs := bg_cred_004.results with input as fx.with_items(fx.doc, "keyVaults", [v, twice])
	count(rs) == 1
}
