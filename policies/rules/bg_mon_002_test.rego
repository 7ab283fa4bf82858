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

test_negated_in_is_manual if {
	rs := bg_mon_002.results with input as with_rules([fx.alert_rule("not-bg", `SigninLogs | where UserPrincipalName !in~ ("bg-01@contoso.onmicrosoft.com")`)])
	r := fx.only(rs, fx.bg1)
	r.status == "manual"
	contains(r.message, "not-bg")
	contains(r.message, "negation")
	fx.statuses(rs, fx.bg2) == {"fail"}
}

test_negation_kinds_are_manual if {
	every q in negated_queries {
		rs := bg_mon_002.results with input as with_rules([fx.alert_rule("neg", q)])
		fx.statuses(rs, fx.bg1) == {"manual"}
	}
}

negated_queries := [
	`SigninLogs | where UserPrincipalName != "bg-01@contoso.onmicrosoft.com"`,
	`SigninLogs | where UserPrincipalName !~ "bg-01@contoso.onmicrosoft.com"`,
	`SigninLogs | where UserPrincipalName !in ("bg-01@contoso.onmicrosoft.com")`,
	`SigninLogs | where UserPrincipalName !has "bg-01@contoso.onmicrosoft.com"`,
	`SigninLogs | where UserPrincipalName !contains "bg-01@contoso.onmicrosoft.com"`,
	`SigninLogs | where UserPrincipalName !startswith "bg-01@contoso.onmicrosoft.com"`,
	`SigninLogs | where UserPrincipalName !endswith "bg-01@contoso.onmicrosoft.com"`,
	`SigninLogs | where UserPrincipalName !hasprefix "bg-01@contoso.onmicrosoft.com"`,
	`SigninLogs | where not(UserPrincipalName in~ ("bg-01@contoso.onmicrosoft.com"))`,
	`SigninLogs | where UserPrincipalName == "bg-01@contoso.onmicrosoft.com" and ResultType != "0"`,
]

test_negated_and_plain_rule_passes if {
	rs := bg_mon_002.results with input as with_rules([
		fx.alert_rule("not-bg", `SigninLogs | where UserPrincipalName !in~ ("bg-01@contoso.onmicrosoft.com")`),
		fx.alert_rule("bg", `SigninLogs | where UserPrincipalName =~ "bg-01@contoso.onmicrosoft.com"`),
	])
	r := fx.only(rs, fx.bg1)
	r.status == "pass"
	contains(r.message, ": bg")
	not contains(r.message, "not-bg")
}

test_negation_in_literal_or_comment_ignored if {
	q := "SigninLogs // not(...) and != are ignored here\n| where UserPrincipalName =~ \"bg-01@contoso.onmicrosoft.com\" or AppDisplayName == \"a != b\""
	rs := bg_mon_002.results with input as with_rules([fx.alert_rule("bg", q)])
	fx.statuses(rs, fx.bg1) == {"pass"}
}

test_upn_only_in_comment_fails if {
	q := "SigninLogs // bg-01@contoso.onmicrosoft.com\n| where ResultType == \"0\" // \"bg-01@contoso.onmicrosoft.com\""
	rs := bg_mon_002.results with input as with_rules([fx.alert_rule("commented", q)])
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "none names it")
}

test_signinlogs_only_in_comment_fails if {
	q := "// SigninLogs\nAuditLogs | where Identity == \"bg-01@contoso.onmicrosoft.com\""
	rs := bg_mon_002.results with input as with_rules([fx.alert_rule("audit", q)])
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "audit (query does not read SigninLogs)")
}

test_signinlogs_only_in_literal_fails if {
	rs := bg_mon_002.results with input as with_rules([fx.alert_rule("audit", `AuditLogs | where Category == "SigninLogs" and Identity == "bg-01@contoso.onmicrosoft.com"`)])
	fx.statuses(rs, fx.bg1) == {"fail"}
}

test_other_signin_table_is_not_signinlogs if {
	rs := bg_mon_002.results with input as with_rules([fx.alert_rule("ni", `AADNonInteractiveUserSignInLogs | where UserPrincipalName =~ "bg-01@contoso.onmicrosoft.com"`)])
	fx.statuses(rs, fx.bg1) == {"fail"}
}

test_comment_marker_inside_literal_kept if {
	# "//" inside a literal starts no comment: the UPN after it still counts
	q := `SigninLogs | where Resource == "https://management.azure.com/" or UserPrincipalName =~ "bg-01@contoso.onmicrosoft.com" // note`
	rs := bg_mon_002.results with input as with_rules([fx.alert_rule("url", q)])
	fx.statuses(rs, fx.bg1) == {"pass"}
}

test_substring_of_longer_upn_fails if {
	# bg-01@... must not match inside xbg-01@...
	rs := bg_mon_002.results with input as with_rules([fx.alert_rule("other", `SigninLogs | where UserPrincipalName in~ ("xbg-01@contoso.onmicrosoft.com", "bg-02@contoso.onmicrosoft.com.evil")`)])
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "none names it")
	fx.statuses(rs, fx.bg2) == {"fail"}
}

test_unquoted_upn_fails if {
	rs := bg_mon_002.results with input as with_rules([fx.alert_rule("bare", `SigninLogs | where UserPrincipalName has bg-01@contoso.onmicrosoft.com`)])
	fx.statuses(rs, fx.bg1) == {"fail"}
}

test_single_quoted_upn_passes if {
	rs := bg_mon_002.results with input as with_rules([fx.alert_rule("sq", `SigninLogs | where UserPrincipalName =~ 'bg-01@contoso.onmicrosoft.com'`)])
	fx.statuses(rs, fx.bg1) == {"pass"}
	fx.statuses(rs, fx.bg2) == {"fail"}
}

test_upn_and_table_case_insensitive if {
	rs := bg_mon_002.results with input as with_rules([fx.alert_rule("upper", `SIGNINLOGS | where UserPrincipalName in~ ("BG-01@CONTOSO.ONMICROSOFT.COM", 'Bg-02@Contoso.OnMicrosoft.com')`)])
	fx.statuses(rs, fx.bg1) == {"pass"}
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_object_id_double_quoted_upper_case_passes if {
	rs := bg_mon_002.results with input as with_rules([fx.alert_rule("by-id", sprintf(`SigninLogs | where UserId in ("%s")`, [upper(fx.bg1)]))])
	fx.statuses(rs, fx.bg1) == {"pass"}
}

test_object_id_substring_fails if {
	rs := bg_mon_002.results with input as with_rules([fx.alert_rule("by-id", sprintf(`SigninLogs | where UserId == "%s-x"`, [fx.bg1]))])
	fx.statuses(rs, fx.bg1) == {"fail"}
}

test_negated_rule_with_defect_is_near_miss if {
	rule := patched(fx.alert_rule("not-bg", `SigninLogs | where UserPrincipalName !in~ ("bg-01@contoso.onmicrosoft.com")`), {"enabled": false})
	rs := bg_mon_002.results with input as with_rules([rule])
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "not-bg (disabled)")
}
