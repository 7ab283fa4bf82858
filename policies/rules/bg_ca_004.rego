# METADATA
# title: Conditional Access exclusion group is protected
# description: |
#   Membership of the exclusion group is a bypass of Conditional Access.
#   Anyone who can add members to it (Groups Administrator, User
#   Administrator, group owners, dynamic rules matching an attribute they
#   can set) can exempt any account from every policy. The group must be
#   role-assignable (only Privileged Role Administrators and Global
#   Administrators can manage it) or sit in a restricted-management
#   administrative unit, and its membership must be assigned, not dynamic.
# custom:
#   id: BG-CA-004
#   severity: high
#   resource: exclusion-group
#   requires: [groups, administrativeUnits]
#   remediation: |
#     isAssignableToRole can only be set at creation: create a new security
#     group with "Microsoft Entra roles can be assigned to the group" = Yes
#     (`New-MgGroup -DisplayName CA-BreakGlass-Exclude -SecurityEnabled
#     -MailEnabled:$false -MailNickname cabgexclude -IsAssignableToRole`),
#     add the break-glass accounts, swap it into every policy's
#     excludeGroups and update `exclusionGroups`. Alternatively add the
#     existing group to a restricted-management administrative unit (Entra
#     admin center > Roles & admins > Admin units > New, "Restricted
#     management administrative unit" = Yes > Groups > Add). Turn a dynamic
#     group into an assigned one: Groups > the group > Properties >
#     Membership type Assigned (or PATCH /groups/{id} with groupTypes
#     without DynamicMembership and membershipRuleProcessingState Paused).
package breakglass.rules.bg_ca_004

import data.breakglass.lib
import data.breakglass.lib.exclusion
import rego.v1

protection(gid, g) := "role-assignable (isAssignableToRole)" if {
	g.isAssignableToRole == true
} else := sprintf("in restricted-management administrative unit(s) %s", [concat(", ", sort(exclusion.restricted_units[gid]))]) if {
	count(object.get(exclusion.restricted_units, gid, set())) > 0
}

results contains {
	"status": "fail",
	"resource": lib.group_resource(gid),
	"message": sprintf("exclusion group %s was not found in the tenant (deleted, or a wrong id in exclusionGroups): the Conditional Access exclusions that name it exclude nobody", [gid]),
} if {
	some gid in lib.exclusion_groups
	not lib.groups_by_id[gid]
}

# problems lists what leaves the group's membership open to change.
problems(gid, g) := array.concat(dynamic_problem(g), protection_problem(gid, g))

dynamic_problem(g) := [sprintf("dynamic membership (%s): anyone who can set the matching attribute can exempt an account", [exclusion.dynamic_reason(g)])] if {
	exclusion.dynamic_reason(g)
} else := []

protection_problem(gid, g) := [] if {
	protection(gid, g)
} else := ["neither role-assignable nor in a restricted-management administrative unit: Groups Administrators, User Administrators and group owners can add members"]

results contains {
	"status": "fail",
	"resource": lib.group_resource(gid),
	"message": sprintf("exclusion group %s is not protected: %s; its members bypass Conditional Access", [object.get(g, "displayName", gid), concat("; ", problems(gid, g))]),
} if {
	some gid in lib.exclusion_groups
	g := lib.groups_by_id[gid]
	count(problems(gid, g)) > 0
}

results contains {
	"status": "pass",
	"resource": lib.group_resource(gid),
	"message": sprintf("exclusion group %s has assigned membership and is protected: %s", [object.get(g, "displayName", gid), protection(gid, g)]),
} if {
	some gid in lib.exclusion_groups
	g := lib.groups_by_id[gid]
	not exclusion.dynamic_reason(g)
	protection(gid, g)
}

results contains {
	"status": "not_applicable",
	"resource": lib.tenant_resource,
	"message": "no exclusion groups are declared (`exclusionGroups` in breakglass.yaml)",
} if count(lib.exclusion_groups) == 0
