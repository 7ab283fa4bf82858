# METADATA
# title: breakglass helper library
# description: |
#   Stable helpers for built-in and custom rules: data sets, the declared
#   accounts, per-principal facts (groups, roles, methods) and time relative
#   to the scan's "now". Facts are keyed by principal and computed once, so a
#   rule that loops over thousands of CA policies never rescans the tenant.
# scope: package
package breakglass.lib

import rego.v1

global_administrator := "62e90394-69f5-4237-9190-012177145e10"

# --- data sets -------------------------------------------------------------

# items returns the items of a data set, [] when it is absent.
items(name) := object.get(input, ["dataSets", name, "items"], [])

# status returns a data set's status, "missing" when the snapshot lacks it.
status(name) := object.get(input, ["dataSets", name, "status"], "missing")

# --- one value per input ------------------------------------------------------
#
# A complete rule or function whose body iterates must yield one value for
# any input, or OPA aborts with eval_conflict_error; an object
# comprehension must never build one key twice with different values. Real
# data sets hold one id twice (overlapping pages, ids in two cases, a
# member listed twice), so lookup tables are built with index_by and
# "first" picks with sort(...)[0], never with the order of the items.

# index_by turns a set (or array) of [key, value] pairs into an object
# holding one value per key: the least of the key's values in Rego's
# ordering. Neither a repeated key nor the order of the items changes it.
index_by(pairs) := {p[0]: p[1] |
	some i, p in sorted
	not repeats_key(sorted, i)
} if sorted := sort(pairs)

repeats_key(sorted, i) if {
	i > 0
	sorted[i - 1][0] == sorted[i][0]
}

# ok is true when a data set was collected completely.
ok(name) if status(name) == "ok"

tenant_id := object.get(input, ["metadata", "tenantId"], "")

tenant_resource := {"type": "tenant", "id": tenant_id}

# --- configuration ---------------------------------------------------------

config := object.get(input, "config", {})

setting(key, default_value) := object.get(config, key, default_value)

allowed_roles := {lower(r) | some r in setting("allowedRoles", [global_administrator])}

exclusion_groups := {lower(g) | some g in setting("exclusionGroups", [])}

waived_policies := {lower(p) | some p in setting("caAllowedPolicies", [])}

# --- time --------------------------------------------------------------------

# now_ns is the scan's "now": the engine pins time.now_ns to the snapshot's
# collectedAt (or --now), so results are reproducible.
now_ns := time.now_ns()

day_ns := (24 * 60) * (60 * 1000000000)

# days_since returns whole days between an RFC 3339 timestamp and now.
days_since(ts) := floor((now_ns - time.parse_rfc3339_ns(ts)) / day_ns)

# date_of returns the YYYY-MM-DD (UTC) of an RFC 3339 timestamp.
date_of(ts) := substring(ts, 0, 10) if {
	time.parse_rfc3339_ns(ts)
}

# --- users and declared accounts ---------------------------------------------

users_by_id := index_by({[u.id, u] | some u in items("users")})

# Two users may share a UPN that differs only in case: one is picked, by
# index_by's order (a declaration by object id is unambiguous).
users_by_upn := index_by({[lower(u.userPrincipalName), u] | some u in items("users")})

# account_ref is how a declaration names the account (UPN, else object id).
account_ref(decl) := decl.userPrincipalName if decl.userPrincipalName != ""

else := decl.id

declared_user(decl) := users_by_id[lower(decl.id)] if decl.id != ""

else := users_by_upn[lower(decl.userPrincipalName)]

# accounts lists the declared break-glass accounts, resolved against the
# users data set. exists is false when the tenant has no such user.
accounts := [resolve(decl) | some decl in setting("accounts", [])]

resolve(decl) := {
	"ref": account_ref(object.union({"id": "", "userPrincipalName": ""}, decl)),
	"id": user.id,
	"upn": user.userPrincipalName,
	"exists": true,
	"user": user,
	"declaration": decl,
} if {
	user := declared_user(object.union({"id": "", "userPrincipalName": ""}, decl))
} else := {
	"ref": account_ref(full),
	"id": unresolved_id(full),
	"upn": full.userPrincipalName,
	"exists": false,
	"user": null,
	"declaration": decl,
} if {
	full := object.union({"id": "", "userPrincipalName": ""}, decl)
}

# unresolved_id identifies an account the tenant lacks: its declared object
# id, else its UPN.
unresolved_id(decl) := lower(decl.id) if decl.id != ""

else := lower(decl.userPrincipalName)

# account_ids holds the object ids of declared accounts that exist.
account_ids := {a.id | some a in accounts; a.exists}

# is_declared is true for a user object id or UPN that is declared.
is_declared(ref) if {
	some a in accounts
	a.id == lower(ref)
}

is_declared(ref) if {
	some a in accounts
	lower(a.upn) == lower(ref)
}

# account_resource is the result resource for an account.
account_resource(a) := {"type": "user", "id": a.id, "name": a.upn} if a.upn != ""

else := {"type": "user", "id": a.id, "name": a.ref}

# user_resource is the result resource for any user object.
user_resource(u) := {"type": "user", "id": u.id, "name": object.get(u, "userPrincipalName", u.id)}

# --- per-principal facts -------------------------------------------------------

# member_of maps a user id to the ids of every group it belongs to,
# directly or through nested groups (Graph transitiveMemberOf).
member_of := index_by({[m.id, {g.id | some g in m.memberOf; is_group(g)}] | some m in items("transitiveMemberOf")})

is_group(obj) if obj["@odata.type"] == "#microsoft.graph.group"

