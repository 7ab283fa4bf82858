# METADATA
# title: A passkey profile lets the break-glass account use every registered key
# description: |
#   Since passkey profiles, the FIDO2 (passkey) method configuration holds
#   several profiles (`passkeyProfiles`: passkey types device-bound and/or
#   synced, attestation enforcement, an AAGUID allow or block list), and
#   each include target names the profiles its members get
#   (`includeTargets[].allowedPasskeyProfiles`); an exclude target overrides
#   every include. The top-level key restrictions BG-AUTH-003 checks no
#   longer tell the whole story: a profile scoped to the break-glass group
#   can reject a key the rest of the policy allows. For each declared
#   account with FIDO2 keys this rule checks that it is not excluded, that
#   at least one profile targets it, and that every registered key is
#   allowed by some profile targeting it (key restrictions by AAGUID, and
#   the passkey type: a key without `passkeyType` is taken as device-bound
#   only when every targeting profile allows device-bound keys, otherwise
#   it is `error`). Attestation enforcement (`registrationOnly`) applies at
#   registration, not at sign-in, so it is reported but never fails a
#   registered key. Tenants that have not migrated to passkey profiles are
#   not applicable (BG-AUTH-003 judges them). Follows
#   https://learn.microsoft.com/graph/api/resources/fido2authenticationmethodconfiguration
#   and https://learn.microsoft.com/graph/api/resources/passkeyprofile
#   (v1.0). Not verified against a live tenant: how several targeting
#   profiles combine (taken here as "any of them"), that an include target
#   without `allowedPasskeyProfiles` gets `defaultPasskeyProfile`, and the
#   `passkeyType` field of fido2AuthenticationMethod.
# custom:
#   id: BG-AUTH-005
#   severity: high
#   resource: account
#   requires: [users, authenticationMethods, authenticationMethodsPolicy, transitiveMemberOf]
#   remediation: |
#     Entra admin center > Protection > Authentication methods > Policies >
#     Passkey (FIDO2) > Configure: give the break-glass group a passkey
#     profile whose key restrictions allow the accounts' key AAGUIDs and
#     whose passkey types include their keys (device-bound for hardware
#     security keys), assign it under Enable and target, and remove the
#     group from Exclude. Graph: PATCH
#     /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2
#     with passkeyProfiles and includeTargets[].allowedPasskeyProfiles.
package breakglass.rules.bg_auth_005

import data.breakglass.lib
import data.breakglass.lib.methods
import rego.v1

fido2 := methods.method_config("Fido2")

profiles := object.get(fido2, "passkeyProfiles", [])

migrated if count(profiles) > 0

profile_by_id(id) := [p | some p in profiles; lower(p.id) == lower(id)]

# targeting_ids: profile ids the account's include targets allow.
targeting_ids(uid) := {lower(pid) |
	groups := lib.groups_of(uid)
	some t in object.get(fido2, "includeTargets", [])
	methods.target_matches(t, groups)
	some pid in allowed_profiles(t)
}

allowed_profiles(t) := t.allowedPasskeyProfiles if count(object.get(t, "allowedPasskeyProfiles", [])) > 0

else := [fido2.defaultPasskeyProfile] if is_string(object.get(fido2, "defaultPasskeyProfile", null))

else := []

targeting(uid) := [p | some id in targeting_ids(uid); some p in profile_by_id(id)]

excluded(uid) if methods.excluded_by_target(fido2, lib.groups_of(uid))

types(p) := {lower(trim_space(x)) | some x in split(object.get(p, "passkeyTypes", ""), ",")} - {""}

key_type(k) := lower(k.passkeyType) if is_string(object.get(k, "passkeyType", null))

# type_verdict: "yes", "no" or "unknown" for a key under a profile.
type_verdict(k, p) := "yes" if key_type(k) in types(p)

else := "no" if key_type(k)

else := "yes" if {
	"devicebound" in types(p)
}

else := "unknown"

allows(k, p) if {
	type_verdict(k, p) == "yes"
	methods.aaguid_allowed(p, object.get(k, "aaGuid", ""))
}

key_name(k) := sprintf("%s (AAGUID %s)", [object.get(k, "displayName", k.id), object.get(k, "aaGuid", "none")])

rejected(a) := {key_name(k) |
	some k in methods.fido2_keys(a.id)
	not allowed_by_any(k, a.id)
	not unknown_type(k, a.id)
}

unknown_keys(a) := {key_name(k) |
	some k in methods.fido2_keys(a.id)
	not allowed_by_any(k, a.id)
	unknown_type(k, a.id)
}

allowed_by_any(k, uid) if {
	some p in targeting(uid)
	allows(k, p)
}

unknown_type(k, uid) if {
	some p in targeting(uid)
	type_verdict(k, p) == "unknown"
	methods.aaguid_allowed(p, object.get(k, "aaGuid", ""))
}

profile_names(uid) := concat(", ", sort([object.get(p, "name", p.id) | some p in targeting(uid)]))

attestation_note(uid) := sprintf("; attestation is enforced at registration by %s", [concat(", ", sort(ps))]) if {
	ps := {object.get(p, "name", p.id) | some p in targeting(uid); lower(object.get(p, "attestationEnforcement", "")) == "registrationonly"}
	count(ps) > 0
} else := ""

applicable(a) if {
	a.exists
	migrated
	count(methods.fido2_keys(a.id)) > 0
}

results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "not_applicable",
	"resource": lib.account_resource(a),
	"message": "the FIDO2 method configuration has no passkey profiles (not migrated): BG-AUTH-003 judges its key restrictions",
} if {
	some a in lib.accounts
	a.exists
	not migrated
}

results contains {
	"status": "not_applicable",
	"resource": lib.account_resource(a),
	"message": sprintf("%s has no FIDO2 key or passkey registered (see BG-AUTH-001)", [a.upn]),
} if {
	some a in lib.accounts
	a.exists
	migrated
	count(methods.fido2_keys(a.id)) == 0
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("%s is excluded from the passkey (FIDO2) policy: an exclude target overrides every passkey profile", [a.upn]),
} if {
	some a in lib.accounts
	applicable(a)
	excluded(a.id)
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("no passkey profile targets %s (its include targets allow none, or the profiles they name do not exist)", [a.upn]),
} if {
	some a in lib.accounts
	applicable(a)
	not excluded(a.id)
	count(targeting(a.id)) == 0
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("the passkey profiles targeting %s (%s) reject its key(s): %s", [a.upn, profile_names(a.id), concat(", ", sort(rejected(a)))]),
} if {
	some a in lib.accounts
	applicable(a)
	not excluded(a.id)
	count(targeting(a.id)) > 0
	count(rejected(a)) > 0
}

results contains {
	"status": "error",
	"resource": lib.account_resource(a),
	"message": sprintf("the passkey type of %s's key(s) %s is not in the snapshot and the profiles targeting it (%s) do not allow device-bound keys", [a.upn, concat(", ", sort(unknown_keys(a))), profile_names(a.id)]),
} if {
	some a in lib.accounts
	applicable(a)
	not excluded(a.id)
	count(targeting(a.id)) > 0
	count(rejected(a)) == 0
	count(unknown_keys(a)) > 0
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("passkey profile(s) %s allow every key of %s%s", [profile_names(a.id), a.upn, attestation_note(a.id)]),
} if {
	some a in lib.accounts
	applicable(a)
	not excluded(a.id)
	count(targeting(a.id)) > 0
	count(rejected(a)) == 0
	count(unknown_keys(a)) == 0
}
