# METADATA
# title: FIDO2 policy lets the break-glass account use its keys
# description: |
#   A registered security key is useless if the authentication methods
#   policy does not let the account use it: FIDO2 disabled, the account not
#   in the targeted groups (or in an excluded one), or key restrictions
#   (allow/block AAGUID lists, when enforced) that reject the key model.
#   Tightening key restrictions is a common way to lock out emergency
#   accounts. An account with no FIDO2 key fails (BG-AUTH-001 has the
#   details) unless it relies on certificate-based authentication only,
#   in which case this rule is not applicable.
# custom:
#   id: BG-AUTH-003
#   severity: high
#   resource: account
#   requires: [users, authenticationMethods, authenticationMethodsPolicy, transitiveMemberOf]
#   remediation: |
#     Entra admin center > Protection > Authentication methods > Policies >
#     Passkey (FIDO2): set Enable on, target All users or a group holding the
#     break-glass accounts, remove them from Exclude, and under Configure >
#     Key restriction policy either add the keys' AAGUIDs to the allow list
#     or remove them from the block list. Graph: PATCH
#     /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2
#     with state, includeTargets and keyRestrictions.aaGuids.
package breakglass.rules.bg_auth_003

import data.breakglass.lib
import data.breakglass.lib.methods
import rego.v1

fido2 := methods.method_config("Fido2")

keys(uid) := methods.fido2_keys(uid)

blocked(uid) := {sprintf("%s (%s)", [object.get(m, "aaGuid", "no AAGUID"), object.get(m, "displayName", m.id)]) |
	some m in keys(uid)
	not methods.aaguid_allowed(fido2, object.get(m, "aaGuid", ""))
}

restriction := sprintf("%s list %s", [
	object.get(fido2, ["keyRestrictions", "enforcementType"], "allow"),
	concat(", ", sort(object.get(fido2, ["keyRestrictions", "aaGuids"], []))),
])

# problem explains why the FIDO2 policy keeps the account's keys out;
# undefined when every key is usable.
problem(a) := "the FIDO2 (passkey) method configuration is missing from the authentication methods policy" if {
	not fido2
} else := sprintf("the FIDO2 (passkey) method is %s in the authentication methods policy", [fido2.state]) if {
	fido2.state != "enabled"
} else := "the FIDO2 method configuration does not target the account (not in includeTargets, or in an excluded group)" if {
	not methods.config_targets(fido2, a.id)
} else := sprintf("enforced key restrictions (%s) block its key(s): %s", [restriction, concat(", ", sort(blocked(a.id)))]) if {
	count(blocked(a.id)) > 0
}

results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("%s has no FIDO2 key or passkey registered, so there is nothing the FIDO2 policy could allow (see BG-AUTH-001)", [a.upn]),
} if {
	some a in lib.accounts
	a.exists
	count(keys(a.id)) == 0
	not methods.has_certificate(a.user)
}

results contains {
	"status": "not_applicable",
	"resource": lib.account_resource(a),
	"message": sprintf("%s uses certificate-based authentication only (no FIDO2 key registered); the FIDO2 policy does not apply", [a.upn]),
} if {
	some a in lib.accounts
	a.exists
	count(keys(a.id)) == 0
	methods.has_certificate(a.user)
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("%s cannot use its FIDO2 key(s): %s", [a.upn, problem(a)]),
} if {
	some a in lib.accounts
	a.exists
	count(keys(a.id)) > 0
	problem(a)
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("the FIDO2 policy is enabled, targets %s and allows its %d key(s) (AAGUID %s)", [a.upn, count(keys(a.id)), concat(", ", sort({lower(object.get(m, "aaGuid", "")) | some m in keys(a.id)}))]),
} if {
	some a in lib.accounts
	a.exists
	count(keys(a.id)) > 0
	not problem(a)
}
