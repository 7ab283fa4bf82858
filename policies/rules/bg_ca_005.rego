# METADATA
# title: Conditional Access exclusion group holds only break-glass accounts
# description: |
#   Every member of the exclusion group is exempt from the Conditional
#   Access policies that exclude it. An ordinary administrator, a service
#   account or a nested group "smuggled" into it silently escapes MFA,
#   device and location controls. The group's members — including members
#   of nested groups, resolved when their membership was collected — must
#   be declared break-glass accounts only. A group that excludes a
#   declared account from an enabled or report-only policy but is not
#   listed in exclusionGroups fails too: its members were never collected,
#   so anyone in it is exempt unseen.
# custom:
#   id: BG-CA-005
#   severity: high
#   resource: exclusion-group
#   requires: [groupMembers, users, conditionalAccessPolicies, transitiveMemberOf]
#   remediation: |
#     Remove every member that is not a declared account: Entra admin center
#     > Groups > the exclusion group > Members > select > Remove, or
#     `Remove-MgGroupMemberByRef -GroupId <group id> -DirectoryObjectId
#     <member id>` (`az ad group member remove --group <group id>
#     --member-id <member id>`). Replace nested groups by their break-glass
#     members, or list the nested group under `exclusionGroups` so that its
#     members are collected and audited too. If a member is a genuine
#     break-glass account, declare it under `accounts:` in breakglass.yaml.
#     A group that excludes break-glass accounts from Conditional Access but
#     is missing from `exclusionGroups`: add its object id there (or remove
#     it from the policies' excludeGroups) and collect again.
package breakglass.rules.bg_ca_005

import data.breakglass.lib
import data.breakglass.lib.exclusion
import rego.v1

member_name(m) := object.get(m, "userPrincipalName", object.get(m, "displayName", m.id))

member_kind(m) := trim_prefix(object.get(m, "@odata.type", "#microsoft.graph.directoryObject"), "#microsoft.graph.")

via(gid, g) := "" if g == gid

else := sprintf(" via nested group %s", [lib.group_resource(g).name])

declared_member(x) if {
	member_kind(x.member) == "user"
	lib.is_declared(x.member.id)
}

# smuggled lists members that are not declared break-glass accounts.
smuggled(gid) := {sprintf("%s %s (%s)%s", [member_kind(x.member), member_name(x.member), x.member.id, via(gid, x.via)]) |
	some x in exclusion.leaf_members(gid)
	not declared_member(x)
}

unresolved(gid) := {sprintf("%s (%s)", [lib.group_resource(g).name, g]) | some g in exclusion.unresolved(gid)}

legit(gid) := {sprintf("%s%s", [member_name(x.member), via(gid, x.via)]) |
	some x in exclusion.leaf_members(gid)
	declared_member(x)
}

problems(gid) := array.concat(
	[sprintf("members that are not declared break-glass accounts: %s", [concat(", ", sort(smuggled(gid)))]) | count(smuggled(gid)) > 0],
	[sprintf("nested group(s) whose members were not collected, so anyone in them is exempt unseen: %s", [concat(", ", sort(unresolved(gid)))]) | count(unresolved(gid)) > 0],
)

results contains {
	"status": "fail",
	"resource": lib.group_resource(gid),
	"message": sprintf("the membership of exclusion group %s was not collected: the group does not exist or could not be read (check the id in exclusionGroups)", [gid]),
} if {
	some gid in lib.exclusion_groups
	not exclusion.members_by_group[gid]
}

results contains {
	"status": "fail",
	"resource": lib.group_resource(gid),
	"message": sprintf("exclusion group %s exempts more than the break-glass accounts from Conditional Access: %s", [lib.group_resource(gid).name, concat("; ", problems(gid))]),
} if {
	some gid in lib.exclusion_groups
	exclusion.members_by_group[gid]
	count(problems(gid)) > 0
}

results contains {
	"status": "pass",
	"resource": lib.group_resource(gid),
	"message": sprintf("exclusion group %s holds only declared break-glass accounts: %s", [lib.group_resource(gid).name, members_text(gid)]),
} if {
	some gid in lib.exclusion_groups
	exclusion.members_by_group[gid]
	count(problems(gid)) == 0
}

members_text(gid) := concat(", ", sort(legit(gid))) if count(legit(gid)) > 0

else := "(no members)"

# One finding is enough for a group missing from exclusionGroups: this rule
# reports it (its members are unknown, so anyone may be exempt); BG-CA-004
# reports `error` because its protection cannot be judged.
results contains {
	"status": "fail",
	"resource": lib.group_resource(gid),
	"message": sprintf("group %s excludes declared break-glass accounts from Conditional Access but is not listed in exclusionGroups, so its members and protection were not collected; add it (it excludes %s from %s)", [lib.group_resource(gid).name, concat(", ", sort(exclusion.effective_groups[gid])), concat(", ", sort(exclusion.excluding_policies(gid)))]),
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
