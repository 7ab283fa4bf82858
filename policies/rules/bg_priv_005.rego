# METADATA
# title: PIM approval cannot deadlock Global Administrator and Privileged Role Administrator
# description: |
#   When every Global Administrator and Privileged Role Administrator
#   assignment is PIM-eligible and activating the role needs approval, the
#   request waits for an approver. If no approver can act — the named
#   approvers are deleted or disabled, an approver group has no enabled
#   member, or (no approvers named) the default approvers, the active
#   Global and Privileged Role Administrators, do not exist because they too
#   are only eligible — nobody can activate the role and nobody can change
#   the role settings: the tenant is locked out of its highest roles. This
#   rule reads the PIM role settings (role management policy assignments
#   for directory roles at scope "/", with the policy's rules expanded) of
#   both roles. It fails when activation needs approval and no approver can
#   act, and says whether a declared break-glass account still holds Global
#   Administrator permanently and actively (then the tenant can still be
#   repaired by breaking the glass, otherwise nobody can get in). Approvers
#   of other kinds (manager, sponsors) cannot be evaluated: `error` unless a
#   known approver can act. Follows
#   https://learn.microsoft.com/graph/api/resources/unifiedrolemanagementpolicyassignment,
#   https://learn.microsoft.com/graph/api/resources/unifiedrolemanagementpolicyapprovalrule
#   and https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-how-to-change-default-settings
#   ("if no approvers are selected, Privileged Role Administrators and
#   Global Administrators become the default approvers"). The rule id
#   `Approval_EndUser_Assignment` and the approvalStages / primaryApprovers
#   shape follow the Graph documentation; not verified against a live
#   tenant. The role settings need Microsoft Entra ID P2 (or Governance):
#   without it the data set is `unlicensed` and this rule `error`.
# custom:
#   id: BG-PRIV-005
#   severity: high
#   resource: tenant
#   requires: [roleManagementPolicyAssignments, roleAssignmentSchedules, roleDefinitions, users, transitiveMemberOf]
#   remediation: |
#     Give at least one break-glass account a permanent active Global
#     Administrator assignment (BG-PRIV-001), and make sure every role whose
#     activation needs approval has an approver who can act: Entra admin
#     center > Identity governance > Privileged Identity Management >
#     Microsoft Entra roles > Settings > Global Administrator (and
#     Privileged Role Administrator) > Edit > Activation > Require approval
#     to activate > Select approvers: enabled users, or a group with enabled
#     members, that do not themselves need approval to act. Graph: PATCH
#     /policies/roleManagementPolicies/{policy id}/rules/Approval_EndUser_Assignment.
package breakglass.rules.bg_priv_005

import data.breakglass.lib
import rego.v1

privileged_role_administrator := "e8611ab8-c189-46e8-94e1-60213ab1f814"

critical_roles := [lib.global_administrator, privileged_role_administrator]

builtin_names := {lib.global_administrator: "Global Administrator", privileged_role_administrator: "Privileged Role Administrator"}

role(t) := name if {
	name := lib.role_name(t)
	name != t
} else := builtin_names[t]

# assignments: the collected role management policy assignment(s) per role
# template id (one is expected; several are judged together, worst first).
assignments := {t: [x | some x in lib.items("roleManagementPolicyAssignments"); lower(object.get(x, "roleDefinitionId", "")) == t] |
	some t in critical_roles
}

approval_rules(t) := [r |
	some x in assignments[t]
	some r in object.get(x, ["policy", "rules"], [])
	r.id == "Approval_EndUser_Assignment"
]

needs_approval(t) if {
	some r in approval_rules(t)
	object.get(r, ["setting", "isApprovalRequired"], false) == true
}

# approvers: every primary approver of every approval stage.
approvers(t) := [ap |
	some r in approval_rules(t)
	object.get(r, ["setting", "isApprovalRequired"], false) == true
	some stage in object.get(r, ["setting", "approvalStages"], [])
	some ap in object.get(stage, "primaryApprovers", [])
]

# approver_users / approver_groups: what the collector read about each
# named approver (a list per id: several policy assignments may name the
# same approver; any enabled copy counts).
approver_users(id) := [u | some x in lib.items("roleManagementPolicyAssignments"); some u in object.get(x, "approverUsers", []); lower(u.id) == lower(id)]

approver_group_members(id) := [m |
	some x in lib.items("roleManagementPolicyAssignments")
	some g in object.get(x, "approverGroups", [])
	lower(g.id) == lower(id)
	some m in object.get(g, "members", [])
]

approver_group_read(id) if {
	some x in lib.items("roleManagementPolicyAssignments")
	some g in object.get(x, "approverGroups", [])
	lower(g.id) == lower(id)
}

kind(ap) := trim_prefix(object.get(ap, "@odata.type", ""), "#microsoft.graph.")

