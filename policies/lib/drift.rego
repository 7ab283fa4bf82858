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

users_by_id[lower(u.id)] := u if some u in items("users")

users_by_upn[lower(u.userPrincipalName)] := u if some u in items("users")

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
accounts[lower(u.id)] := u if {
	some decl in declarations
	u := declared_user(object.union({"id": "", "userPrincipalName": ""}, decl))
}

# direct role assignments and eligibilities, keyed by principal.
role_keys[lower(ra.principalId)] contains sprintf("active|%s|%s", [lib.template_of(ra.roleDefinitionId), object.get(ra, "directoryScopeId", "/")]) if {
	some ra in items("roleAssignments")
}

role_keys[lower(s.principalId)] contains sprintf("eligible|%s|%s", [lib.template_of(s.roleDefinitionId), object.get(s, "directoryScopeId", "/")]) if {
	some s in items("roleEligibilitySchedules")
}

methods_of[lower(m.id)] := {x.id: x | some x in m.methods} if some m in items("authenticationMethods")

policies_by_id[p.id] := p if some p in items("conditionalAccessPolicies")

members_of[lower(gm.id)] := {lower(m.id): m | some m in object.get(gm, "members", [])} if some gm in items("groupMembers")
