package breakglass.rules.bg_auth_003_test

import data.breakglass.rules.bg_auth_003
import data.breakglass.test.fixtures as fx
import rego.v1

fido2_cfg := fx.items("authenticationMethodsPolicy")[0].authenticationMethodConfigurations[0]

with_fido2(patch) := fx.with_items(fx.doc, "authenticationMethodsPolicy", [{
	"id": "authenticationMethodsPolicy",
	"authenticationMethodConfigurations": [object.union(fido2_cfg, patch)],
}])

test_allowed_keys_pass if {
	rs := bg_auth_003.results with input as fx.doc
	fx.statuses(rs, fx.bg1) == {"pass"}
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_allow_list_missing_aaguid_fails if {
	rs := bg_auth_003.results with input as with_fido2({"keyRestrictions": {"isEnforced": true, "enforcementType": "allow", "aaGuids": [fx.aag1]}})
	fx.statuses(rs, fx.bg1) == {"pass"}
	r := fx.only(rs, fx.bg2)
	r.status == "fail"
	contains(r.message, fx.aag2)
}

test_block_list_fails if {
	rs := bg_auth_003.results with input as with_fido2({"keyRestrictions": {"isEnforced": true, "enforcementType": "block", "aaGuids": [upper(fx.aag1)]}})
	fx.statuses(rs, fx.bg1) == {"fail"}
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_restrictions_not_enforced_pass if {
	rs := bg_auth_003.results with input as with_fido2({"keyRestrictions": {"isEnforced": false, "enforcementType": "allow", "aaGuids": []}})
	fx.statuses(rs, fx.bg1) == {"pass"}
}

test_disabled_fails if {
	rs := bg_auth_003.results with input as with_fido2({"state": "disabled"})
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "disabled")
}

test_not_targeted_fails if {
	rs := bg_auth_003.results with input as with_fido2({"includeTargets": [{"targetType": "group", "id": "9e0c1a55-0000-4000-8000-0000000e00ff"}]})
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "does not target")
}

# Excluded through a group the account belongs to (transitively).
test_excluded_group_fails if {
	rs := bg_auth_003.results with input as with_fido2({"excludeTargets": [{"targetType": "group", "id": fx.gex}]})
	fx.statuses(rs, fx.bg1) == {"fail"}
}

test_no_key_fails if {
	rs := bg_auth_003.results with input as fx.with_items(fx.doc, "authenticationMethods", [{"id": fx.bg2, "methods": [fx.fido("g", fx.aag2)]}])
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "BG-AUTH-001")
}

test_certificate_only_not_applicable if {
	users := [object.union(fx.items("users")[0], {"authorizationInfo": {"certificateUserIds": ["X509:<PN>bg-01@contoso.onmicrosoft.com"]}}), fx.items("users")[1]]
	d := fx.with_items(fx.with_items(fx.doc, "users", users), "authenticationMethods", [])
	rs := bg_auth_003.results with input as d
	fx.statuses(rs, fx.bg1) == {"not_applicable"}
	fx.statuses(rs, fx.bg2) == {"fail"}
}

test_missing_configuration_fails if {
	rs := bg_auth_003.results with input as fx.with_items(fx.doc, "authenticationMethodsPolicy", [{"id": "authenticationMethodsPolicy", "authenticationMethodConfigurations": []}])
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "missing")
}

restricted(aaguids) := fx.with_items(fx.doc, "authenticationMethodsPolicy", [{"id": "authenticationMethodsPolicy", "authenticationMethodConfigurations": [{
	"id": "Fido2", "state": "enabled",
	"includeTargets": [{"targetType": "group", "id": "all_users"}], "excludeTargets": [],
	"keyRestrictions": {"isEnforced": true, "enforcementType": "allow", "aaGuids": aaguids},
}]}])

# The failure message lists the key restrictions sorted, not in the
# order the methods policy lists them.
test_restriction_message_independent_of_order if {
	rs1 := bg_auth_003.results with input as restricted(["b", fx.aag2, "a"])
	rs2 := bg_auth_003.results with input as restricted(["a", "b", fx.aag2])
	fx.only(rs1, fx.bg1).status == "fail"
	rs1 == rs2
}

# A methods policy listing the FIDO2 configuration twice: one is judged,
# whatever the order (it used to be the first in the list).
test_fido2_configuration_listed_twice if {
	on := {"id": "Fido2", "state": "enabled", "includeTargets": [{"targetType": "group", "id": "all_users"}], "excludeTargets": []}
	off := object.union(on, {"state": "disabled"})
	d1 := fx.with_items(fx.doc, "authenticationMethodsPolicy", [{"id": "authenticationMethodsPolicy", "authenticationMethodConfigurations": [on, off]}])
	d2 := fx.with_items(fx.doc, "authenticationMethodsPolicy", [{"id": "authenticationMethodsPolicy", "authenticationMethodConfigurations": [off, on]}])
	rs1 := bg_auth_003.results with input as d1
	rs2 := bg_auth_003.results with input as d2
	rs1 == rs2
}
