# METADATA
# title: Each exclusion group has exactly two members
# description: |
#   The Conditional Access exclusion group is the one place where a
#   break-glass account bypasses enforcement. With exactly two members (the
#   two emergency accounts) any addition stands out in a review or a drift
#   scan. Each group in `exclusionGroups` must have exactly two direct
#   members in the `groupMembers` data set; a nested group counts as one
#   member and hides its own members, so BG-CA-005 checks who they are.
# custom:
#   id: EXAMPLE-BG-003
#   severity: medium
#   resource: exclusion-group
#   requires: [groupMembers]
#   remediation: |
#     Remove every member that is not one of the two declared break-glass
#     accounts (Entra admin center > Groups > the group > Members), or add
#     the missing account, and record the change.
#   controls:
#     iso27001-2022: [A.5.18]
#     nist-800-53r5: [AC-3(10)]
#     soc2-2017: [CC6.2]
package breakglass.rules.example_exclusion_group_two_members

import data.breakglass.lib
import rego.v1

expected := 2

collected(gid) if {
	some g in lib.items("groupMembers")
	lower(g.id) == gid
}

member_names(gid) := sort([object.get(m, "userPrincipalName", object.get(m, "displayName", m.id)) | some m in lib.group_members(gid)])

results contains {
	"status": "error",
	"resource": lib.group_resource(gid),
	"message": sprintf("the members of exclusion group %s were not collected (groupMembers has no entry for it); re-run breakglass collect", [gid]),
} if {
	some gid in lib.exclusion_groups
	not collected(gid)
}

results contains {
	"status": "pass",
	"resource": lib.group_resource(gid),
	"message": sprintf("exclusion group %s has exactly %d members: %s", [lib.group_resource(gid).name, expected, concat(", ", member_names(gid))]),
} if {
	some gid in lib.exclusion_groups
	collected(gid)
	count(lib.group_members(gid)) == expected
}

results contains {
	"status": "fail",
	"resource": lib.group_resource(gid),
	"message": sprintf("exclusion group %s has %d members, expected exactly %d: %s", [lib.group_resource(gid).name, count(lib.group_members(gid)), expected, concat(", ", member_names(gid))]),
} if {
	some gid in lib.exclusion_groups
	collected(gid)
	count(lib.group_members(gid)) != expected
}
