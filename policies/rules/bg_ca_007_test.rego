package breakglass.rules.bg_ca_007_test

import data.breakglass.rules.bg_ca_007
import data.breakglass.test.fixtures as fx
import rego.v1

pol_managed := "c0000001-0000-4000-8000-0000000000ff"

managed_mfa(grant) := object.union(fx.policy(pol_managed, "enabledForReportingButNotEnforced", {"includeRoles": [fx.ga]}, []), {
	"displayName": "Microsoft-managed: Multifactor authentication for admins accessing Microsoft Admin Portals",
	"templateId": "c7503427-338e-4c5e-902d-abe252abfb43",
	"grantControls": grant,
})

with_policies(ps) := fx.with_items(fx.doc, "conditionalAccessPolicies", array.concat(fx.items("conditionalAccessPolicies"), ps))

# bg-02 left with its password only: it cannot meet MFA.
password_only(d) := fx.with_items(d, "authenticationMethods", [
	{"id": fx.bg1, "methods": [fx.fido("m-bg1-fido", fx.aag1)]},
	{"id": fx.bg2, "methods": [{"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": "28c10230-6103-485e-b985-444c60001490"}]},
])

pairs(rs, uid) := {r.status | some r in rs; r.resource.id == pol_managed; r.subject.id == uid}

test_managed_satisfiable_passes if {
	rs := bg_ca_007.results with input as with_policies([managed_mfa({"operator": "OR", "builtInControls": ["mfa"]})])
	pairs(rs, fx.bg1) == {"pass"}
	pairs(rs, fx.bg2) == {"pass"}
	some r in rs
	r.resource.id == pol_managed
	contains(r.message, "pending enforcement")
}

test_managed_unsatisfiable_fails if {
	rs := bg_ca_007.results with input as password_only(with_policies([managed_mfa({"operator": "OR", "builtInControls": ["mfa"]})]))
	pairs(rs, fx.bg1) == {"pass"}
	pairs(rs, fx.bg2) == {"fail"}
	some r in rs
	r.subject.id == fx.bg2
	contains(r.message, "switches this Microsoft-managed policy")
	contains(r.message, "does not expose the date")
}

test_managed_excluded_passes if {
	p := json.patch(managed_mfa({"operator": "OR", "builtInControls": ["block"]}), [{"op": "replace", "path": "/conditions/users/excludeGroups", "value": [fx.gex]}])
	rs := bg_ca_007.results with input as with_policies([p])
	pairs(rs, fx.bg1) == {"pass"}
	pairs(rs, fx.bg2) == {"pass"}
}

# Missing data: a strength the snapshot cannot resolve is error, never pass.
test_unresolvable_strength_errors if {
	rs := bg_ca_007.results with input as with_policies([managed_mfa({"operator": "OR", "builtInControls": [], "authenticationStrength": {"id": "5b5b5b5b-0000-4000-8000-000000000001"}})])
	pairs(rs, fx.bg1) == {"error"}
}

test_tenant_report_only_not_applicable if {
	p := fx.policy("c0000001-0000-4000-8000-0000000000fe", "enabledForReportingButNotEnforced", {"includeUsers": ["All"]}, ["block"])
	rs := bg_ca_007.results with input as with_policies([p])
	{r.status | some r in rs} == {"not_applicable"}
	count(rs) == 2
}

test_enabled_managed_policy_not_judged if {
	p := object.union(managed_mfa({"operator": "OR", "builtInControls": ["block"]}), {"state": "enabled"})
	rs := bg_ca_007.results with input as with_policies([p])
	count(rs) == 0
}

test_waived_not_applicable if {
	d := fx.with_config(password_only(with_policies([managed_mfa({"operator": "OR", "builtInControls": ["mfa"]})])), {"caAllowedPolicies": [pol_managed]})
	rs := bg_ca_007.results with input as d
	pairs(rs, fx.bg2) == {"not_applicable"}
}
