package breakglass.rules.bg_ca_003_test

import data.breakglass.rules.bg_ca_003
import data.breakglass.test.fixtures as fx
import rego.v1

pid := "c0000001-0000-4000-8000-00000000ca05"

with_policies(ps) := fx.with_items(fx.doc, "conditionalAccessPolicies", ps)

pairs(rs) := {[r.subject.id, r.status] | some r in rs}

test_report_only_excluded_passes if {
	rs := bg_ca_003.results with input as with_policies([fx.policy(pid, "enabledForReportingButNotEnforced", {"includeUsers": ["All"], "excludeGroups": [fx.gex]}, ["block"])])
	pairs(rs) == {[fx.bg1, "pass"], [fx.bg2, "pass"]}
}

test_report_only_block_fails if {
	rs := bg_ca_003.results with input as with_policies([fx.policy(pid, "enabledForReportingButNotEnforced", {"includeUsers": ["All"], "excludeUsers": [fx.bg1]}, ["block"])])
	pairs(rs) == {[fx.bg1, "pass"], [fx.bg2, "fail"]}
	some r in rs
	r.status == "fail"
	startswith(r.message, "report-only now, but once enabled")
	r.resource.id == pid
}

# MFA is satisfiable with the accounts' FIDO2 keys: no exclusion needed.
test_report_only_mfa_satisfiable_passes if {
	rs := bg_ca_003.results with input as with_policies([fx.policy(pid, "enabledForReportingButNotEnforced", {"includeUsers": ["All"]}, ["mfa"])])
	pairs(rs) == {[fx.bg1, "pass"], [fx.bg2, "pass"]}
}

test_enabled_and_disabled_policies_ignored if {
	rs := bg_ca_003.results with input as with_policies([
		fx.policy("p-on", "enabled", {"includeUsers": ["All"]}, ["block"]),
		fx.policy("p-off", "disabled", {"includeUsers": ["All"]}, ["block"]),
	])
	count(rs) == 0
}

test_waived_policy_not_applicable if {
	d := fx.with_config(with_policies([fx.policy(pid, "enabledForReportingButNotEnforced", {"includeUsers": ["All"]}, ["block"])]), {"caAllowedPolicies": [pid]})
	rs := bg_ca_003.results with input as d
	pairs(rs) == {[fx.bg1, "not_applicable"], [fx.bg2, "not_applicable"]}
}

test_unresolvable_strength_error if {
	p := object.union(fx.policy(pid, "enabledForReportingButNotEnforced", {"includeUsers": ["All"]}, []), {"grantControls": {"operator": "OR", "builtInControls": [], "authenticationStrength": {"id": "unknown-strength"}}})
	rs := bg_ca_003.results with input as with_policies([p])
	pairs(rs) == {[fx.bg1, "error"], [fx.bg2, "error"]}
}

test_microsoft_managed_left_to_ca_007 if {
	p := object.union(fx.policy("c0000001-0000-4000-8000-0000000000ff", "enabledForReportingButNotEnforced", {"includeUsers": ["All"]}, ["block"]), {"displayName": "Microsoft-managed: Block device code flow"})
	rs := bg_ca_003.results with input as fx.with_items(fx.doc, "conditionalAccessPolicies", [p])
	{r.status | some r in rs} == {"not_applicable"}
	some r in rs
	contains(r.message, "BG-CA-007")
}
