package breakglass.rules.bg_auth_005_test

import data.breakglass.rules.bg_auth_005
import data.breakglass.test.fixtures as fx
import rego.v1

default_profile := "00000000-0000-0000-0000-000000000001"

admins_profile := "5b0f11e0-0000-4000-8000-000000000002"

profile(id, name, types, aaguids) := {
	"id": id, "name": name, "passkeyTypes": types, "attestationEnforcement": "registrationOnly",
	"keyRestrictions": {"isEnforced": count(aaguids) > 0, "enforcementType": "allow", "aaGuids": aaguids},
}

fido2(targets, excludes, profiles) := {
	"id": "Fido2", "state": "enabled",
	"includeTargets": targets, "excludeTargets": excludes,
	"keyRestrictions": {"isEnforced": false, "enforcementType": "block", "aaGuids": []},
	"defaultPasskeyProfile": default_profile,
	"passkeyProfiles": profiles,
}

doc(cfg) := fx.with_items(fx.doc, "authenticationMethodsPolicy", [{"id": "authenticationMethodsPolicy", "authenticationMethodConfigurations": [cfg]}])

all_users(profiles) := {"targetType": "group", "id": "all_users", "allowedPasskeyProfiles": profiles}

group(gid, profiles) := {"targetType": "group", "id": gid, "allowedPasskeyProfiles": profiles}

test_default_profile_allows_keys_passes if {
	rs := bg_auth_005.results with input as doc(fido2([all_users([])], [], [profile(default_profile, "Default passkey profile", "deviceBound,synced", [])]))
	r := fx.only(rs, fx.bg1)
	r.status == "pass"
	contains(r.message, "Default passkey profile")
	contains(r.message, "attestation")
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_group_profile_rejects_key_fails if {
	cfg := fido2([group(fx.gex, [admins_profile])], [], [
		profile(default_profile, "Default passkey profile", "deviceBound,synced", []),
		profile(admins_profile, "Admins: YubiKey 5 NFC only", "deviceBound", [fx.aag1]),
	])
	rs := bg_auth_005.results with input as doc(cfg)
	fx.statuses(rs, fx.bg1) == {"pass"}
	r := fx.only(rs, fx.bg2)
	r.status == "fail"
	contains(r.message, fx.aag2)
}

# Several targets: any profile allowing the key is enough.
test_any_targeting_profile_suffices if {
	cfg := fido2([group(fx.gex, [admins_profile]), all_users([default_profile])], [], [
		profile(default_profile, "Default passkey profile", "deviceBound,synced", []),
		profile(admins_profile, "Admins", "deviceBound", [fx.aag1]),
	])
	rs := bg_auth_005.results with input as doc(cfg)
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_synced_only_profile_rejects_security_key if {
	keys := fx.with_items(fx.doc, "authenticationMethods", [
		{"id": fx.bg1, "methods": [object.union(fx.fido("k1", fx.aag1), {"passkeyType": "deviceBound"})]},
		{"id": fx.bg2, "methods": [object.union(fx.fido("k2", fx.aag2), {"passkeyType": "synced"})]},
	])
	d := fx.with_items(keys, "authenticationMethodsPolicy", [{"id": "authenticationMethodsPolicy", "authenticationMethodConfigurations": [fido2([all_users([])], [], [profile(default_profile, "Synced passkeys", "synced", [])])]}])
	rs := bg_auth_005.results with input as d
	fx.statuses(rs, fx.bg1) == {"fail"}
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_excluded_fails if {
	rs := bg_auth_005.results with input as doc(fido2([all_users([])], [{"targetType": "group", "id": fx.gex}], [profile(default_profile, "Default", "deviceBound,synced", [])]))
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "excluded")
}

test_no_profile_targets_fails if {
	rs := bg_auth_005.results with input as doc(fido2([group("9e0c1a55-0000-4000-8000-0000000e00ff", [admins_profile])], [], [profile(default_profile, "Default", "deviceBound,synced", []), profile(admins_profile, "Admins", "deviceBound", [])]))
	fx.statuses(rs, fx.bg1) == {"fail"}
}

# Missing data: a key without passkeyType under a synced-only profile.
test_unknown_key_type_errors if {
	rs := bg_auth_005.results with input as doc(fido2([all_users([])], [], [profile(default_profile, "Synced", "synced", [])]))
	fx.statuses(rs, fx.bg1) == {"error"}
}

test_not_migrated_not_applicable if {
	rs := bg_auth_005.results with input as fx.doc
	fx.statuses(rs, fx.bg1) == {"not_applicable"}
}
