# METADATA
# title: Each critical subscription has a break-glass Owner
# description: |
#   Entra roles do not grant Azure resource access. If the last Owner of a
#   subscription leaves or loses access, a Global Administrator must elevate
#   to User Access Administrator at root scope — a noisy, slow path. Each
#   subscription in `subscriptions` must have a permanent (active, not
#   PIM-eligible or activated) Owner assignment for at least one declared
#   account, at the subscription scope or above (management group, root).
# custom:
#   id: BG-PRIV-004
#   severity: high
#   resource: subscription
#   requires: [users, armRoleAssignments, armRoleEligibilityScheduleInstances]
#   remediation: |
#     Assign Owner to a break-glass account at the subscription scope:
#     `az role assignment create --assignee-object-id <account id>
#     --assignee-principal-type User --role Owner --scope
#     /subscriptions/<id>` (or Azure portal > Subscriptions > the
#     subscription > Access control (IAM) > Add role assignment > Owner >
#     Members > the account; assignment type Active, Permanent). If nobody
#     can assign it any more, sign in as a Global Administrator, enable
#     "Access management for Azure resources" (Entra admin center >
#     Properties) and assign it from the root scope.
package breakglass.rules.bg_priv_004

import data.breakglass.lib
import rego.v1

owner_role := "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"

is_owner(role_definition_id) if endswith(lower(role_definition_id), owner_role)

# eligible_keys: (principal, role, scope) of PIM-eligible instances; an
# active assignment with the same key is an activation, not permanent.
eligible_keys contains key(p.principalId, p.roleDefinitionId, p.scope) if {
	some e in lib.items("armRoleEligibilityScheduleInstances")
	p := e.properties
}

key(principal, role, scope) := concat("|", [lower(principal), role_guid(role), lower(trim_suffix(scope, "/"))])

role_guid(role_definition_id) := lower(parts[count(parts) - 1]) if parts := split(role_definition_id, "/")

# covers: the assignment applies to the subscription. The collector lists
# assignments per subscription with atScope() and records in `listedFor`
# which subscriptions' lists returned each one: that is exactly the set of
# subscriptions at or below its scope (a management group's scope alone
# does not say which subscriptions sit below it). Without `listedFor`, only
# the subscription's own scope and the root scope are provable.
covers(x, sid) if lower(sid) in {lower(s) | some s in x.listedFor}

covers(x, sid) if {
	x.listedFor == null
	lower(trim_suffix(x.scope, "/")) in {"", sprintf("/subscriptions/%s", [lower(sid)])}
}

# owners_by_principal: active, non-activated Owner assignments per principal.
owners_by_principal[lower(p.principalId)] contains {"scope": p.scope, "listedFor": object.get(ra, "listedFor", null)} if {
	some ra in lib.items("armRoleAssignments")
	p := ra.properties
	is_owner(p.roleDefinitionId)
	not key(p.principalId, p.roleDefinitionId, p.scope) in eligible_keys
}

activated_by_principal[lower(p.principalId)] contains {"scope": p.scope, "listedFor": object.get(ra, "listedFor", null)} if {
	some ra in lib.items("armRoleAssignments")
	p := ra.properties
	is_owner(p.roleDefinitionId)
	key(p.principalId, p.roleDefinitionId, p.scope) in eligible_keys
}

permanent(sid) := {sprintf("%s at %s", [a.upn, scope_name(x.scope)]) |
	some a in lib.accounts
	a.exists
	some x in object.get(owners_by_principal, lower(a.id), set())
	covers(x, sid)
}

activated(sid) := {a.upn |
	some a in lib.accounts
	a.exists
	some x in object.get(activated_by_principal, lower(a.id), set())
	covers(x, sid)
}

scope_name(scope) := "root scope /" if trim_suffix(scope, "/") == ""

else := scope

activated_hint(sid) := sprintf(" (%s hold(s) Owner only through a PIM activation, which expires)", [concat(", ", sort(activated(sid)))]) if {
	count(activated(sid)) > 0
} else := ""

results contains {
	"status": "pass",
	"resource": lib.subscription_resource(sid),
	"message": sprintf("subscription %s has a permanent break-glass Owner: %s", [sid, concat(", ", sort(permanent(sid)))]),
} if {
	some sid in lib.setting("subscriptions", [])
	count(permanent(sid)) > 0
}

results contains {
	"status": "fail",
	"resource": lib.subscription_resource(sid),
	"message": sprintf("subscription %s has no permanent Owner assignment for any declared account (%s) at the subscription scope or above%s", [sid, concat(", ", sort([a.ref | some a in lib.accounts])), activated_hint(sid)]),
} if {
	some sid in lib.setting("subscriptions", [])
	count(permanent(sid)) == 0
}

results contains {
	"status": "not_applicable",
	"resource": lib.tenant_resource,
	"message": "no critical subscriptions are declared (`subscriptions` in breakglass.yaml)",
} if count(lib.setting("subscriptions", [])) == 0
