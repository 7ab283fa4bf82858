package breakglass.rules.bg_cred_002_test

import data.breakglass.rules.bg_cred_002
import data.breakglass.test.fixtures as fx
import rego.v1

with_policies(v) := fx.with_items(fx.doc, "users", [object.union(fx.items("users")[0], {"passwordPolicies": v}), fx.items("users")[1]])

test_never_expires_passes if {
	rs := bg_cred_002.results with input as fx.doc
	fx.statuses(rs, fx.bg1) == {"pass"}
}

test_combined_flags_pass if {
	rs := bg_cred_002.results with input as with_policies("DisableStrongPassword, DisablePasswordExpiration")
	fx.statuses(rs, fx.bg1) == {"pass"}
}

test_none_fails if {
	rs := bg_cred_002.results with input as with_policies("None")
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "passwordPolicies None")
}

test_null_fails if {
	rs := bg_cred_002.results with input as with_policies(null)
	fx.statuses(rs, fx.bg1) == {"fail"}
}
