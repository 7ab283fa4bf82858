package breakglass.rules.bg_ca_006_test

import data.breakglass.rules.bg_ca_006
import data.breakglass.test.fixtures as fx
import rego.v1

stale := "b9a1e001-0000-4000-8000-00000000b000"

with_policies(ps) := fx.with_items(fx.doc, "conditionalAccessPolicies", ps)

test_no_stale_refs_tenant_pass if {
	rs := bg_ca_006.results with input as fx.doc
	fx.statuses(rs, fx.tenant) == {"pass"}
	count(rs) == 1
}

test_stale_exclusion_fails if {
	rs := bg_ca_006.results with input as with_policies([fx.policy(fx.pol_mfa, "enabled", {"includeUsers": ["All"], "excludeUsers": [stale], "excludeGroups": [fx.gex]}, ["mfa"])])
	count(rs) == 1
	some r in rs
	r.status == "fail"
	r.resource.id == fx.pol_mfa
	r.subject == {"type": "directoryObject", "id": stale, "name": "excludeUsers"}
	contains(r.message, "no longer excludes")
}

test_same_stale_id_in_two_lists_one_result if {
	rs := bg_ca_006.results with input as with_policies([fx.policy(fx.pol_mfa, "enabled", {"includeUsers": [stale], "excludeUsers": [upper(stale)]}, ["mfa"])])
	count(rs) == 1
	some r in rs
	r.subject.name == "excludeUsers, includeUsers"
}

test_report_only_policy_checked if {
	rs := bg_ca_006.results with input as with_policies([fx.policy("p-ro", "enabledForReportingButNotEnforced", {"includeGroups": [stale]}, ["block"])])
	{[r.resource.id, r.status] | some r in rs} == {["p-ro", "fail"]}
}

test_disabled_policy_ignored if {
	rs := bg_ca_006.results with input as with_policies([fx.policy("p-off", "disabled", {"excludeUsers": [stale]}, ["block"])])
	fx.statuses(rs, fx.tenant) == {"pass"}
}

test_keywords_and_roles_not_stale if {
	rs := bg_ca_006.results with input as with_policies([fx.policy("p", "enabled", {"includeUsers": ["All", "GuestsOrExternalUsers"], "includeRoles": [fx.ga]}, ["mfa"])])
	fx.statuses(rs, fx.tenant) == {"pass"}
}

test_stale_role_fails if {
	rs := bg_ca_006.results with input as with_policies([fx.policy("p", "enabled", {"excludeRoles": [fx.secadm]}, ["mfa"])])
	{r.subject.id | some r in rs} == {fx.secadm}
}

# A policy listed twice (different content) is judged once.
test_policy_listed_twice_one_verdict if {
	p := fx.policy("p-dup", "enabled", {"includeUsers": ["All"], "excludeUsers": [stale]}, ["mfa"])
	rs := bg_ca_006.results with input as with_policies([p, object.union(p, {"displayName": "renamed"})])
	count([r | some r in rs; r.resource.id == "p-dup"]) == 1
}
