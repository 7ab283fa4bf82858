# METADATA
# title: Break-glass account holds an allowed role permanently and actively
# description: |
#   An emergency account must work when PIM, MFA for activation or an
#   approver is unavailable. It needs an active assignment of an allowed role
#   (default Global Administrator) at tenant scope `/` whose schedule never
#   expires. A PIM-eligible or time-bound assignment does not count.
# custom:
#   id: BG-PRIV-001
#   severity: critical
#   resource: account
#   requires: [users, roleAssignmentSchedules, roleDefinitions, transitiveMemberOf]
#   remediation: |
#     Entra admin center > Roles & admins > Global Administrator > Add
#     assignments > assignment type Active, "Permanently assigned". With
#     Graph: POST /roleManagement/directory/roleAssignmentScheduleRequests with
#     action adminAssign, directoryScopeId "/" and expiration type
#     noExpiration.
package breakglass.rules.bg_priv_001

import data.breakglass.lib
import rego.v1

# permanent lists the account's active, non-expiring allowed-role schedules
# at tenant scope, directly or through a role-assignable group.
permanent(a) := {sprintf("%s (%s)", [lib.role_name(role), route]) |
	some s in lib.items("roleAssignmentSchedules")
	route := principal_route(s.principalId, a.id)
	role := lib.template_of(s.roleDefinitionId)
	role in lib.allowed_roles
	object.get(s, "directoryScopeId", "/") == "/"
	object.get(s, "assignmentType", "Assigned") == "Assigned"
	never_expires(s)
}

principal_route(pid, uid) := "direct" if pid == uid

else := sprintf("via group %s", [pid]) if pid in lib.groups_of(uid)

never_expires(s) if lower(object.get(s, ["scheduleInfo", "expiration", "type"], "noExpiration")) == "noexpiration"

never_expires(s) if {
	lower(object.get(s, ["scheduleInfo", "expiration", "type"], "")) == "notspecified"
	object.get(s, ["scheduleInfo", "expiration", "endDateTime"], null) == null
}

results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("%s holds a permanent active assignment: %s", [a.upn, concat(", ", sort(permanent(a)))]),
} if {
	some a in lib.accounts
	a.exists
	count(permanent(a)) > 0
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("%s has no permanent active assignment of an allowed role (%s) at tenant scope; eligible or time-bound assignments need PIM, which may be unavailable in an emergency", [a.upn, concat(", ", sort([lib.role_name(r) | some r in lib.allowed_roles]))]),
} if {
	some a in lib.accounts
	a.exists
	count(permanent(a)) == 0
}
