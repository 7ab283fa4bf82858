# METADATA
# title: Break-glass configuration has not drifted since the baseline
# description: |
#   Compared with the snapshot given with `scan --baseline`, reports every
#   added or removed declared account (and changes to its enabled, sync,
#   type and UPN attributes), directory role assignment or eligibility of a
#   declared account, authentication method of a declared account,
#   Conditional Access exclusion entry (excludeUsers, excludeGroups,
#   excludeRoles of each policy) and exclusion-group member. Each change is
#   a `fail` to review, with before/after in the message: expected changes
#   (a rotated key) are acknowledged by moving the baseline forward. A
#   category whose data set is not `ok` in either snapshot reports `error`.
#   Without a baseline the rule is not applicable.
# custom:
#   id: BG-DRIFT-001
#   severity: medium
#   resource: object
#   requires: []
#   remediation: |
#     Review each change against your change records: Entra admin center >
#     Identity > Monitoring & health > Audit logs, filtered by the object
#     (or `Get-MgAuditLogDirectoryAudit -Filter "targetResources/any(t:
#     t/id eq '<object id>')"`). Revert unapproved changes (remove the
#     method, role assignment, exclusion or group member). When every change
#     is approved, make the current snapshot the new baseline (`breakglass
#     scan new.json --baseline new.json` no longer reports them).
package breakglass.rules.bg_drift_001

import data.breakglass.lib
import data.breakglass.lib.drift
import rego.v1

# --- comparability -------------------------------------------------------------

categories := {
	"declared accounts": ["users"],
	"role assignments": ["users", "roleAssignments", "roleEligibilitySchedules"],
	"authentication methods": ["users", "authenticationMethods"],
	"Conditional Access exclusions": ["conditionalAccessPolicies"],
	"exclusion-group members": ["groupMembers"],
}

same_tenant if lower(drift.tenant_id) == lower(lib.tenant_id)

unavailable(cat) := {sprintf("%s is %s in the %s snapshot", [name, st, which]) |
	some name in categories[cat]
	some which, st in {"current": lib.status(name), "baseline": drift.status(name)}
	st != "ok"
}

comparable(cat) if {
	drift.has_baseline
	same_tenant
	count(unavailable(cat)) == 0
}

results contains {
	"status": "not_applicable",
	"resource": lib.tenant_resource,
	"message": "no --baseline given: drift is checked only against an older snapshot (`breakglass scan NEW --baseline OLD`)",
} if not drift.has_baseline

results contains {
	"status": "error",
	"resource": lib.tenant_resource,
	"message": sprintf("the baseline snapshot is from tenant %s, not %s: nothing was compared", [drift.tenant_id, lib.tenant_id]),
} if {
	drift.has_baseline
	not same_tenant
}

results contains {
	"status": "error",
	"resource": lib.tenant_resource,
	"key": sprintf("unavailable:%s", [cat]),
	"message": sprintf("%s were not compared: %s", [cat, concat("; ", sort(unavailable(cat)))]),
} if {
	drift.has_baseline
	same_tenant
	some cat, _ in categories
	count(unavailable(cat)) > 0
}

# --- declared accounts ---------------------------------------------------------------

current_accounts := {a.id: a.user | some a in lib.accounts; a.exists}

account_ids := {id | some id, _ in current_accounts} | {id | some id, _ in drift.accounts}

user_res(id) := lib.user_resource(current_accounts[id]) if current_accounts[id]

else := lib.user_resource(drift.accounts[id])

upn_of(id) := user_res(id).name

recreated_hint(u) := sprintf(" (the baseline had %s as object %s: deleted and re-created?)", [u.userPrincipalName, old.id]) if {
	old := drift.users_by_upn[lower(u.userPrincipalName)]
	lower(old.id) != lower(u.id)
} else := ""

changes contains {
	"cat": "declared accounts",
	"resource": lib.user_resource(u),
	"key": "account",
	"message": sprintf("declared account %s (%s) was added since the baseline%s: before: absent; after: present", [u.userPrincipalName, id, recreated_hint(u)]),
} if {
	comparable("declared accounts")
	some id, u in current_accounts
	not drift.accounts[id]
}

changes contains {
	"cat": "declared accounts",
	"resource": lib.user_resource(u),
	"key": "account",
	"message": sprintf("declared account %s (%s) was removed since the baseline: before: present; after: absent (deleted, or no longer declared)", [u.userPrincipalName, id]),
} if {
	comparable("declared accounts")
	some id, u in drift.accounts
	not current_accounts[id]
}

