# METADATA
# title: Conditional Access policies reference only existing objects
# description: |
#   Conditional Access stores object ids, not names. When an excluded
#   account or group is deleted — and, say, a break-glass account is
#   re-created under the same name — the policy still names the old id and
#   the new object is no longer excluded. Each enabled or report-only
#   policy's user conditions (include/exclude users, groups, roles) must
#   name only objects that still exist.
# custom:
#   id: BG-CA-006
#   severity: medium
#   resource: policy-reference
#   requires: [conditionalAccessPolicies, directoryObjects]
#   remediation: |
#     Open the policy (Entra admin center > Protection > Conditional Access >
#     the policy > Users): deleted objects show as unknown ids; remove them
#     and add the current object (e.g. the re-created account or the new
#     exclusion group). Graph: PATCH /identity/conditionalAccess/policies/{id}
#     with the corrected conditions.users lists. If the object was deleted in
#     the last 30 days and should come back, restore it (Entra admin center >
#     Users or Groups > Deleted) — the restored object keeps its id.
package breakglass.rules.bg_ca_006

import data.breakglass.lib
import data.breakglass.lib.ca
import rego.v1

lists := ["includeUsers", "excludeUsers", "includeGroups", "excludeGroups", "includeRoles", "excludeRoles"]

existing := {lower(o.id) | some o in lib.items("directoryObjects")}

is_guid(s) if regex.match(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`, s)

judged := array.concat(ca.enabled_policies, ca.report_only_policies)

# stale[policy id][object id] is the set of condition lists naming a
# deleted object.
stale[p.id][lower(ref)] contains key if {
	some p in judged
	some key in lists
	some ref in object.get(p, ["conditions", "users", key], [])
	is_string(ref)
	is_guid(ref)
	not lower(ref) in existing
}

policies_by_id := lib.index_by({[p.id, p] | some p in judged})

impact(keys) := "the exclusion no longer excludes anyone: a re-created object with the same name is targeted" if {
	some k in keys
	startswith(k, "exclude")
} else := "the inclusion targets nothing"

results contains {
	"status": "fail",
	"resource": ca.policy_resource(p),
	"subject": {"type": "directoryObject", "id": ref, "name": concat(", ", sort(keys))},
	"message": sprintf("policy %s (%s) names object %s in conditions.users.%s, but no such object exists (deleted?): %s", [object.get(p, "displayName", pid), p.state, ref, concat(", conditions.users.", sort(keys)), impact(keys)]),
} if {
	some pid, refs in stale
	p := policies_by_id[pid]
	some ref, keys in refs
}

results contains {
	"status": "pass",
	"resource": lib.tenant_resource,
	"message": sprintf("the %d enabled or report-only Conditional Access policies reference only existing users, groups and roles", [count(judged)]),
} if count(stale) == 0
