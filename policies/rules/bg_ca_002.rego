# METADATA
# title: Conditional Access policy cannot lock out a break-glass account
# description: |
#   For each enabled Conditional Access policy and each declared account:
#   the account is excluded (directly, through a group at any depth, through
#   a role or the guest condition), or the policy does not touch an
#   interactive admin sign-in, or the account can satisfy its grant controls
#   from an unknown device and location with its registered methods. Group
#   exclusions are resolved transitively; a policy the account can satisfy
#   (e.g. MFA met by its passkey) needs no exclusion.
# custom:
#   id: BG-CA-002
#   severity: high
#   resource: enabled-policy-account
#   requires: [conditionalAccessPolicies, users, transitiveMemberOf, roleAssignments, roleDefinitions, authenticationMethods, authenticationMethodsPolicy, authenticationStrengthPolicies]
#   remediation: |
#     Add the break-glass exclusion group to the policy: Entra admin center >
#     Protection > Conditional Access > the policy > Users > Exclude > Users
#     and groups, or PATCH /identity/conditionalAccess/policies/{id} with the
#     group id in conditions.users.excludeGroups. Alternatively make the
#     policy satisfiable (e.g. require the phishing-resistant strength and
#     register FIDO2 keys). A deliberate exception goes in
#     `caAllowedPolicies`.
package breakglass.rules.bg_ca_002

import data.breakglass.lib
import data.breakglass.lib.ca
import rego.v1

results contains r if {
	some p in ca.enabled_policies
	some a in lib.accounts
	r := object.union(ca.pair_result(p, a), {"resource": ca.policy_resource(p), "subject": lib.account_resource(a)})
}
