# METADATA
# title: Break-glass account is a member, not a guest or external user
# description: |
#   A guest or B2B account authenticates in its home tenant: the emergency
#   path would depend on another organisation's identity provider, policies
#   and availability. Break-glass accounts must be native members
#   (`userType` Member, no `#EXT#` in the UPN).
# custom:
#   id: BG-ISO-003
#   severity: medium
#   resource: account
#   requires: [users]
#   remediation: |
#     Create a native cloud-only member account on the `*.onmicrosoft.com`
#     domain (Entra admin center > Users > New user > Create new user, or
#     `az ad user create --display-name "Break Glass 03" --user-principal-name
#     bg-03@<tenant>.onmicrosoft.com --password <generated>`), move the role
#     assignment and exclusion-group membership to it, remove the guest from
#     breakglass.yaml and delete it (`Remove-MgUser -UserId <id>`).
package breakglass.rules.bg_iso_003

import data.breakglass.lib
import rego.v1

kind(u) := "a B2B guest (userType Guest, #EXT# UPN)" if {
	"b2bCollaborationGuest" in lib.external_kinds(u)
} else := "a guest (userType Guest)" if {
	"internalGuest" in lib.external_kinds(u)
} else := "a B2B member from another tenant (#EXT# UPN)" if {
	"b2bCollaborationMember" in lib.external_kinds(u)
}

results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("account %s is %s: it signs in through another tenant or as a guest; expected a native member account", [a.upn, kind(a.user)]),
} if {
	some a in lib.accounts
	a.exists
	kind(a.user)
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("account %s is a native member (userType %s)", [a.upn, object.get(a.user, "userType", "Member")]),
} if {
	some a in lib.accounts
	a.exists
	not kind(a.user)
}
