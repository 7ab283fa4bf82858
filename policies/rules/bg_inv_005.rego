# METADATA
# title: No automated clean-up can remove a break-glass account, its role or its exclusion group
# description: |
#   Identity governance automation treats an unused account as stale — and a
#   break-glass account is unused by design. This rule fails when, for a
#   declared account, any of these can act without a human in the loop:
#   an access review whose decisions are applied automatically
#   (`settings.autoApplyDecisionsEnabled`, not completed) and whose scope
#   covers the account, a group it is in (the exclusion group included) or
#   a directory role it holds; an enabled, scheduled Lifecycle Workflow with
#   a task that disables or deletes the user or removes it from groups,
#   triggered by inactivity or scoped to every user, whose scope rule does
#   not exclude the account by UPN or object id; a group expiration policy
#   (`groupLifecyclePolicies`) that applies to a Microsoft 365 exclusion
#   group (deleted when nobody renews it, taking the CA exclusion with it).
#   A review scope or workflow trigger the rule cannot interpret is `error`
#   (never a pass). Follows
#   https://learn.microsoft.com/graph/api/resources/accessreviewscheduledefinition
#   (scope queries, settings.autoApplyDecisionsEnabled),
#   https://learn.microsoft.com/graph/api/resources/identitygovernance-workflow
#   and https://learn.microsoft.com/graph/identitygovernance-lifecycleworkflows-task-arguments
#   (task definition ids), and
#   https://learn.microsoft.com/graph/api/resources/grouplifecyclepolicy.
#   Access reviews need Entra ID P2 or Governance, Lifecycle Workflows need
#   Entra ID Governance: without the licence the data set is `unlicensed`
#   and this rule `error`. Not verified against a live tenant: the
#   inactivity trigger's type name (matched as any trigger type containing
#   "inactiv") and the scope query shapes beyond Microsoft's examples.
# custom:
#   id: BG-INV-005
#   severity: high
#   resource: account
#   requires: [users, transitiveMemberOf, roleAssignments, roleDefinitions, groups, accessReviewDefinitions, lifecycleWorkflows, groupLifecyclePolicies]
#   remediation: |
#     Take the break-glass accounts and groups out of automated clean-up:
#     for access reviews, exclude the accounts (Identity Governance > Access
#     reviews > the review > scope: exclude the break-glass group) or turn
#     off "Auto apply results to resource"; for Lifecycle Workflows, add
#     `and (userPrincipalName ne '<account UPN>')` to the workflow's scope
#     rule or disable the destructive task; for group expiration, use a
#     security group (not Microsoft 365) as the exclusion group or remove
#     it from the expiration policy (Groups > Expiration > Selected).
package breakglass.rules.bg_inv_005

import data.breakglass.lib
import rego.v1

# Lifecycle Workflows built-in tasks that take access away.
destructive_tasks := {
	"1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950": "Disable user account",
	"8d18588d-9ad3-4c0f-99d0-ec215f0e3dff": "Delete user account",
	"b3a31406-2a15-4c9a-b25b-a658fa5f07fc": "Remove user from all groups",
	"1953a66c-751c-45e5-8bfe-01462c70da3c": "Remove user from selected groups",
}

guid := `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`

# --- access reviews ---------------------------------------------------------

auto_reviews := [r |
	some r in lib.items("accessReviewDefinitions")
	object.get(r, ["settings", "autoApplyDecisionsEnabled"], false) == true
	lower(object.get(r, "status", "")) != "completed"
]

# queries: every "query" string anywhere in a review's scope(s).
queries(r) := {lower(q) |
	walk(object.get(r, "scope", {}), [path, q])
	count(path) > 0
	path[count(path) - 1] == "query"
	is_string(q)
} | {lower(q) |
	walk(object.get(r, "instanceEnumerationScope", {}), [path, q])
	count(path) > 0
	path[count(path) - 1] == "query"
	is_string(q)
}

review_name(r) := sprintf("access review %q (%s)", [object.get(r, "displayName", r.id), r.id])

# group_covers: a review of this group reaches the account. Ids are
# lower-case in the input (snapshot normalisation), so membership is a set
# lookup, not a scan of the account's groups.
group_covers(id, a) if id in lib.groups_of(a.id)

group_covers(id, _) if id in lib.exclusion_groups

# query_verdict(q, a): "hit" (covers the account), "miss", or "unknown".
query_verdict(q, a) := "miss" if {
	contains(q, "usertype eq 'guest'")
} else := "hit" if {
	some id in regex.find_n(guid, q, -1)
	contains(q, "/groups/")
	group_covers(id, a)
} else := "hit" if {
	some id in regex.find_n(guid, q, -1)
	contains(q, "/roledefinitions/")
	id in roles_of(a)
} else := "miss" if {
	count(regex.find_n(guid, q, -1)) > 0
	regex.match(`^/(groups|rolemanagement/directory/roledefinitions)/`, q)
} else := "hit" if {
	regex.match(`^/users/?($|\?)`, q)
} else := "hit" if {
	regex.match(`^/groups/?($|\?)`, q)
	count(lib.groups_of(a.id)) > 0
} else := "miss" if {
	regex.match(`^/groups/?($|\?)`, q)
} else := "unknown"

