# METADATA
# title: Break-glass configuration has not drifted since the baseline
# description: |
#   Compared with the snapshot given with `scan --baseline`, reports every
#   added or removed declared account (and changes to its enabled, sync,
#   type, UPN and password-change attributes), directory role assignment or
#   eligibility a declared account holds directly or through a group, group
#   or administrative-unit membership of a declared account, authentication
#   method of a declared account (and changes to the phone number, e-mail
#   address, password timestamp or key identity of a method present in both
#   snapshots), Conditional Access exclusion entry (excludeUsers, excludeGroups,
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
	"role assignments": ["users", "roleAssignments", "roleEligibilitySchedules", "transitiveMemberOf"],
	"group memberships": ["users", "transitiveMemberOf"],
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

# lastPasswordChangeDateTime reveals a password reset or change (the
# password method's createdDateTime, compared below, is documented as not
# always populated).
watched_fields := ["accountEnabled", "userPrincipalName", "onPremisesSyncEnabled", "userType", "lastPasswordChangeDateTime"]

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

# eligibilities in the current snapshot, keyed by principal (user or group).
current_eligible[lower(s.principalId)] contains drift.role_key("eligible", lib.template_of(s.roleDefinitionId), object.get(s, "directoryScopeId", "/"), "direct") if {
	some s in lib.items("roleEligibilitySchedules")
}

# current_role_keys maps each compared account to its effective roles now:
# active assignments direct or through a role-assignable group (as every
# other rule sees them, lib.active_role_assignments) and eligibilities
# direct or through a group, in drift.role_key form (the baseline side is
# drift.effective_role_keys).
current_role_keys[id] := active | eligible if {
	some id in account_ids
	active := {drift.role_key("active", x.role, x.scope, x.via) | some x in lib.active_role_assignments(id)}
	direct := object.get(current_eligible, id, set())
	via_groups := {sprintf("%s|group:%s", [k, lower(gid)]) |
		some gid in lib.groups_of(id)
		some k in object.get(current_eligible, lower(gid), set())
	}
	eligible := direct | via_groups
}

role_text(k) := sprintf("%s %s at scope %s%s", [parts[0], lib.role_name(parts[1]), parts[2], via_text(parts)]) if parts := split(k, "|")

via_text(parts) := sprintf(" through group %s (%s)", [group_name(gid), gid]) if {
	count(parts) > 3
	gid := trim_prefix(parts[3], "group:")
} else := " (direct)"

group_name(gid) := object.get(names, gid, object.get(lib.groups_by_id, [gid, "displayName"], "unknown group"))

changes contains {
	"cat": "role assignments",
	"resource": user_res(id),
	"key": sprintf("role:%s", [k]),
	"message": sprintf("%s gained a role: before: not held; after: %s", [upn_of(id), role_text(k)]),
} if {
	comparable("role assignments")
	some id in account_ids
	some k in object.get(current_role_keys, id, set())
	not k in object.get(drift.effective_role_keys, id, set())
}

changes contains {
	"cat": "role assignments",
	"resource": user_res(id),
	"key": sprintf("role:%s", [k]),
	"message": sprintf("%s lost a role: before: %s; after: not held", [upn_of(id), role_text(k)]),
} if {
	comparable("role assignments")
	some id in account_ids
	some k in object.get(drift.effective_role_keys, id, set())
	not k in object.get(current_role_keys, id, set())
}

# --- group memberships ---------------------------------------------------------------------

# groups and administrative units of each declared account, directly or
# through nested groups (directory roles are compared as roles above).
current_memberships := lib.index_by({[lower(m.id), drift.membership_index(m)] | some m in lib.items("transitiveMemberOf")})

membership_text(o) := sprintf("%s %s (%s)", [trim_prefix(object.get(o, "@odata.type", "#microsoft.graph.group"), "#microsoft.graph."), object.get(o, "displayName", "unnamed"), lower(o.id)])

changes contains {
	"cat": "group memberships",
	"resource": user_res(id),
	"key": sprintf("memberOf:%s", [oid]),
	"message": sprintf("%s joined %s since the baseline (directly or through a nested group): before: not a member; after: member", [upn_of(id), membership_text(o)]),
} if {
	comparable("group memberships")
	some id in account_ids
	some oid, o in object.get(current_memberships, id, {})
	not drift.memberships[id][oid]
}

