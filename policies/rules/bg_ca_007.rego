# METADATA
# title: Microsoft-managed Conditional Access policy pending enforcement would not lock out a break-glass account
# description: |
#   Microsoft creates Microsoft-managed Conditional Access policies in
#   report-only mode (block legacy authentication, block device code flow,
#   MFA for admins accessing Microsoft admin portals, MFA and
#   reauthentication for risky sign-ins, ...) and switches them on by itself
#   no less than 45 days later, after a notice in the Message Center. Such a
#   policy is not "latent until someone acts" as BG-CA-003 assumes for
#   report-only policies: it will be enforced without any change in the
#   tenant. This rule judges each (Microsoft-managed report-only policy,
#   account) pair exactly like BG-CA-002 judges an enabled policy, at
#   BG-CA-002's severity; report-only policies the tenant created itself
#   are not applicable here (BG-CA-003 judges them). BG-CA-001 is unchanged:
#   it states who gets through today. A policy is recognised as
#   Microsoft-managed by its display name, which starts with
#   "Microsoft-managed:" and cannot be renamed (Graph v1.0 has no explicit
#   managed flag; `templateId` is also set on policies admins create from
#   templates, so it does not tell them apart). Graph does not expose the
#   date Microsoft will switch a policy on: the message says so, and the
#   Message Center announcement has it. Not verified against a live tenant:
#   the display-name marker follows Microsoft's documentation
#   (https://learn.microsoft.com/entra/identity/conditional-access/managed-policies)
#   and published Graph exports of these policies.
# custom:
#   id: BG-CA-007
#   severity: high
#   resource: report-only-policy-account
#   requires: [conditionalAccessPolicies, users, transitiveMemberOf, roleAssignments, roleDefinitions, authenticationMethods, authenticationMethodsPolicy, authenticationStrengthPolicies]
#   remediation: |
#     Exclude the break-glass exclusion group from the Microsoft-managed
#     policy now, before Microsoft switches it on: Entra admin center >
#     Protection > Conditional Access > Policies > the "Microsoft-managed:"
#     policy > Users > Exclude > Users and groups (exclusions and the state
#     are the changes Microsoft allows on these policies), or PATCH
#     /identity/conditionalAccess/policies/{id} with the group id in
#     conditions.users.excludeGroups. Alternatively make the account able to
#     satisfy it (register FIDO2 keys for an MFA policy). Turning the policy
#     Off also stops the automatic enablement; a deliberate exception goes in
#     `caAllowedPolicies`.
package breakglass.rules.bg_ca_007

import data.breakglass.lib
import data.breakglass.lib.ca
import rego.v1

pending := "Microsoft switches this Microsoft-managed policy from report-only to On by itself after a Message Center notice (Microsoft Graph does not expose the date; see the Message Center)"

# reword: a failure or error is a lockout Microsoft will enforce without any
# change in the tenant.
reword(r) := object.union(r, {"message": sprintf("%s; once it does: %s", [pending, r.message])}) if {
	r.status in {"fail", "error"}
} else := object.union(r, {"message": sprintf("Microsoft-managed, pending enforcement: %s", [r.message])})

verdict(p, a) := reword(ca.pair_result(p, a)) if ca.microsoft_managed(p)

else := {"status": "not_applicable", "message": "not a Microsoft-managed policy (BG-CA-003 judges report-only policies the tenant created)"}

results contains r if {
	some p in ca.report_only_policies
	some a in lib.accounts
	r := object.union(verdict(p, a), {"resource": ca.policy_resource(p), "subject": lib.account_resource(a)})
}
