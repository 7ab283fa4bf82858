package breakglass.rules.bg_inv_002_test

import data.breakglass.rules.bg_inv_002
import data.breakglass.test.fixtures as fx
import rego.v1

test_within_limit_passes if {
	rs := bg_inv_002.results with input as fx.doc
	fx.statuses(rs, fx.tenant) == {"pass"}
}

test_at_limit_passes if {
	rs := bg_inv_002.results with input as fx.with_config(fx.doc, {"maxAccounts": 2})
	fx.statuses(rs, fx.tenant) == {"pass"}
}

test_too_many_fails if {
	rs := bg_inv_002.results with input as fx.with_config(fx.doc, {"maxAccounts": 1})
	r := fx.only(rs, fx.tenant)
	r.status == "fail"
	contains(r.message, "2 accounts are declared, more than maxAccounts 1")
}

test_no_accounts_passes if {
	rs := bg_inv_002.results with input as fx.with_config(fx.doc, {"accounts": []})
	fx.statuses(rs, fx.tenant) == {"pass"}
}