watched_fields := ["accountEnabled", "userPrincipalName", "onPremisesSyncEnabled", "userType"]

changes contains {
	"cat": "declared accounts",
	"resource": lib.user_resource(u),
	"key": sprintf("account:%s", [field]),
	"message": sprintf("%s of declared account %s changed: before: %v; after: %v", [field, u.userPrincipalName, before, after]),
} if {
	comparable("declared accounts")
	some id, u in current_accounts
	old := drift.accounts[id]
	some field in watched_fields
	before := object.get(old, field, null)
	after := object.get(u, field, null)
	before != after
}

# --- role assignments ------------------------------------------------------------------

current_role_keys[lower(ra.principalId)] contains sprintf("active|%s|%s", [lib.template_of(ra.roleDefinitionId), object.get(ra, "directoryScopeId", "/")]) if {
	some ra in lib.items("roleAssignments")
}

current_role_keys[lower(s.principalId)] contains sprintf("eligible|%s|%s", [lib.template_of(s.roleDefinitionId), object.get(s, "directoryScopeId", "/")]) if {
	some s in lib.items("roleEligibilitySchedules")
}

role_text(k) := sprintf("%s %s at scope %s", [parts[0], lib.role_name(parts[1]), parts[2]]) if parts := split(k, "|")

changes contains {
	"cat": "role assignments",
	"resource": user_res(id),
	"key": sprintf("role:%s", [k]),
	"message": sprintf("%s gained a direct role: before: not assigned; after: %s", [upn_of(id), role_text(k)]),
} if {
	comparable("role assignments")
	some id in account_ids
	some k in object.get(current_role_keys, id, set())
	not k in object.get(drift.role_keys, id, set())
}

changes contains {
	"cat": "role assignments",
	"resource": user_res(id),
	"key": sprintf("role:%s", [k]),
	"message": sprintf("%s lost a direct role: before: %s; after: not assigned", [upn_of(id), role_text(k)]),
} if {
	comparable("role assignments")
	some id in account_ids
	some k in object.get(drift.role_keys, id, set())
	not k in object.get(current_role_keys, id, set())
}

# --- authentication methods ---------------------------------------------------------------

current_methods[lower(m.id)] := {x.id: x | some x in m.methods} if some m in lib.items("authenticationMethods")

method_text(m) := sprintf("%s %q (%s)", [lib.method_type(m), object.get(m, "displayName", object.get(m, "phoneNumber", "")), m.id])

changes contains {
	"cat": "authentication methods",
	"resource": user_res(id),
	"key": sprintf("method:%s", [mid]),
	"message": sprintf("%s registered a method since the baseline: before: not registered; after: %s", [upn_of(id), method_text(m)]),
} if {
	comparable("authentication methods")
	some id in account_ids
	some mid, m in object.get(current_methods, id, {})
	not drift.methods_of[id][mid]
}

changes contains {
	"cat": "authentication methods",
	"resource": user_res(id),
	"key": sprintf("method:%s", [mid]),
	"message": sprintf("%s removed a method since the baseline: before: %s; after: not registered", [upn_of(id), method_text(m)]),
} if {
	comparable("authentication methods")
	some id in account_ids
	some mid, m in object.get(drift.methods_of, id, {})
	not current_methods[id][mid]
}

# --- Conditional Access exclusions --------------------------------------------------------------

exclusion_lists := ["excludeUsers", "excludeGroups", "excludeRoles"]

current_policies[p.id] := p if some p in lib.items("conditionalAccessPolicies")

entries(p) := {sprintf("%s|%s", [list, lower(ref)]) |
	some list in exclusion_lists
	some ref in object.get(p, ["conditions", "users", list], [])
	is_string(ref)
}

policy_ids := {id | some id, _ in current_policies} | {id | some id, _ in drift.policies_by_id}

policy_res(pid) := {"type": "conditionalAccessPolicy", "id": pid, "name": object.get(current_policies[pid], "displayName", pid)} if current_policies[pid]

else := {"type": "conditionalAccessPolicy", "id": pid, "name": object.get(drift.policies_by_id[pid], "displayName", pid)}

current_entries[pid] := entries(p) if some pid, p in current_policies

previous_entries[pid] := entries(p) if some pid, p in drift.policies_by_id

