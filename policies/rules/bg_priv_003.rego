# METADATA
# title: Break-glass roles are assigned directly, not through a group
# description: |
#   A role received through a (role-assignable) group depends on that
#   group's membership: whoever can change the group's members or owners can
#   take the role away — or hand the same role to someone else. The
#   account's directory roles must be assigned to the user object itself.
# custom:
#   id: BG-PRIV-003
#   severity: medium
#   resource: account
#   requires: [users, roleAssignments, roleDefinitions, transitiveMemberOf]
#   remediation: |
#     Assign the role to the account directly (Entra admin center > Roles &
#     admins > Global Administrator > Add assignments > select the account >
#     Active, Permanently assigned; or POST
#     /roleManagement/directory/roleAssignments with the account's id as
#     principalId), then remove the account from the role-assignable group
#     (`Remove-MgGroupMemberByRef -GroupId <group id> -DirectoryObjectId
#     <account id>`).
package breakglass.rules.bg_priv_003

import data.breakglass.lib
import rego.v1

via_group(uid) := {sprintf("%s through group %s", [lib.role_name(x.role), lib.group_resource(x.via).name]) |
	some x in lib.active_role_assignments(uid)
	x.via != "direct"
}

direct(uid) := {lib.role_name(x.role) |
	some x in lib.active_role_assignments(uid)
	x.via == "direct"
}

results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("%s receives roles through a group: %s; assign them to the account directly", [a.upn, concat(", ", sort(via_group(a.id)))]),
} if {
	some a in lib.accounts
	a.exists
	count(via_group(a.id)) > 0
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("%s holds its roles directly: %s", [a.upn, concat(", ", sort(direct(a.id)))]),
} if {
	some a in lib.accounts
	a.exists
	count(via_group(a.id)) == 0
	count(direct(a.id)) > 0
}

results contains {
	"status": "not_applicable",
	"resource": lib.account_resource(a),
	"message": sprintf("%s holds no active directory role (see BG-PRIV-001)", [a.upn]),
} if {
	some a in lib.accounts
	a.exists
	count(lib.active_role_assignments(a.id)) == 0
}
