# METADATA
# title: No undeclared break-glass accounts
# description: |
#   An emergency account nobody declared is not monitored, rotated or
#   drilled — and an admin quietly excluded from Conditional Access is the
#   classic way to keep a backdoor. A user that holds an allowed role at
#   tenant scope — actively or PIM-eligible, directly or through a group
#   (roleEligibilitySchedules) — is not declared in breakglass.yaml, and either is excluded —
#   by any route (user, group, role, guest condition) — from every enabled
#   Conditional Access policy that would otherwise target it (at least one),
#   or is a member of an exclusion group, or is named like
#   `break.?glass|emergency`, is a candidate and is reported; eligible roles
#   are marked "(eligible)". Conditional Access role conditions match
#   active roles only. Without
#   `accounts:` in the config every such user is reported (discovery mode).
# custom:
#   id: BG-INV-004
#   severity: medium
#   resource: candidate
#   requires: [users, roleAssignments, roleEligibilitySchedules, roleDefinitions, transitiveMemberOf, conditionalAccessPolicies, candidates]
#   remediation: |
#     For each candidate decide: if it is a break-glass account, declare it
#     under `accounts:` in breakglass.yaml so every other rule audits it; if
#     not, remove it from the exclusion group (`Remove-MgGroupMemberByRef
#     -GroupId <group id> -DirectoryObjectId <user id>`), remove it from the
#     policies' excludeUsers (Entra admin center > Protection > Conditional
#     Access > the policy > Users > Exclude), or remove the privileged role
#     (Roles & admins > the role > Assignments > Remove).
package breakglass.rules.bg_inv_004

import data.breakglass.lib
import data.breakglass.lib.ca
import rego.v1

name_pattern := `(?i)break.?glass|emergency`

# facts for targeting: the same shape ca.targeting reads.
facts(u) := {
	"id": lower(u.id),
	"user": u,
	"groups": lib.groups_of(u.id),
	"roles": lib.active_roles(u.id),
	"external": lib.external_kinds(u),
}

# principal_eligible_roles maps a principal (user or group) to the role
# template ids it is PIM-eligible for at tenant scope ("/").
principal_eligible_roles := {pid: {lib.template_of(s.roleDefinitionId) |
	some s in lib.items("roleEligibilitySchedules")
	s.principalId == pid
	object.get(s, "directoryScopeId", "/") == "/"
} |
	some pid in {s.principalId | some s in lib.items("roleEligibilitySchedules")}
}

# eligible_roles returns the tenant-scope roles a user is eligible for,
# directly or through a group it is a transitive member of.
eligible_roles(uid) := object.get(principal_eligible_roles, uid, set()) | {r |
	some gid in (lib.groups_of(uid) & eligible_principals)
	some r in principal_eligible_roles[gid]
}

# eligible_principals hold an eligible role (see lib.role_principals).
eligible_principals := {pid | some pid, _ in principal_eligible_roles}

# held_allowed maps each user to the allowed roles it holds at tenant
# scope, active or eligible.
held_allowed := {u.id: {"active": active, "eligible": eligible} |
	some _, u in lib.users_by_id
	active := lib.active_roles(u.id) & lib.allowed_roles
	eligible := (eligible_roles(u.id) & lib.allowed_roles) - active
	count(active | eligible) > 0
}

undeclared_admins := [u |
	some _, u in lib.users_by_id
	held_allowed[u.id]
	not lib.is_declared(u.id)
	not lib.is_declared(u.userPrincipalName)
]

# would_target: enabled policies whose application and user conditions
# include the user (before exclusions).
would_target(f) := [p |
	some p in ca.enabled_policies
	ca.on_emergency_path(p)
	ca.included_by(p, f)
]

signals(u) := array.concat(
	array.concat(ca_signal(u), group_signal(u)),
	name_signal(u),
)

ca_signal(u) := [sprintf("excluded from all %d enabled Conditional Access policies that would target it (%s)", [count(ps), concat("; ", sort([sprintf("%s by %s", [object.get(p, "displayName", p.id), ca.excluded_by(p, f)]) | some p in ps]))])] if {
	f := facts(u)
	ps := would_target(f)
	count(ps) > 0
	every p in ps {
		ca.excluded_by(p, f)
	}
} else := []

group_signal(u) := [sprintf("member of exclusion group(s) %s", [concat(", ", sort([lib.group_resource(g).name | some g in gs]))])] if {
	gs := lib.groups_of(u.id) & lib.exclusion_groups
	count(gs) > 0
} else := []

name_signal(u) := [sprintf("named like a break-glass account (%q)", [object.get(u, "displayName", u.userPrincipalName)])] if {
	some s in [object.get(u, "displayName", ""), u.userPrincipalName]
	is_string(s)
	regex.match(name_pattern, s)
} else := []

candidates := {u.id: signals(u) | some u in undeclared_admins; count(signals(u)) > 0}

users_by_id := {u.id: u | some u in undeclared_admins}

roles_text(u) := concat(", ", sort(array.concat(
	[lib.role_name(r) | some r in held_allowed[u.id].active],
	[sprintf("%s (eligible)", [lib.role_name(r)]) | some r in held_allowed[u.id].eligible],
)))

results contains {
	"status": "fail",
	"resource": lib.user_resource(u),
	"message": sprintf("%s holds %s, is not declared in breakglass.yaml and looks like a break-glass account: %s; declare it under accounts: or remove the exclusion", [u.userPrincipalName, roles_text(u), concat("; ", why)]),
} if {
	some uid, why in candidates
	u := users_by_id[uid]
}

results contains {
	"status": "pass",
	"resource": lib.tenant_resource,
	"message": sprintf("no undeclared break-glass candidates among the %d other holder(s) of an allowed role", [count(undeclared_admins)]),
} if count(candidates) == 0
