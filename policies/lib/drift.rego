# METADATA
# title: baseline snapshot access for drift rules
# description: |
#   `scan --baseline OLD` puts the older snapshot document at
#   `input.baseline`. These helpers read it the way breakglass.lib reads the
#   current snapshot, and index it per principal.
# scope: package
package breakglass.lib.drift

import data.breakglass.lib
import rego.v1

baseline := b if {
	b := input.baseline
	is_object(b)
}

has_baseline if baseline

items(name) := object.get(baseline, ["dataSets", name, "items"], [])

status(name) := object.get(baseline, ["dataSets", name, "status"], "missing")

collected_at := object.get(baseline, ["metadata", "collectedAt"], "unknown time")

tenant_id := object.get(baseline, ["metadata", "tenantId"], "")

users_by_id := lib.index_by({[lower(u.id), u] | some u in items("users")})

users_by_upn := lib.index_by({[lower(u.userPrincipalName), u] | some u in items("users")})

# declarations: the baseline's recorded config accounts, else the current
# declarations (so that an account re-created under the same UPN shows up as
# a changed object id).
declarations := ds if {
	ds := object.get(baseline, ["config", "accounts"], null)
	is_array(ds)
} else := lib.setting("accounts", [])

declared_user(decl) := users_by_id[lower(decl.id)] if {
	is_string(decl.id)
	decl.id != ""
} else := users_by_upn[lower(decl.userPrincipalName)]

# accounts maps the object id of each declared account that existed at the
# baseline to its user object.
accounts := lib.index_by({[lower(u.id), u] |
	some decl in declarations
	u := declared_user(object.union({"id": "", "userPrincipalName": ""}, decl))
})

# direct role assignments and eligibilities, keyed by principal (user or
# group), as role_key strings.
role_keys[lower(ra.principalId)] contains role_key("active", lib.template_of(ra.roleDefinitionId), object.get(ra, "directoryScopeId", "/"), "direct") if {
	some ra in items("roleAssignments")
}

role_keys[lower(s.principalId)] contains role_key("eligible", lib.template_of(s.roleDefinitionId), object.get(s, "directoryScopeId", "/"), "direct") if {
	some s in items("roleEligibilitySchedules")
}

# methods_of maps a user to its methods by method id; a user or a method
# listed twice is kept once (lib.index_by).
methods_of := lib.index_by({[lower(m.id), method_index(m)] | some m in items("authenticationMethods")})

method_index(m) := lib.index_by({[x.id, x] | some x in m.methods})

policies_by_id := lib.index_by({[p.id, p] | some p in items("conditionalAccessPolicies")})

members_of := lib.index_by({[lower(gm.id), member_index(gm)] | some gm in items("groupMembers")})

# member_index maps a group's members by lower-case id, each once.
member_index(gm) := lib.index_by({[lower(m.id), m] | some m in object.get(gm, "members", [])})

# --- effective roles and group memberships ---------------------------------------

# role_key identifies a role a principal holds: kind (active, eligible),
# role template, directory scope and, for a role held through a group, the
# group ("direct" for a role assigned to the principal itself). Drift rules
# build the keys of both snapshots with it, so equal grants compare equal.
role_key(kind, template, scope, via) := sprintf("%s|%s|%s", [kind, template, scope]) if via == "direct"

else := sprintf("%s|%s|%s|group:%s", [kind, template, scope, lower(via)])

# member_of maps a user id to the groups it belongs to at the baseline,
# directly or through nested groups (like breakglass.lib.member_of).
member_of := lib.index_by({[lower(m.id), {lower(g.id) | some g in object.get(m, "memberOf", []); lib.is_group(g)}] |
	some m in items("transitiveMemberOf")
})

# memberships maps a user id to the objects it is a member of (groups and
# administrative units, directly or transitively), keyed by lower-case id.
# Directory roles are left out: role drift reports those with their scope.
memberships := lib.index_by({[lower(m.id), membership_index(m)] | some m in items("transitiveMemberOf")})

membership_index(m) := lib.index_by({[lower(o.id), o] | some o in object.get(m, "memberOf", []); not is_directory_role(o)})

is_directory_role(o) if o["@odata.type"] == "#microsoft.graph.directoryRole"

# effective_role_keys maps a principal to the role_keys it held at the
# baseline: its own assignments and eligibilities plus those of every group
# it belonged to (a role-assignable group passes its roles to its members).
effective_role_keys[pid] contains k if {
	some pid, ks in role_keys
	some k in ks
}

effective_role_keys[uid] contains sprintf("%s|group:%s", [k, gid]) if {
	some uid, gids in member_of
	some gid in gids
	some k in role_keys[gid]
}
