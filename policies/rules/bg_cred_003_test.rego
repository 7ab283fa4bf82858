package breakglass.rules.bg_cred_003_test

import data.breakglass.rules.bg_cred_003
import data.breakglass.test.fixtures as fx
import rego.v1

scan(d) := rs if {
	rs := bg_cred_003.results with input as d with data.breakglass.lib.now_ns as fx.now
}

with_secret(s) := fx.with_items(fx.doc, "keyVaultSecrets", [s, fx.secret("bg-02", 1789459200)])

# 2026-09-15T08:00:00Z, the fixture's password change
changed := 1789459200

test_current_secret_passes if {
	rs := scan(fx.doc)
	fx.statuses(rs, fx.bg1) == {"pass"}
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_stale_secret_fails if {
	rs := scan(with_secret(fx.secret("bg-01", changed - 86400)))
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "stale password")
}

test_written_shortly_before_change_passes if {
	rs := scan(with_secret(fx.secret("bg-01", changed - 300)))
	fx.statuses(rs, fx.bg1) == {"pass"}
}

test_newest_version_decides if {
	s := {"id": "https://kv-bg.vault.azure.net/secrets/bg-01", "versions": [
		{"id": "v-old", "attributes": {"enabled": true, "created": changed - 86400}},
		{"id": "v-new", "attributes": {"enabled": false, "created": changed + 60}},
	]}
	rs := scan(with_secret(s))
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "v-new) is disabled")
}

test_expired_fails if {
	s := {"id": "https://kv-bg.vault.azure.net/secrets/bg-01", "versions": [{"id": "v", "attributes": {"enabled": true, "created": changed, "exp": changed + 86400}}]}
	rs := scan(with_secret(s))
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "expired")
}

test_secret_missing_fails if {
	rs := scan(fx.with_items(fx.doc, "keyVaultSecrets", [fx.secret("bg-02", changed)]))
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "was not found")
}

test_versioned_uri_matches if {
	cfg := {"accounts": [
		{"userPrincipalName": "bg-01@contoso.onmicrosoft.com", "vaultSecret": "https://KV-BG.vault.azure.net/secrets/bg-01/0123abcd"},
		{"userPrincipalName": "bg-02@contoso.onmicrosoft.com", "vaultSecret": "https://kv-bg.vault.azure.net/secrets/bg-02/"},
	]}
	rs := scan(fx.with_config(fx.doc, cfg))
	fx.statuses(rs, fx.bg1) == {"pass"}
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_no_vault_secret_manual if {
	cfg := {"accounts": [{"userPrincipalName": "bg-01@contoso.onmicrosoft.com"}, {"userPrincipalName": "bg-02@contoso.onmicrosoft.com", "vaultSecret": "https://kv-bg.vault.azure.net/secrets/bg-02"}]}
	rs := scan(fx.with_config(fx.doc, cfg))
	fx.statuses(rs, fx.bg1) == {"manual"}
	fx.statuses(rs, fx.bg2) == {"pass"}
}

# An unknown password-change time is missing data (error, as in
# BG-CRED-001), not a finding against the vault.
test_unknown_password_change_is_error if {
	d := json.patch(fx.doc, [{"op": "replace", "path": "/dataSets/users/items/0/lastPasswordChangeDateTime", "value": null}])
	rs := scan(d)
	r := fx.only(rs, d.dataSets.users.items[0].id)
	r.status == "error"
	contains(r.message, "lastPasswordChangeDateTime")
}

# Equal timestamps: two versions written in the same second, one disabled.
# The verdict must not depend on the order Key Vault lists them in (it
# used to take the first); the disabled twin is judged (fail closed).
test_equal_timestamp_versions_do_not_depend_on_order if {
	good := {"id": "v-a", "attributes": {"enabled": true, "created": changed + 60, "updated": changed + 60}}
	bad := {"id": "v-b", "attributes": {"enabled": false, "created": changed + 60, "updated": changed + 60}}
	r1 := fx.only(scan(with_secret({"id": "https://kv-bg.vault.azure.net/secrets/bg-01", "versions": [good, bad]})), fx.bg1)
	r2 := fx.only(scan(with_secret({"id": "https://kv-bg.vault.azure.net/secrets/bg-01", "versions": [bad, good]})), fx.bg1)
	r1 == r2
	r1.status == "fail"
	contains(r1.message, "v-b) is disabled")
}

# A later update decides between versions created in the same second.
test_equal_created_newer_update_decides if {
	old := {"id": "v-a", "attributes": {"enabled": false, "created": changed + 60, "updated": changed + 60}}
	new := {"id": "v-b", "attributes": {"enabled": true, "created": changed + 60, "updated": changed + 120}}
	fx.statuses(scan(with_secret({"id": "https://kv-bg.vault.azure.net/secrets/bg-01", "versions": [new, old]})), fx.bg1) == {"pass"}
}

# The same secret listed twice, in two letter cases (one stale): one value
# per URI instead of an object-key conflict.
test_secret_listed_twice_in_two_cases if {
	upper := {"id": "https://KV-BG.vault.azure.net/secrets/bg-01", "versions": [{"id": "v0", "attributes": {"enabled": true, "created": changed - 86400}}]}
	rs := scan(fx.with_items(fx.doc, "keyVaultSecrets", array.concat(fx.items("keyVaultSecrets"), [upper])))
	count([r | some r in rs; r.resource.id == fx.bg1]) == 1
}
