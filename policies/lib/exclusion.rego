# METADATA
# title: Conditional Access exclusion groups
# description: |
#   Membership and protection of the exclusion groups declared in
#   `exclusionGroups`, indexed once per group: nested groups are resolved
#   through the groupMembers data set (graph.reachable), administrative-unit
#   protection through administrativeUnits. Also the "effective" exclusion
#   groups: groups that exclude a declared account from an enabled or
#   report-only Conditional Access policy, listed in exclusionGroups or not.
# scope: package
package breakglass.lib.exclusion

import data.breakglass.lib
import data.breakglass.lib.ca
import rego.v1

# members_by_group maps a group id to its direct members (groupMembers).
members_by_group := lib.index_by({[lower(gm.id), object.get(gm, "members", [])] | some gm in lib.items("groupMembers")})

# owners_by_group maps a group id to its owners (groupMembers), who can
# change its membership.
owners_by_group := lib.index_by({[lower(gm.id), object.get(gm, "owners", [])] | some gm in lib.items("groupMembers")})

is_group_member(m) if lower(object.get(m, "@odata.type", "")) == "#microsoft.graph.group"

# nested maps each collected group to the groups that are its direct members.
nested := {gid: {lower(m.id) | some m in members; is_group_member(m)} | some gid, members in members_by_group}

# membership_graph adds nested groups whose members were not collected as
# leaves: graph.reachable ignores neighbours that are not keys.
membership_graph[g] := object.get(nested, g, set()) if {
	some g in ({x | some x, _ in nested} | {x | some _, xs in nested; some x in xs})
}

# reachable returns a group and every group nested in it (any depth),
# following the groupMembers data set.
reachable(gid) := graph.reachable(membership_graph, {lower(gid)})

# unresolved returns the nested groups whose members were not collected.
unresolved(gid) := {g | some g in reachable(gid); not members_by_group[g]}

# nested_groups returns the groups nested in the group at any depth (not
# the group itself).
nested_groups(gid) := reachable(gid) - {lower(gid)}

# leaf_members returns {"member": m, "via": group id} for every non-group
# member of the group or of a resolved nested group.
leaf_members(gid) := {{"member": m, "via": g} |
	some g in reachable(gid)
	some m in object.get(members_by_group, g, [])
	not is_group_member(m)
}

# restricted_units maps a member object id to the restricted-management
# administrative units (isMemberManagementRestricted) that hold it.
restricted_units[lower(m.id)] contains object.get(au, "displayName", au.id) if {
	some au in lib.items("administrativeUnits")
	au.isMemberManagementRestricted == true
	some m in object.get(au, "members", [])
}

# dynamic_reason explains why a group's membership is dynamic; undefined
# when it is assigned.
dynamic_reason(g) := "groupTypes contains DynamicMembership" if {
	some t in object.get(g, "groupTypes", [])
	lower(t) == "dynamicmembership"
} else := sprintf("membershipRule is set (%s)", [g.membershipRule]) if {
	is_string(g.membershipRule)
	trim_space(g.membershipRule) != ""
}

# --- effective exclusion groups ----------------------------------------------

# ca_excluded_groups holds the groups named in excludeGroups of an enabled or
# report-only Conditional Access policy.
ca_excluded_groups := {g |
	some p in array.concat(ca.enabled_policies, ca.report_only_policies)
	some g in ca.list(ca.users_cond(p), "excludeGroups")
}

# declared_groups maps each declared, existing account (object id: two
# users may share a UPN) to the groups it is a transitive member of
# (lib.groups_of; ids are lower-case in the input).
declared_groups := {a.id: lib.groups_of(a.id) | some a in lib.accounts; a.exists}

# effective_groups maps each group that excludes a declared account from an
# enabled or report-only policy to the UPNs of those accounts.
effective_groups := {g: {a.upn | some a in lib.accounts; a.exists; g in declared_groups[a.id]} |
	some g in (union({gs | some _, gs in declared_groups}) & ca_excluded_groups)
}

# unlisted_groups are the effective exclusion groups missing from
# exclusionGroups: their members, owners and administrative units were not
# collected.
unlisted_groups := {g | some g, _ in effective_groups} - lib.exclusion_groups

# exclusion_pairs lists (group id, policy name) for every excludeGroups
# entry of an enabled or report-only policy: built once.
exclusion_pairs := {[g, object.get(p, "displayName", p.id)] |
	some p in array.concat(ca.enabled_policies, ca.report_only_policies)
	some g in ca.list(ca.users_cond(p), "excludeGroups")
}

# policies_excluding maps each unlisted effective exclusion group to the
# names of the policies that exclude it (an indexed comprehension: one pass
# over the pairs, not one per group).
policies_excluding[g] := names if {
	some g in unlisted_groups
	names := {pair[1] | some pair in exclusion_pairs; pair[0] == g}
}

# excluding_policies returns the enabled and report-only policies whose
# excludeGroups name the group.
excluding_policies(gid) := object.get(policies_excluding, lower(gid), set())
