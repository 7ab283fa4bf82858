# METADATA
# title: Break-glass accounts own no applications
# description: |
#   An application or service principal owned by an emergency account ties
#   the account to day-to-day work: its owner is asked to renew secrets and
#   consent, and an attacker who controls the app can act with the owner's
#   standing. A declared account must own no application registration
#   (`#microsoft.graph.application`) and no enterprise application
#   (`#microsoft.graph.servicePrincipal`), per the `ownedObjects` data set.
# custom:
#   id: EXAMPLE-BG-002
#   severity: medium
#   resource: account
#   requires: [users, ownedObjects]
#   remediation: |
#     Assign another owner (a service account or the owning team), then
#     remove the break-glass account: Entra admin center > App registrations
#     (or Enterprise applications) > the app > Owners > Remove, or
#     `Remove-MgApplicationOwnerByRef -ApplicationId <id> -DirectoryObjectId <account id>`.
#   controls:
#     iso27001-2022: [A.5.15, A.8.2]
#     nist-800-53r5: [AC-6(5)]
#     soc2-2017: [CC6.3]
package breakglass.rules.example_no_application_ownership

import data.breakglass.lib
import rego.v1

app_types := {"application", "servicePrincipal"}

# owned_apps lists "displayName (type id)" for each app the account owns.
owned_apps(a) := sort([sprintf("%s (%s %s)", [object.get(o, "displayName", o.id), lib.odata_type(o), o.id]) |
	some o in lib.owned_objects(a.id)
	lib.odata_type(o) in app_types
])

results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("%s owns no applications", [a.upn]),
} if {
	some a in lib.accounts
	a.exists
	count(owned_apps(a)) == 0
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("%s owns %d application(s): %s", [a.upn, count(owned_apps(a)), concat(", ", owned_apps(a))]),
} if {
	some a in lib.accounts
	a.exists
	count(owned_apps(a)) > 0
}
