package breakglass.rules.bg_mon_002_test

import data.breakglass.rules.bg_mon_002
import data.breakglass.test.fixtures as fx
import rego.v1

with_rules(rs) := fx.with_items(fx.doc, "scheduledQueryRules", rs)

patched(rule, props) := object.union(rule, {"properties": props})

test_rule_names_both_upns_case_insensitive if {
	rs := bg_mon_002.results with input as fx.doc
	r := fx.only(rs, fx.bg1)
	r.status == "pass"
	contains(r.message, "bg-alert")
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_object_id_counts if {
	rs := bg_mon_002.results with input as with_rules([fx.alert_rule("by-id", sprintf("SigninLogs | where UserId == '%s'", [fx.bg2]))])
	fx.statuses(rs, fx.bg1) == {"fail"}
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_partial_coverage_names_uncovered if {
	rs := bg_mon_002.results with input as with_rules([fx.alert_rule("one", `SigninLogs | where UserPrincipalName =~ "bg-01@contoso.onmicrosoft.com"`)])
	fx.statuses(rs, fx.bg1) == {"pass"}
	r := fx.only(rs, fx.bg2)
	r.status == "fail"
	contains(r.message, "none names it")
}

test_disabled_rule_fails_with_reason if {
	rs := bg_mon_002.results with input as with_rules([patched(fx.items("scheduledQueryRules")[0], {"enabled": false})])
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "bg-alert (disabled)")
}

test_no_action_group_fails if {
	rs := bg_mon_002.results with input as with_rules([patched(fx.items("scheduledQueryRules")[0], {"actions": {"actionGroups": []}})])
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "no action group")
}

test_threshold_too_high_fails if {
	rule := fx.alert_rule("five", `SigninLogs | where UserPrincipalName in~ ("bg-01@contoso.onmicrosoft.com", "bg-02@contoso.onmicrosoft.com")`)
	crit := object.union(rule.properties.criteria.allOf[0], {"threshold": 5})
	rs := bg_mon_002.results with input as with_rules([patched(rule, {"criteria": {"allOf": [crit]}})])
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "does not fire on a single sign-in")
}

test_greater_or_equal_one_passes if {
	rule := fx.items("scheduledQueryRules")[0]
	crit := object.union(rule.properties.criteria.allOf[0], {"operator": "GreaterThanOrEqual", "threshold": 1})
	rs := bg_mon_002.results with input as with_rules([patched(rule, {"criteria": {"allOf": [crit]}})])
	fx.statuses(rs, fx.bg1) == {"pass"}
}

test_other_table_fails if {
	rs := bg_mon_002.results with input as with_rules([fx.alert_rule("audit", `AuditLogs | where TargetResources has "bg-01@contoso.onmicrosoft.com"`)])
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "does not read SigninLogs")
}

test_no_rules_fails if {
	rs := bg_mon_002.results with input as with_rules([])
	fx.statuses(rs, fx.bg1) == {"fail"}
}
