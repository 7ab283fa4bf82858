package breakglass.rules.bg_inv_005_test

import data.breakglass.rules.bg_inv_005
import data.breakglass.test.fixtures as fx
import rego.v1

review(id, query, auto) := {
	"id": id, "displayName": id, "status": "InProgress",
	"scope": {"@odata.type": "#microsoft.graph.accessReviewQueryScope", "query": query, "queryType": "MicrosoftGraph"},
	"settings": {"autoApplyDecisionsEnabled": auto, "defaultDecisionEnabled": true, "defaultDecision": "Recommendation", "recommendationsEnabled": true},
}

role_review(id, role) := {
	"id": id, "displayName": id, "status": "InProgress",
	"scope": {
		"@odata.type": "#microsoft.graph.principalResourceMembershipsScope",
		"principalScopes": [{"@odata.type": "#microsoft.graph.accessReviewQueryScope", "query": "/users", "queryType": "MicrosoftGraph"}],
		"resourceScopes": [{"@odata.type": "#microsoft.graph.accessReviewQueryScope", "query": sprintf("/roleManagement/directory/roleDefinitions/%s", [role]), "queryType": "MicrosoftGraph"}],
	},
	"settings": {"autoApplyDecisionsEnabled": true},
}

workflow(id, trigger, rule, task) := {
	"id": id, "displayName": id, "category": "leaver", "isEnabled": true, "isSchedulingEnabled": true,
	"executionConditions": {
		"@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
		"scope": {"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": rule},
		"trigger": {"@odata.type": trigger},
	},
	"tasks": [{"id": "t1", "taskDefinitionId": task, "isEnabled": true, "displayName": "task"}],
}

inactive := "#microsoft.graph.identityGovernance.inactiveUsersTrigger"

delete_user := "8d18588d-9ad3-4c0f-99d0-ec215f0e3dff"

doc(reviews, workflows, policies) := fx.with_items(fx.with_items(fx.with_items(fx.doc, "accessReviewDefinitions", reviews), "lifecycleWorkflows", workflows), "groupLifecyclePolicies", policies)

test_nothing_automated_passes if {
	rs := bg_inv_005.results with input as doc([review("r0", sprintf("/groups/%s/transitiveMembers", [fx.gex]), false)], [], [{"id": "p1", "managedGroupTypes": "All", "groupLifetimeInDays": 180}])
	fx.statuses(rs, fx.bg1) == {"pass"}
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_auto_applied_review_of_exclusion_group_fails if {
	rs := bg_inv_005.results with input as doc([review("r1", sprintf("/groups/%s/transitiveMembers", [fx.gex]), true)], [], [])
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "access review \"r1\"")
}

test_auto_applied_role_review_fails if {
	rs := bg_inv_005.results with input as doc([role_review("r2", fx.ga)], [], [])
	fx.statuses(rs, fx.bg1) == {"fail"}
}

test_review_of_other_group_or_guests_passes if {
	rs := bg_inv_005.results with input as doc(
		[
			review("r3", "/groups/9e0c1a55-0000-4000-8000-0000000e00ff/transitiveMembers", true),
			review("r4", "/users?$filter=(userType eq 'Guest')", true),
		],
		[], [],
	)
	fx.statuses(rs, fx.bg1) == {"pass"}
}

test_inactivity_workflow_fails if {
	rs := bg_inv_005.results with input as doc([], [workflow("w1", inactive, "(department eq 'IT')", delete_user)], [])
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "Delete user account")
}

test_workflow_excluding_accounts_passes if {
	rule := "(accountEnabled eq true) and (userPrincipalName ne 'bg-01@contoso.onmicrosoft.com') and (userPrincipalName ne 'bg-02@contoso.onmicrosoft.com')"
	rs := bg_inv_005.results with input as doc([], [workflow("w2", inactive, rule, delete_user)], [])
	fx.statuses(rs, fx.bg1) == {"pass"}
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_harmless_workflow_passes if {
	rs := bg_inv_005.results with input as doc([], [workflow("w3", inactive, "", "70b29d51-b59a-4773-9280-8841dfd3f2ea")], [])
	fx.statuses(rs, fx.bg1) == {"pass"}
}

test_m365_exclusion_group_expiring_fails if {
	d := fx.with_items(doc([], [], [{"id": "p1", "managedGroupTypes": "Selected", "groupLifetimeInDays": 180, "groups": [fx.gex]}]), "groups", [{"id": fx.gex, "displayName": "CA-BreakGlass-Exclude", "isAssignableToRole": true, "groupTypes": ["Unified"], "membershipRule": null}])
	rs := bg_inv_005.results with input as d
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "expiration")
}

# Missing data: a scope or trigger the rule cannot interpret is error.
test_unknown_review_scope_errors if {
	rs := bg_inv_005.results with input as doc([review("r5", "/teams/abc/members", true)], [], [])
	r := fx.only(rs, fx.bg1)
	r.status == "error"
	contains(r.message, "/teams/abc/members")
}

test_attribute_workflow_errors if {
	rs := bg_inv_005.results with input as doc([], [workflow("w4", "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger", "(department eq 'Sales')", delete_user)], [])
	fx.statuses(rs, fx.bg1) == {"error"}
}
