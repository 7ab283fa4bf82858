# METADATA
# title: Break-glass account uses the initial onmicrosoft.com domain
# description: |
#   A UPN on a custom domain can be federated, and a federation outage (AD FS
#   or third-party IdP down, expired token-signing certificate) blocks every
#   sign-in on that domain. The account's UPN must be on the tenant's initial
#   `*.onmicrosoft.com` domain, which is always managed by Entra ID.
# custom:
#   id: BG-ISO-002
#   severity: high
#   resource: account
#   requires: [users, domains]
#   remediation: |
#     Change the UPN to the initial domain: `Update-MgUser -UserId <id>
#     -UserPrincipalName bg-01@<tenant>.onmicrosoft.com`, then update
#     breakglass.yaml, the alert queries (BG-MON-002) and the runbook.
package breakglass.rules.bg_iso_002

import data.breakglass.lib
import rego.v1

initial_domains := {lower(d.id) | some d in lib.items("domains"); d.isInitial == true}

federated_domains := {lower(d.id) | some d in lib.items("domains"); lower(object.get(d, "authenticationType", "")) == "federated"}

upn_domain(upn) := lower(parts[count(parts) - 1]) if parts := split(upn, "@")

results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("UPN %s is on the initial domain", [a.upn]),
} if {
	some a in lib.accounts
	a.exists
	upn_domain(a.upn) in initial_domains
	not upn_domain(a.upn) in federated_domains
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("UPN %s is on federated domain %s: a federation outage would block the emergency sign-in", [a.upn, upn_domain(a.upn)]),
} if {
	some a in lib.accounts
	a.exists
	upn_domain(a.upn) in federated_domains
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("UPN %s is not on the tenant's initial *.onmicrosoft.com domain (%s)", [a.upn, concat(", ", sort(initial_domains))]),
} if {
	some a in lib.accounts
	a.exists
	not upn_domain(a.upn) in initial_domains
	not upn_domain(a.upn) in federated_domains
}
