package breakglass.rules.bg_priv_005_test

import data.breakglass.rules.bg_priv_005
import data.breakglass.test.fixtures as fx
import rego.v1

pra := "e8611ab8-c189-46e8-94e1-60213ab1f814"

approver := "a9900000-0000-4000-8000-00000000a001"

approver_group := "a9900000-0000-4000-8000-00000000a0a0"

# pma is a roleManagementPolicyAssignment with its policy's approval rule.
pma(role, required, approvers, extra) := object.union(
	{
		"id": sprintf("DirectoryRole_%s_%s", [fx.tenant, role]),
		"policyId": sprintf("DirectoryRole_%s_%s", [fx.tenant, role]),
		"roleDefinitionId": role,
		"scopeId": "/",
		"scopeType": "DirectoryRole",
		"policy": {"id": sprintf("DirectoryRole_%s_%s", [fx.tenant, role]), "rules": [
			{"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule", "id": "Expiration_EndUser_Assignment", "maximumDuration": "PT8H"},
			{"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule", "id": "Approval_EndUser_Assignment", "setting": {
				"isApprovalRequired": required,
				"approvalMode": "SingleStage",
				"approvalStages": [{"approvalStageTimeOutInDays": 1, "primaryApprovers": approvers, "escalationApprovers": []}],
			}},
		]},
		"approverUsers": [],
		"approverGroups": [],
	},
	extra,
)

sched(principal, role) := {
	"id": sprintf("s-%s-%s", [principal, role]), "principalId": principal, "roleDefinitionId": role,
	"directoryScopeId": "/", "assignmentType": "Assigned", "memberType": "Direct",
	"scheduleInfo": {"startDateTime": "2025-01-01T00:00:00Z", "expiration": {"type": "noExpiration"}},
}

single(id) := {"@odata.type": "#microsoft.graph.singleUser", "userId": id, "description": "approver"}

doc(pmas, schedules) := fx.with_items(fx.with_items(fx.doc, "roleManagementPolicyAssignments", pmas), "roleAssignmentSchedules", schedules)

only(rs) := r if {
	count(rs) == 1
	some r in rs
}

test_no_approval_passes if {
	r := only(bg_priv_005.results) with input as doc([pma(fx.ga, false, [], {}), pma(pra, false, [], {})], [])
	r.status == "pass"
	r.resource.type == "tenant"
}

test_default_approvers_with_standing_ga_pass if {
	r := only(bg_priv_005.results) with input as doc([pma(fx.ga, true, [], {}), pma(pra, true, [], {})], [sched(fx.bg1, fx.ga)])
	r.status == "pass"
	contains(r.message, "bg-01@contoso.onmicrosoft.com can approve")
}

test_everyone_eligible_deadlocks if {
	r := only(bg_priv_005.results) with input as doc([pma(fx.ga, true, [], {}), pma(pra, false, [], {})], [])
	r.status == "fail"
	contains(r.message, "default approvers")
	contains(r.message, "NOBODY")
}

test_disabled_named_approver_deadlocks if {
	p := pma(fx.ga, true, [single(approver)], {"approverUsers": [{"id": approver, "userPrincipalName": "approver@contoso.com", "accountEnabled": false}]})
	r := only(bg_priv_005.results) with input as doc([p, pma(pra, false, [], {})], [sched(fx.bg1, fx.ga)])
	r.status == "fail"
	contains(r.message, "named approver")
	contains(r.message, "bg-01@contoso.onmicrosoft.com still hold")
}

test_deleted_named_approver_deadlocks if {
	p := pma(fx.ga, true, [single(approver)], {"approverUsers": [{"id": approver, "deleted": true}]})
	r := only(bg_priv_005.results) with input as doc([p, pma(pra, false, [], {})], [])
	r.status == "fail"
}

test_group_approver_with_enabled_member_passes if {
	p := pma(fx.ga, true, [{"@odata.type": "#microsoft.graph.groupMembers", "groupId": approver_group}], {"approverGroups": [{"id": approver_group, "members": [
		{"id": approver, "userPrincipalName": "approver@contoso.com", "accountEnabled": true},
	]}]})
	r := only(bg_priv_005.results) with input as doc([p, pma(pra, false, [], {})], [])
	r.status == "pass"
	contains(r.message, "approver@contoso.com")
}

# Standing Global Administrator through a role-assignable group.
test_standing_via_group_is_default_approver if {
	r := only(bg_priv_005.results) with input as doc([pma(fx.ga, true, [], {}), pma(pra, true, [], {})], [sched(fx.gex, fx.ga)])
	r.status == "pass"
}

# Missing data: no settings collected for a role is error, never pass.
test_missing_role_settings_error if {
	r := only(bg_priv_005.results) with input as doc([pma(fx.ga, false, [], {})], [])
	r.status == "error"
	contains(r.message, "Privileged Role Administrator")
}

test_unmodelled_approver_kind_error if {
	p := pma(fx.ga, true, [{"@odata.type": "#microsoft.graph.requestorManager", "managerLevel": 1}], {})
	r := only(bg_priv_005.results) with input as doc([p, pma(pra, false, [], {})], [])
	r.status == "error"
	contains(r.message, "requestorManager")
}

# A deadlock decides even when another role cannot be evaluated.
test_deadlock_beats_unknown if {
	r := only(bg_priv_005.results) with input as doc([pma(fx.ga, true, [], {})], [])
	r.status == "fail"
}