policy_entries(pid) := object.get(current_entries, pid, set())

baseline_entries(pid) := object.get(previous_entries, pid, set())

# object names for messages, from either snapshot.
names[lower(o.id)] := object.get(o, "displayName", o.id) if some o in lib.items("directoryObjects")

names[lower(o.id)] := object.get(o, "displayName", o.id) if {
	some o in drift.items("directoryObjects")
	not lower(o.id) in current_object_ids
}

names[lower(u.id)] := u.userPrincipalName if {
	some u in lib.items("users")
	not lower(u.id) in current_object_ids
	not lower(u.id) in baseline_object_ids
}

current_object_ids := {lower(x.id) | some x in lib.items("directoryObjects")}

baseline_object_ids := {lower(x.id) | some x in drift.items("directoryObjects")}

entry_text(e) := sprintf("%s %s (%s)", [parts[0], object.get(names, parts[1], "unknown object"), parts[1]]) if parts := split(e, "|")

list_text(es) := concat(", ", sort([entry_text(e) | some e in es])) if count(es) > 0

else := "none"

policy_note(pid) := " (policy created since the baseline)" if not drift.policies_by_id[pid]

else := " (policy deleted since the baseline)" if not current_policies[pid]

else := ""

changes contains {
	"cat": "Conditional Access exclusions",
	"resource": policy_res(pid),
	"key": sprintf("exclusion:%s", [e]),
	"message": sprintf("policy %s: exclusion %s added%s: before: %s; after: %s", [policy_res(pid).name, entry_text(e), policy_note(pid), list_text(baseline_entries(pid)), list_text(policy_entries(pid))]),
} if {
	comparable("Conditional Access exclusions")
	some pid in policy_ids
	some e in (policy_entries(pid) - baseline_entries(pid))
}

changes contains {
	"cat": "Conditional Access exclusions",
	"resource": policy_res(pid),
	"key": sprintf("exclusion:%s", [e]),
	"message": sprintf("policy %s: exclusion %s removed%s: before: %s; after: %s", [policy_res(pid).name, entry_text(e), policy_note(pid), list_text(baseline_entries(pid)), list_text(policy_entries(pid))]),
} if {
	comparable("Conditional Access exclusions")
	some pid in policy_ids
	some e in (baseline_entries(pid) - policy_entries(pid))
}

# --- exclusion-group members ---------------------------------------------------------------------

current_members[lower(gm.id)] := {lower(m.id): m | some m in object.get(gm, "members", [])} if some gm in lib.items("groupMembers")

group_ids := {id | some id, _ in current_members} | {id | some id, _ in drift.members_of}

member_text(m) := sprintf("%s %s (%s)", [trim_prefix(object.get(m, "@odata.type", "#microsoft.graph.directoryObject"), "#microsoft.graph."), object.get(m, "userPrincipalName", object.get(m, "displayName", m.id)), m.id])

changes contains {
	"cat": "exclusion-group members",
	"resource": lib.group_resource(gid),
	"key": sprintf("member:%s", [mid]),
	"message": sprintf("exclusion group %s: member added: before: not a member; after: %s", [lib.group_resource(gid).name, member_text(m)]),
} if {
	comparable("exclusion-group members")
	some gid in group_ids
	some mid, m in object.get(current_members, gid, {})
	not drift.members_of[gid][mid]
}

changes contains {
	"cat": "exclusion-group members",
	"resource": lib.group_resource(gid),
	"key": sprintf("member:%s", [mid]),
	"message": sprintf("exclusion group %s: member removed: before: %s; after: not a member", [lib.group_resource(gid).name, member_text(m)]),
} if {
	comparable("exclusion-group members")
	some gid in group_ids
	some mid, m in object.get(drift.members_of, gid, {})
	not current_members[gid][mid]
}

# --- results ----------------------------------------------------------------------------------------

results contains {
	"status": "fail",
	"resource": c.resource,
	"key": c.key,
	"message": c.message,
} if {
	some c in changes
	comparable(c.cat)
}

results contains {
	"status": "pass",
	"resource": lib.tenant_resource,
	"message": sprintf("no drift since the baseline collected %s: declared accounts, their roles and methods, Conditional Access exclusions and exclusion-group members are unchanged", [drift.collected_at]),
} if {
	drift.has_baseline
	every cat, _ in categories {
		comparable(cat)
	}
	count([c | some c in changes]) == 0
}