# able(ap): names who can act for an approver; undefined when the snapshot
# cannot tell (approver kind not modelled, approver not read).
able(ap) := {object.get(u, "userPrincipalName", u.id) | some u in approver_users(ap.userId); u.accountEnabled == true; not u.deleted} if {
	kind(ap) == "singleUser"
	count(approver_users(ap.userId)) > 0
}

able(ap) := {object.get(m, "userPrincipalName", m.id) | some m in approver_group_members(ap.groupId); m.accountEnabled == true} if {
	kind(ap) == "groupMembers"
	approver_group_read(ap.groupId)
}

unknown_approvers(t) := {sprintf("%s %s", [kind(ap), object.get(ap, "userId", object.get(ap, "groupId", object.get(ap, "description", "")))]) |
	some ap in approvers(t)
	not able(ap)
}

# standing: enabled users holding the role permanently and actively at "/"
# (directly or through a role-assignable group): the default approvers, and
# a way in that no approval can block.
standing(t) := direct(t) | via_group(t)

permanent_principals(t) := {lower(s.principalId) |
	some s in lib.items("roleAssignmentSchedules")
	lib.template_of(s.roleDefinitionId) == t
	object.get(s, "directoryScopeId", "/") == "/"
	object.get(s, "assignmentType", "Assigned") == "Assigned"
	never_expires(s)
}

direct(t) := {pid | some pid in permanent_principals(t); lib.users_by_id[pid].accountEnabled == true}

via_group(t) := {uid |
	pids := permanent_principals(t)
	some uid, groups in lib.member_of
	count(pids & groups) > 0
	lib.users_by_id[uid].accountEnabled == true
}

never_expires(s) if lower(object.get(s, ["scheduleInfo", "expiration", "type"], "noExpiration")) == "noexpiration"

never_expires(s) if {
	lower(object.get(s, ["scheduleInfo", "expiration", "type"], "")) == "notspecified"
	object.get(s, ["scheduleInfo", "expiration", "endDateTime"], null) == null
}

upn(uid) := object.get(lib.users_by_id, [uid, "userPrincipalName"], uid)

default_approvers := {upn(u) | some u in (standing(lib.global_administrator) | standing(privileged_role_administrator))}

can_act(t) := union({able(ap) | some ap in approvers(t)}) if count(approvers(t)) > 0

else := default_approvers

# state(t): {"v": "ok"|"deadlock"|"unknown", "why": ...}.
state(t) := {"v": "unknown", "why": sprintf("no PIM role settings were collected for %s", [role(t)])} if {
	count(assignments[t]) == 0
} else := {"v": "unknown", "why": sprintf("the PIM role settings of %s have no approval rule (Approval_EndUser_Assignment)", [role(t)])} if {
	count(approval_rules(t)) == 0
} else := {"v": "ok", "why": sprintf("%s: activation needs no approval", [role(t)])} if {
	not needs_approval(t)
} else := {"v": "ok", "why": sprintf("%s: activation needs approval and %s can approve", [role(t), concat(", ", sort(can_act(t)))])} if {
	count(can_act(t)) > 0
} else := {"v": "unknown", "why": sprintf("%s: activation needs approval and no known approver can act; approvers that cannot be evaluated: %s", [role(t), concat(", ", sort(unknown_approvers(t)))])} if {
	count(unknown_approvers(t)) > 0
} else := {"v": "deadlock", "why": sprintf("%s: activation needs approval and no approver can act (%s)", [role(t), deadlock_reason(t)])}

deadlock_reason(t) := "no approvers are named, and the default approvers — active Global and Privileged Role Administrators — do not exist: every assignment is eligible or time-bound" if {
	count(approvers(t)) == 0
} else := "every named approver is deleted or disabled, or an approver group has no enabled member"

states := [state(t) | some t in critical_roles]

bg_standing := {a.upn | some a in lib.accounts; a.exists; lower(a.id) in standing(lib.global_administrator)}

escape := sprintf("break-glass account(s) %s still hold Global Administrator permanently and can repair the settings", [concat(", ", sort(bg_standing))]) if {
	count(bg_standing) > 0
} else := "no declared break-glass account holds Global Administrator permanently and actively: NOBODY can get in"

results contains {
	"status": "fail",
	"resource": lib.tenant_resource,
	"message": sprintf("PIM approval deadlock: %s; %s", [concat("; ", [s.why | some s in states; s.v == "deadlock"]), escape]),
} if {
	some s in states
	s.v == "deadlock"
}

results contains {
	"status": "error",
	"resource": lib.tenant_resource,
	"message": sprintf("cannot tell whether PIM approval can deadlock: %s", [concat("; ", [s.why | some s in states; s.v == "unknown"])]),
} if {
	not deadlocked
	some s in states
	s.v == "unknown"
}

results contains {
	"status": "pass",
	"resource": lib.tenant_resource,
	"message": sprintf("PIM approval cannot deadlock the highest roles: %s", [concat("; ", [s.why | some s in states])]),
} if {
	every s in states {
		s.v == "ok"
	}
}

deadlocked if {
	some s in states
	s.v == "deadlock"
}
