# METADATA
# title: Break-glass password in Key Vault is current
# description: |
#   The account's password must be retrievable in an emergency. The secret
#   named by `vaultSecret` must exist, its newest version must be enabled
#   and unexpired, and it must have been written no earlier than the last
#   password change (15 minutes of slack for "store, then set" workflows):
#   a version older than the password means the vault holds a stale
#   password. Only secret attributes are read, never values. An account
#   without `vaultSecret` is `manual`: show the auditor where the
#   credential is kept (e.g. sealed envelopes in two safes).
# custom:
#   id: BG-CRED-003
#   severity: medium
#   resource: account
#   requires: [users, keyVaultSecrets]
#   remediation: |
#     Store the current password as a new secret version: `az keyvault
#     secret set --vault-name <vault> --name <secret> --file <file>
#     --encoding utf-8` (or Set-AzKeyVaultSecret), ideally right after each
#     rotation; enable a disabled version (`az keyvault secret set-attributes
#     --id <version id> --enabled true`) or remove an expiry date. If the
#     password is unknown, reset it (BG-CRED-001 remediation) and store the
#     new one. Declare the secret URI as `vaultSecret` in breakglass.yaml.
package breakglass.rules.bg_cred_003

import data.breakglass.lib
import rego.v1

slack_ns := (15 * 60) * 1000000000

# base strips a version from a secret URI: https://host/secrets/name.
base(uri) := concat("/", array.slice(parts, 0, 5)) if {
	parts := split(trim_suffix(lower(uri), "/"), "/")
}

# secrets_by_uri: one entry per secret URI (a secret listed twice, or in
# two letter cases, is kept once: lib.index_by).
secrets_by_uri := lib.index_by({[base(s.id), object.get(s, "versions", [])] | some s in lib.items("keyVaultSecrets")})

secret_uri(a) := uri if {
	uri := object.get(a.declaration, "vaultSecret", "")
	uri != ""
}

created_ns(v) := object.get(v, ["attributes", "created"], 0) * 1000000000

# newest picks the newest version. Versions written in the same second
# (equal created timestamps) are ordered by updated, then by the worst
# state, so that a disabled or expired twin is what the rule judges (fail
# closed) whatever the order Key Vault listed them in.
newest(versions) := sort([[created_ns(x), object.get(x, ["attributes", "updated"], 0), usable_rank(x), x] | some x in versions])[count(versions) - 1][3] if {
	count(versions) > 0
}

# usable_rank sorts an unusable version after a usable one.
usable_rank(v) := 0 if {
	object.get(v, ["attributes", "enabled"], true) == true
	not expired(v)
} else := 1

expired(v) if {
	exp := object.get(v, ["attributes", "exp"], null)
	is_number(exp)
	exp * 1000000000 <= lib.now_ns
}

password_ns(a) := time.parse_rfc3339_ns(a.user.lastPasswordChangeDateTime)

# problem says why the vault cannot be trusted to hold the password.
problem(a, versions) := "the secret has no versions" if {
	count(versions) == 0
} else := sprintf("its newest version (%s) is disabled", [newest(versions).id]) if {
	object.get(newest(versions), ["attributes", "enabled"], true) != true
} else := sprintf("its newest version expired on %s", [time.format(newest(versions).attributes.exp * 1000000000)]) if {
	exp := object.get(newest(versions), ["attributes", "exp"], null)
	is_number(exp)
	exp * 1000000000 <= lib.now_ns
} else := sprintf("its newest version was written %s, before the last password change %s: the vault holds a stale password", [time.format(created_ns(newest(versions))), a.user.lastPasswordChangeDateTime]) if {
	created_ns(newest(versions)) < password_ns(a) - slack_ns
}

results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "manual",
	"resource": lib.account_resource(a),
	"message": sprintf("%s declares no vaultSecret: record where its password is kept (e.g. sealed envelopes in two safes) and show the evidence, or store it in Key Vault and declare vaultSecret", [a.upn]),
} if {
	some a in lib.accounts
	a.exists
	not secret_uri(a)
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("the vault secret %s of %s was not found (deleted, or the collector cannot list it)", [secret_uri(a), a.upn]),
} if {
	some a in lib.accounts
	a.exists
	not secrets_by_uri[base(secret_uri(a))]
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("the vault secret %s of %s is not usable: %s", [secret_uri(a), a.upn, problem(a, versions)]),
} if {
	some a in lib.accounts
	a.exists
	versions := secrets_by_uri[base(secret_uri(a))]
	problem(a, versions)
}

# password_unknown: Graph returned no lastPasswordChangeDateTime, so
# whether the vault holds the current password cannot be decided (error,
# as in BG-CRED-001, never a pass or a guessed fail).
password_unknown(a) if not is_string(object.get(a.user, "lastPasswordChangeDateTime", null))

results contains {
	"status": "error",
	"resource": lib.account_resource(a),
	"message": sprintf("%s has no lastPasswordChangeDateTime in the users data set, so the vault secret %s cannot be shown to be current", [a.upn, secret_uri(a)]),
} if {
	some a in lib.accounts
	a.exists
	versions := secrets_by_uri[base(secret_uri(a))]
	not problem(a, versions)
	password_unknown(a)
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("the vault secret %s of %s is enabled and its newest version (%s) is not older than the last password change (%s)", [secret_uri(a), a.upn, time.format(created_ns(newest(versions))), a.user.lastPasswordChangeDateTime]),
} if {
	some a in lib.accounts
	a.exists
	versions := secrets_by_uri[base(secret_uri(a))]
	not problem(a, versions)
	not password_unknown(a)
}
