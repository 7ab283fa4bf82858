# METADATA
# title: Break-glass account holds no directory roles beyond the allowed ones
# description: |
#   Extra roles widen the blast radius of a stolen emergency credential and
#   hint at day-to-day use. The account may hold (actively or PIM-eligible,
#   directly or through a group, at any scope) only `allowedRoles`.
# custom:
#   id: BG-PRIV-002
#   severity: high
#   resource: account
#   requires: [users, roleAssignments, roleEligibilitySchedules, roleDefinitions, transitiveMemberOf]
#   remediation: |
#     Remove the extra assignments: Entra admin center > Users > the account >
#     Assigned roles > Remove, or `Remove-MgRoleManagementDirectoryRoleAssignment`.
#     If the organisation deliberately allows another role, add its template
#     id to `allowedRoles` in breakglass.yaml.
package breakglass.rules.bg_priv_002

import data.breakglass.lib
import rego.v1

eligible_roles(uid) := {lib.template_of(s.roleDefinitionId) |
	some s in lib.items("roleEligibilitySchedules")
	principal_matches(s.principalId, uid)
}

principal_matches(pid, uid) if pid == uid

principal_matches(pid, uid) if pid in lib.groups_of(uid)

held_roles(uid) := {x.role | some x in lib.active_role_assignments(uid)} | eligible_roles(uid)

extra(uid) := held_roles(uid) - lib.allowed_roles

results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("%s holds only allowed roles", [a.upn]),
} if {
	some a in lib.accounts
	a.exists
	count(extra(a.id)) == 0
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("%s holds roles beyond allowedRoles: %s", [a.upn, concat(", ", sort([lib.role_name(r) | some r in extra(a.id)]))]),
} if {
	some a in lib.accounts
	a.exists
	count(extra(a.id)) > 0
}