changes contains {
	"cat": "group memberships",
	"resource": user_res(id),
	"key": sprintf("memberOf:%s", [oid]),
	"message": sprintf("%s left %s since the baseline: before: member; after: not a member", [upn_of(id), membership_text(o)]),
} if {
	comparable("group memberships")
	some id in account_ids
	some oid, o in object.get(drift.memberships, id, {})
	not current_memberships[id][oid]
}

# --- authentication methods ---------------------------------------------------------------

current_methods := lib.index_by({[lower(m.id), drift.method_index(m)] | some m in lib.items("authenticationMethods")})

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

# method_fields are the attributes whose change, for a method id present in
# both snapshots, means a different credential or factor:
# - phoneNumber, phoneType, smsSignInState: phone methods have fixed ids
#   (one per phone type), so a swapped number keeps the id; SMS sign-in
#   turns the phone into a first factor;
# - emailAddress: the e-mail method has a fixed id;
# - createdDateTime: the password method has a fixed id and this timestamp
#   moves on a reset or change; on other methods it never changes;
# - aaGuid, model: a security key's make, fixed for its credential.
# Left out: displayName (a label the user may rename; a new credential gets
# a new id and is reported as registered) and volatile state such as
# lastUsedDateTime, phoneAppVersion or a Temporary Access Pass's isUsable.
# A field is compared only when both snapshots carry it.
method_fields := ["phoneNumber", "phoneType", "smsSignInState", "emailAddress", "createdDateTime", "aaGuid", "model"]

field_hint(field, m) := " (the password was reset or changed)" if {
	field == "createdDateTime"
	lib.method_type(m) == "passwordAuthenticationMethod"
}

else := ""

changes contains {
	"cat": "authentication methods",
	"resource": user_res(id),
	"key": sprintf("method:%s:%s", [mid, field]),
	"message": sprintf("%s of %s's %s (%s) changed since the baseline%s: before: %v; after: %v", [field, upn_of(id), lib.method_type(m), mid, field_hint(field, m), before, after]),
} if {
	comparable("authentication methods")
	some id in account_ids
	some mid, m in object.get(current_methods, id, {})
	old := drift.methods_of[id][mid]
	some field in method_fields
	before := old[field]
	after := m[field]
	before != after
}

# --- Conditional Access exclusions --------------------------------------------------------------

exclusion_lists := ["excludeUsers", "excludeGroups", "excludeRoles"]

current_policies := lib.index_by({[p.id, p] | some p in lib.items("conditionalAccessPolicies")})

entries(p) := {sprintf("%s|%s", [list, lower(ref)]) |
	some list in exclusion_lists
	some ref in object.get(p, ["conditions", "users", list], [])
	is_string(ref)
}

policy_ids := {id | some id, _ in current_policies} | {id | some id, _ in drift.policies_by_id}

policy_res(pid) := {"type": "conditionalAccessPolicy", "id": pid, "name": object.get(current_policies[pid], "displayName", pid)} if current_policies[pid]

else := {"type": "conditionalAccessPolicy", "id": pid, "name": object.get(drift.policies_by_id[pid], "displayName", pid)}

current_entries := {pid: entries(p) | some pid, p in current_policies}

previous_entries := {pid: entries(p) | some pid, p in drift.policies_by_id}

policy_entries(pid) := object.get(current_entries, pid, set())

baseline_entries(pid) := object.get(previous_entries, pid, set())

# object names for messages, from either snapshot: built once (a complete
# rule), looked up per change.
names := object.union_n([
	lib.index_by({[lower(u.id), u.userPrincipalName] | some u in lib.items("users"); not lower(u.id) in current_object_ids; not lower(u.id) in baseline_object_ids}),
	lib.index_by({[lower(o.id), object.get(o, "displayName", o.id)] | some o in drift.items("directoryObjects"); not lower(o.id) in current_object_ids}),
	lib.index_by({[lower(o.id), object.get(o, "displayName", o.id)] | some o in lib.items("directoryObjects")}),
])

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

current_members := lib.index_by({[lower(gm.id), drift.member_index(gm)] | some gm in lib.items("groupMembers")})

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
	"message": sprintf("no drift since the baseline collected %s: declared accounts, their roles, group memberships and methods, Conditional Access exclusions and exclusion-group members are unchanged", [drift.collected_at]),
} if {
	drift.has_baseline
	every cat, _ in categories {
		comparable(cat)
	}
	count([c | some c in changes]) == 0
}