# roles_of: role template ids the account holds, actively or eligible.
roles_of(a) := {x.role | some x in lib.active_role_assignments(a.id)} | {lower(lib.template_of(s.roleDefinitionId)) |
	some s in lib.items("roleEligibilitySchedules")
	lower(s.principalId) == lower(a.id)
}

review_hits(a) := {review_name(r) | some r in auto_reviews; some q in queries(r); query_verdict(q, a) == "hit"}

review_unknown(a) := {sprintf("%s (scope %q)", [review_name(r), q]) |
	some r in auto_reviews
	some q in queries(r)
	query_verdict(q, a) == "unknown"
}

# --- lifecycle workflows -------------------------------------------------------

scheduled_workflows := [w |
	some w in lib.items("lifecycleWorkflows")
	w.isEnabled == true
	w.isSchedulingEnabled == true
	count(destructive(w)) > 0
]

destructive(w) := {object.get(destructive_tasks, lower(t.taskDefinitionId), t.taskDefinitionId) |
	some t in object.get(w, "tasks", [])
	object.get(t, "isEnabled", true) == true
	lower(t.taskDefinitionId) in object.keys(destructive_tasks)
}

workflow_name(w) := sprintf("lifecycle workflow %q (%s: %s)", [object.get(w, "displayName", w.id), w.id, concat(", ", sort(destructive(w)))])

scope_rule(w) := lower(object.get(w, ["executionConditions", "scope", "rule"], ""))

trigger_type(w) := lower(object.get(w, ["executionConditions", "trigger", "@odata.type"], ""))

excludes(w, a) if {
	some k in {lower(a.upn), lower(a.id)}
	k != ""
	contains(scope_rule(w), sprintf("ne '%s'", [k]))
}

# workflow_verdict: "hit" when inactivity (or an empty scope rule) can
# select the account, "miss" when the rule excludes it, else "unknown".
workflow_verdict(w, a) := "miss" if {
	excludes(w, a)
} else := "hit" if {
	contains(trigger_type(w), "inactiv")
} else := "hit" if {
	trim_space(scope_rule(w)) == ""
} else := "unknown"

workflow_hits(a) := {workflow_name(w) | some w in scheduled_workflows; workflow_verdict(w, a) == "hit"}

workflow_unknown(a) := {sprintf("%s (scope rule %q, trigger %s)", [workflow_name(w), scope_rule(w), trigger_type(w)]) |
	some w in scheduled_workflows
	workflow_verdict(w, a) == "unknown"
}

# --- group expiration -------------------------------------------------------------

unified(gid) if "unified" in {lower(t) | some t in object.get(lib.groups_by_id, [gid, "groupTypes"], [])}

expiring(gid) := {sprintf("group expiration policy %s (%v days) on Microsoft 365 exclusion group %s", [p.id, object.get(p, "groupLifetimeInDays", "?"), lib.group_resource(gid).name]) |
	unified(gid)
	some p in lib.items("groupLifecyclePolicies")
	applies(p, gid)
}

applies(p, _) if lower(object.get(p, "managedGroupTypes", "")) == "all"

applies(p, gid) if {
	lower(object.get(p, "managedGroupTypes", "")) == "selected"
	gid in {lower(g) | some g in object.get(p, "groups", [])}
}

expiry_hits(a) := union({expiring(gid) | some gid in lib.exclusion_groups; gid in lib.groups_of(a.id)})

# --- results -------------------------------------------------------------------

hits(a) := (review_hits(a) | workflow_hits(a)) | expiry_hits(a)

unknowns(a) := review_unknown(a) | workflow_unknown(a)

results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("automated clean-up can remove %s, its role or its exclusion group without a human decision (an unused break-glass account looks stale by design): %s", [a.upn, concat("; ", sort(hits(a)))]),
} if {
	some a in lib.accounts
	a.exists
	count(hits(a)) > 0
}

results contains {
	"status": "error",
	"resource": lib.account_resource(a),
	"message": sprintf("cannot tell whether automated clean-up covers %s: %s", [a.upn, concat("; ", sort(unknowns(a)))]),
} if {
	some a in lib.accounts
	a.exists
	count(hits(a)) == 0
	count(unknowns(a)) > 0
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("no auto-applied access review, scheduled destructive lifecycle workflow or group expiration policy covers %s (%d auto-applied review(s), %d scheduled destructive workflow(s), %d expiration policy(ies) checked)", [a.upn, count(auto_reviews), count(scheduled_workflows), count(lib.items("groupLifecyclePolicies"))]),
} if {
	some a in lib.accounts
	a.exists
	count(hits(a)) == 0
	count(unknowns(a)) == 0
}
