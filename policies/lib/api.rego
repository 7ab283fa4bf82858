# Stable helper API for rule authors (docs/custom-rules.md, "Helper library").
#
# Everything documented there is part of the contract: names, arguments and
# results do not change without a major version. These functions are thin
# wrappers over the per-principal facts in core.rego (computed once per
# principal), so they are cheap to call inside a loop over accounts or
# policies. Undocumented rules in data.breakglass.lib may change.
package breakglass.lib

import rego.v1

# account_by_ref returns the declared account (an element of `accounts`)
# named by a user principal name or object id, case-insensitively (the
# least match in Rego's order if it is declared twice, never the list order);
# undefined when ref names no declared account.
#
#   a := lib.account_by_ref("bg-01@contoso.onmicrosoft.com")
#   a.exists; a.id; a.upn; a.user.displayName
account_by_ref(ref) := matches[0] if {
	matches := sort([a | some a in accounts; ref_matches(a, lower(ref))])
	count(matches) > 0
}

ref_matches(a, ref) if lower(a.id) == ref

ref_matches(a, ref) if lower(a.upn) == ref

ref_matches(a, ref) if lower(a.ref) == ref

# is_member is true when the user uid is a member of the group gid,
# directly or through nested groups (transitiveMemberOf data set).
is_member(uid, gid) if lower(gid) in groups_of(lower(uid))

# has_active_role is true when the principal holds the directory role
# (template id, e.g. lib.global_administrator) actively at tenant scope
# "/", directly or through a role-assignable group. PIM-eligible roles do
# not count.
has_active_role(uid, role_template_id) if lower(role_template_id) in active_roles(uid)

# group_members returns the members of an exclusion group (groupMembers
# data set: users, groups, service principals with "@odata.type", id and
# names); [] when the group was not collected.
group_members(gid) := object.get(group_members_by_id, lower(gid), [])

group_members_by_id := index_by({[lower(g.id), object.get(g, "members", [])] | some g in items("groupMembers")})

# owned_objects returns the directory objects a user owns (ownedObjects data
# set, collected for declared accounts: applications, service principals,
# groups, ...); [] when none were collected.
owned_objects(uid) := object.get(owned_objects_by_id, lower(uid), [])

owned_objects_by_id := index_by({[lower(o.id), object.get(o, "ownedObjects", [])] | some o in items("ownedObjects")})

# odata_type returns an object's "@odata.type" without the
# "#microsoft.graph." prefix (e.g. "application", "group", "user").
odata_type(obj) := trim_prefix(object.get(obj, "@odata.type", ""), "#microsoft.graph.")

# older_than_days is true when the RFC 3339 timestamp ts lies more than n
# whole days before the scan's "now" (see days_since).
older_than_days(ts, n) if days_since(ts) > n
