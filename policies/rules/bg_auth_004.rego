# METADATA
# title: Break-glass account can meet Microsoft's mandatory MFA for admin portals and Azure
# description: |
#   Microsoft enforces multifactor authentication itself, outside
#   Conditional Access and with no opt-out and no exclusion for emergency
#   accounts: since 2024-25 for the Azure portal, the Microsoft Entra admin
#   center and the Intune admin center (phase 1), and since 2025-10 for
#   Azure Resource Manager create/update/delete operations through the
#   Azure CLI, Azure PowerShell, REST APIs, SDKs and infrastructure-as-code
#   tools (phase 2; the postponements ended 2026-07). Microsoft's
#   emergency-access guidance was updated accordingly: break-glass accounts
#   need an MFA method (preferably a passkey / FIDO2 key or
#   certificate-based authentication). An account whose only usable
#   method is its password cannot sign in to any admin surface nor perform
#   subscription Owner work: it is unusable, whatever its CA exclusions.
#   This rule reports that outage as such; BG-AUTH-001/002 judge the
#   strength of the methods. A method counts only when the authentication
#   methods policy enables it for the account (FIDO2 key restrictions
#   included; a certificate only when the X509Certificate configuration
#   makes it multifactor). Follows
#   https://learn.microsoft.com/entra/identity/authentication/concept-mandatory-multifactor-authentication
#   and https://learn.microsoft.com/entra/identity/role-based-access-control/security-emergency-access.
# custom:
#   id: BG-AUTH-004
#   severity: critical
#   resource: account
#   requires: [users, authenticationMethods, authenticationMethodsPolicy, transitiveMemberOf]
#   remediation: |
#     Give the account a second factor it can use on the admin portals: sign
#     in with a Temporary Access Pass (Entra admin center > Users > the
#     account > Authentication methods > Add authentication method >
#     Temporary Access Pass) and register two FIDO2 security keys at
#     https://mysignins.microsoft.com/security-info, or configure
#     certificate-based authentication (multifactor) and set the account's
#     certificateUserIds. Make sure the authentication methods policy
#     enables that method for the account (Protection > Authentication
#     methods > Policies). Do not rely on an exemption: mandatory MFA has no
#     opt-out for user accounts.
package breakglass.rules.bg_auth_004

import data.breakglass.lib
import data.breakglass.lib.methods
import rego.v1

# mfa_methods names the second factors the account can actually use under
# the authentication methods policy (one set per account; empty when none).
mfa_methods(u) := (fido2(u) | certificate(u)) | {f | some f in methods.usable_factors(u.id); f != "password"}

fido2(u) := {sprintf("FIDO2 key %s", [g]) | some g in methods.usable_fido2_aaguids(u.id)}

certificate(u) := {"certificate-based authentication (multifactor)"} if methods.certificate_multifactor(u)

else := set()

# registered_other: registered methods besides the password, usable or not
# (explains a failure: "registered but not enabled by the methods policy").
registered_other(uid) := {lib.method_type(m) |
	some m in object.get(lib.methods_of, uid, [])
	lib.method_type(m) != "passwordAuthenticationMethod"
}

why_none(a) := sprintf("it has no method besides its password registered (registered: %s)", [concat(", ", sort(lib.method_types(a.id)))]) if {
	count(registered_other(a.id)) == 0
	count(lib.method_types(a.id)) > 0
} else := "it has no authentication method registered at all" if {
	count(registered_other(a.id)) == 0
} else := sprintf("its other registered methods (%s) are not usable under the authentication methods policy (method disabled, account not targeted or excluded, FIDO2 key restrictions, or a single-factor certificate)", [concat(", ", sort(registered_other(a.id)))])

results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("%s can meet Microsoft's mandatory MFA for the admin portals and Azure Resource Manager with: %s", [a.upn, concat(", ", sort(mfa_methods(a.user)))]),
} if {
	some a in lib.accounts
	a.exists
	count(mfa_methods(a.user)) > 0
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("UNUSABLE: %s cannot pass Microsoft's mandatory MFA (no opt-out, CA exclusions do not help): %s. It can sign in to neither the Azure portal nor the Entra/Intune admin centers, and cannot change Azure resources through the CLI, PowerShell, REST or IaC, so subscription Owner work is impossible too", [a.upn, why_none(a)]),
} if {
	some a in lib.accounts
	a.exists
	count(mfa_methods(a.user)) == 0
}
