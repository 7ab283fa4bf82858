# METADATA
# title: Report-only Conditional Access policy would not lock out a break-glass account
# description: |
#   A report-only policy does not enforce anything yet, so Microsoft's
#   guidance needs no exclusion for it. But it is usually a policy on its way
#   to being switched on: this rule applies the BG-CA-002 check to each
#   (report-only policy, account) pair and flags latent lockouts before
#   someone flips the policy to On. Microsoft-managed policies, which
#   Microsoft switches on by itself, are left to BG-CA-007.
# custom:
#   id: BG-CA-003
#   severity: low
#   resource: report-only-policy-account
#   requires: [conditionalAccessPolicies, users, transitiveMemberOf, roleAssignments, roleDefinitions, authenticationMethods, authenticationMethodsPolicy, authenticationStrengthPolicies]
#   remediation: |
#     Before enabling the policy, add the break-glass exclusion group: Entra
#     admin center > Protection > Conditional Access > the policy > Users >
#     Exclude > Users and groups, or PATCH
#     /identity/conditionalAccess/policies/{id} with the group id in
#     conditions.users.excludeGroups. Alternatively make its grant controls
#     satisfiable by the account (e.g. phishing-resistant strength with
#     registered FIDO2 keys). A deliberate exception goes in
#     `caAllowedPolicies`.
package breakglass.rules.bg_ca_003

import data.breakglass.lib
import data.breakglass.lib.ca
import rego.v1

# reword makes clear that a failure is latent: the policy is report-only.
reword(r) := object.union(r, {"message": sprintf("report-only now, but once enabled: %s", [r.message])}) if {
	r.status in {"fail", "error"}
} else := r

# Microsoft-managed policies are switched on by Microsoft, not by someone
# in the tenant: BG-CA-007 judges them at BG-CA-002's severity.
pair(p, a) := {"status": "not_applicable", "message": "Microsoft-managed policy: Microsoft switches it on by itself, so BG-CA-007 judges it like an enabled policy"} if {
	ca.microsoft_managed(p)
} else := reword(ca.pair_result(p, a))

results contains r if {
	some p in ca.report_only_policies
	some a in lib.accounts
	r := object.union(pair(p, a), {"resource": ca.policy_resource(p), "subject": lib.account_resource(a)})
}
