# METADATA
# title: At least one break-glass account can get through Conditional Access
# description: |
#   The lockout check. At least one declared account that is enabled,
#   cloud-only and holds an active allowed role must pass BG-CA-002 on every
#   enabled Conditional Access policy. Waivers (`caAllowedPolicies`) do not
#   count here: a waived policy still blocks the sign-in.
# custom:
#   id: BG-CA-001
#   severity: critical
#   resource: tenant
#   requires: [conditionalAccessPolicies, users, transitiveMemberOf, roleAssignments, roleDefinitions, authenticationMethods, authenticationMethodsPolicy, authenticationStrengthPolicies]
#   remediation: |
#     Fix the BG-CA-002 failures for at least one (better: every) account:
#     exclude the break-glass group from the blocking policies or make them
#     satisfiable, and make sure the account is enabled, cloud-only and holds
#     Global Administrator actively.
package breakglass.rules.bg_ca_001

import data.breakglass.lib
import data.breakglass.lib.ca
import rego.v1

# ready: accounts that could act in an emergency, before CA is considered.
ready := [a |
	some a in lib.accounts
	a.exists
	a.user.accountEnabled == true
	lib.cloud_only(a.user)
	count(lib.active_roles(a.id) & lib.allowed_roles) > 0
]

blocking(a) := {sprintf("%s (%s)", [object.get(p, "displayName", p.id), p.id]) |
	some p in ca.enabled_policies
	ca.verdicts[p.id][a.id].status == "fail"
}

undecided(a) := {object.get(p, "displayName", p.id) |
	some p in ca.enabled_policies
	ca.verdicts[p.id][a.id].status == "error"
}

# through: ready accounts with an explicit pass verdict on every enabled
# policy; a missing verdict (a gap in the logic) never counts as getting
# through. A set: an account declared twice (by UPN and by id) counts once.
through := {a.upn |
	some a in ready
	covered(a)
	every p in ca.enabled_policies {
		ca.verdicts[p.id][a.id].status == "pass"
	}
}

# covered: the account's methods and memberships were collected; without
# them "not targeted" could just mean "memberships unknown".
covered(a) if {
	lib.collected("authenticationMethods", a.id)
	lib.collected("transitiveMemberOf", a.id)
}

uncovered_ready := [a.upn | some a in ready; not covered(a)]

results contains {
	"status": "pass",
	"resource": lib.tenant_resource,
	"message": sprintf("%d account(s) can get through every enabled Conditional Access policy: %s", [count(through), concat(", ", sort(through))]),
} if count(through) > 0

results contains {
	"status": "fail",
	"resource": lib.tenant_resource,
	"message": "no declared account is enabled, cloud-only and holds an active allowed role: nobody can break the glass",
} if count(ready) == 0

results contains {
	"status": "fail",
	"resource": lib.tenant_resource,
	"message": sprintf("LOCKOUT: every ready break-glass account is blocked by Conditional Access: %s", [concat("; ", sort([sprintf("%s by %s", [a.upn, concat(", ", sort(blocking(a)))]) | some a in ready]))]),
} if {
	count(ready) > 0
	count(through) == 0
	count(uncovered_ready) == 0
	every a in ready {
		count(blocking(a)) > 0
	}
}

results contains {
	"status": "error",
	"resource": lib.tenant_resource,
	"message": sprintf("no account is known to get through: the methods or memberships of %s were not collected (declared after the snapshot was taken?); re-run breakglass collect", [concat(", ", sort(uncovered_ready))]),
} if {
	count(ready) > 0
	count(through) == 0
	count(uncovered_ready) > 0
}

results contains {
	"status": "error",
	"resource": lib.tenant_resource,
	"message": sprintf("no account is known to get through: the grant controls of %s cannot be evaluated", [concat(", ", sort(union({undecided(a) | some a in ready})))]),
} if {
	count(ready) > 0
	count(through) == 0
	count(uncovered_ready) == 0
	some a in ready
	count(blocking(a)) == 0
}