is_group(obj) if not obj["@odata.type"]

groups_of(uid) := object.get(member_of, uid, set())

# role_template maps a directory role definition id to its template id; CA
# policies and allowedRoles name roles by template id.
role_template := index_by({[d.id, lower(object.get(d, "templateId", d.id))] | some d in items("roleDefinitions")})

template_of(role_definition_id) := object.get(role_template, role_definition_id, lower(role_definition_id))

# principal_roles_at maps a principal (user or group) to the role template
# ids it holds actively, keyed by directory scope.
# builtin_role_templates: built-in directory roles, the only ones Conditional
# Access role conditions support (custom roles are ignored by CA).
builtin_role_templates := {lower(object.get(d, "templateId", d.id)) | some d in items("roleDefinitions"); d.isBuiltIn == true}

principal_active_roles := {pid: {{"role": template_of(ra.roleDefinitionId), "scope": object.get(ra, "directoryScopeId", "/"), "assignment": ra.id} |
	some ra in items("roleAssignments")
	ra.principalId == pid
} |
	some pid in {ra.principalId | some ra in items("roleAssignments")}
}

# active_role_assignments returns a principal's active assignments (any
# scope), including those it receives through a role-assignable group.
active_role_assignments(uid) := direct | via_groups if {
	direct := {object.union(x, {"via": "direct"}) | some x in object.get(principal_active_roles, uid, set())}
	via_groups := {object.union(x, {"via": gid}) | some gid in (groups_of(uid) & role_principals); some x in principal_active_roles[gid]}
}

# role_principals are the principals holding an active role: intersecting
# a user's groups with it (a native set operation) keeps the cost of a
# user in thousands of groups out of the per-group lookups.
role_principals := {pid | some pid, _ in principal_active_roles}

# active_roles returns the role template ids a principal holds actively at
# tenant scope ("/"): what Conditional Access role conditions match.
active_roles(uid) := {x.role | some x in active_role_assignments(uid); x.scope == "/"}

# methods_of maps a user id to its registered authentication methods.
methods_of := index_by({[m.id, m.methods] | some m in items("authenticationMethods")})

method_type(m) := trim_prefix(m["@odata.type"], "#microsoft.graph.")

method_types(uid) := {method_type(m) | some m in object.get(methods_of, uid, [])}

# external_kinds returns the CA guestOrExternalUserTypes a user counts as.
external_kinds(u) := {"b2bCollaborationGuest"} if {
	u.userType == "Guest"
	contains(upper(u.userPrincipalName), "#EXT#")
} else := {"internalGuest"} if {
	u.userType == "Guest"
} else := {"b2bCollaborationMember"} if {
	contains(upper(u.userPrincipalName), "#EXT#")
} else := set()

# collected_ids maps each per-user data set to the user ids it was
# collected for: its items' ids (sign-in items are events, so for signIns
# only the data set's `subjects`) plus `subjects`. Built once.
collected_ids := {name: ids |
	some name in ["authenticationMethods", "transitiveMemberOf", "ownedObjects", "signIns"]
	subjects := {lower(x) | some x in object.get(input, ["dataSets", name, "subjects"], [])}
	ids := subjects | {lower(x.id) | name != "signIns"; some x in items(name)}
}

# collected(name, uid): the per-user data set was collected for the user.
collected(name, uid) if lower(uid) in collected_ids[name]

# cloud_only is true unless the user is synchronised from on-premises AD.
cloud_only(u) if not u.onPremisesSyncEnabled == true

# --- other resources -------------------------------------------------------------

groups_by_id := index_by({[g.id, g] | some g in items("groups")})

group_resource(gid) := {"type": "group", "id": gid, "name": object.get(groups_by_id, [gid, "displayName"], gid)}

subscription_resource(sid) := {"type": "subscription", "id": sprintf("/subscriptions/%s", [lower(sid)]), "name": name} if {
	name := sort([s.displayName | some s in items("subscriptions"); lower(object.get(s, "subscriptionId", "")) == lower(sid)])[0]
} else := {"type": "subscription", "id": sprintf("/subscriptions/%s", [lower(sid)]), "name": lower(sid)}

# vault_uri returns the https://host/ part of a Key Vault secret URI.
vault_uri(secret_uri) := sprintf("https://%s/", [split(trim_prefix(secret_uri, "https://"), "/")[0]])

key_vault_resource(secret_uri) := {"type": "keyVault", "id": v.id, "name": v.name} if {
	vaults := [x |
		some x in items("keyVaults")
		lower(trim_suffix(object.get(x, ["properties", "vaultUri"], ""), "/")) == lower(trim_suffix(vault_uri(secret_uri), "/"))
	]
	count(vaults) > 0
	v := sort(vaults)[0]
} else := {"type": "keyVault", "id": vault_uri(secret_uri), "name": vault_uri(secret_uri)}

# role_name returns a role's display name for messages.
role_name(template_id) := name if {
	name := sort(role_names[template_id])[0]
} else := template_id

role_names := {t: {d.displayName | some d in definitions; lower(object.get(d, "templateId", d.id)) == t} |
	definitions := items("roleDefinitions")
	some t in {lower(object.get(d, "templateId", d.id)) | some d in definitions}
}

# account_missing is the verdict of a per-account rule for an account that
# does not exist: BG-INV-003 reports it; other rules cannot judge it.
account_missing(a) := {
	"status": "not_applicable",
	"resource": account_resource(a),
	"message": sprintf("declared account %s does not exist in the tenant (see BG-INV-003)", [a.ref]),
}
