# METADATA
# title: Conditional Access exclusion group is protected
# description: |
#   Membership of the exclusion group is a bypass of Conditional Access.
#   Anyone who can add members to it (Groups Administrator, User
#   Administrator, group owners, dynamic rules matching an attribute they
#   can set) can exempt any account from every policy. The group must be
#   role-assignable (only Privileged Role Administrators and Global
#   Administrators can manage it) or sit in a restricted-management
#   administrative unit, its membership must be assigned, not dynamic, and
#   it must have no owners (owners manage its members whatever the
#   protection). Groups nested in it (possible in an administrative-unit
#   protected group; role-assignable groups cannot contain groups) must be
#   protected the same way. A group that excludes a declared account from
#   an enabled or report-only policy but is not listed in exclusionGroups
#   cannot be judged (its owners and administrative units were not
#   collected) and is reported `error`; BG-CA-005 reports it as a finding.
# custom:
#   id: BG-CA-004
#   severity: high
#   resource: exclusion-group
#   requires: [groups, administrativeUnits, groupMembers, conditionalAccessPolicies, transitiveMemberOf]
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
#     Remove the group's owners (Groups > the group > Owners > Remove, or
#     `Remove-MgGroupOwnerByRef -GroupId <group id> -DirectoryObjectId
#     <owner id>`) and manage membership through PIM for Groups or a
#     Privileged Role Administrator. Replace nested groups by their
#     break-glass members, or protect each nested group the same way and
#     list it under `exclusionGroups` so its protection is collected.
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
problems(gid, g) := array.concat(
	array.concat(dynamic_problem(g), protection_problem(gid, g)),
	array.concat(owner_problem(gid), nested_problem(gid)),
)

dynamic_problem(g) := [sprintf("dynamic membership (%s): anyone who can set the matching attribute can exempt an account", [exclusion.dynamic_reason(g)])] if {
	exclusion.dynamic_reason(g)
} else := []

protection_problem(gid, g) := [] if {
	protection(gid, g)
} else := ["neither role-assignable nor in a restricted-management administrative unit: Groups Administrators, User Administrators and group owners can add members"]

principal_name(o) := object.get(o, "userPrincipalName", object.get(o, "displayName", o.id))

owner_names(gid) := {sprintf("%s (%s)", [principal_name(o), o.id]) | some o in object.get(exclusion.owners_by_group, gid, [])}

owner_problem(gid) := [sprintf("owned by %s: owners manage its members; remove owners, manage membership through PIM for Groups or a Privileged Role Administrator", [concat(", ", sort(owner_names(gid)))])] if {
	count(owner_names(gid)) > 0
} else := ["its owners and members were not collected (groupMembers), so owners and nested groups cannot be checked"] if {
	not exclusion.members_by_group[gid]
} else := []

# nested_reasons explains why a group nested in an exclusion group leaves
# the exclusion open; empty when the nested group is protected.
nested_reasons(n) := ["its properties were not collected (list it under exclusionGroups)"] if {
	not lib.groups_by_id[n]
} else := array.concat(
	array.concat(
		[sprintf("dynamic membership (%s)", [exclusion.dynamic_reason(g)]) | g := lib.groups_by_id[n]; exclusion.dynamic_reason(g)],
		["neither role-assignable nor in a restricted-management administrative unit" | g := lib.groups_by_id[n]; not protection(n, g)],
	),
	array.concat(
		[sprintf("owned by %s", [concat(", ", sort(owner_names(n)))]) | count(owner_names(n)) > 0],
		["its owners and members were not collected (list it under exclusionGroups)" | not exclusion.members_by_group[n]],
	),
)

nested_offenders(gid) := {sprintf("%s (%s): %s", [lib.group_resource(n).name, n, concat(", ", reasons)]) |
	some n in exclusion.nested_groups(gid)
	reasons := nested_reasons(n)
	count(reasons) > 0
}

nested_problem(gid) := [sprintf("unprotected nested group(s), whose members are exempt too: %s", [concat("; ", sort(nested_offenders(gid)))])] if {
	count(nested_offenders(gid)) > 0
} else := []

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
	"message": sprintf("exclusion group %s is protected: %s, with assigned membership and no owners%s", [object.get(g, "displayName", gid), protection(gid, g), nested_text(gid)]),
} if {
	some gid in lib.exclusion_groups
	g := lib.groups_by_id[gid]
	count(problems(gid, g)) == 0
}

nested_text(gid) := sprintf("; its nested group(s) %s are protected too", [concat(", ", sort([lib.group_resource(n).name | some n in exclusion.nested_groups(gid)]))]) if {
	count(exclusion.nested_groups(gid)) > 0
} else := ""

# A group that excludes declared accounts but is not in exclusionGroups:
# its owners and administrative units were not collected. BG-CA-005 reports
# the finding; this rule cannot judge the protection.
results contains {
	"status": "error",
	"resource": lib.group_resource(gid),
	"message": sprintf("group %s excludes declared break-glass account(s) %s from Conditional Access but is not listed in exclusionGroups, so its owners, members and administrative units were not collected and its protection cannot be judged; add it to exclusionGroups (BG-CA-005 reports it)", [lib.group_resource(gid).name, concat(", ", sort(exclusion.effective_groups[gid]))]),
} if {
	some gid in exclusion.unlisted_groups
}

results contains {
	"status": "not_applicable",
	"resource": lib.tenant_resource,
	"message": "no exclusion groups are declared (`exclusionGroups` in breakglass.yaml)",
} if {
	count(lib.exclusion_groups) == 0
	count(exclusion.unlisted_groups) == 0
}
