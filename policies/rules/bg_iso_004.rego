# METADATA
# title: Break-glass account has no licences
# description: |
#   A licence gives the account a mailbox, Teams, OneDrive and other
#   workloads: attack surface (phishing, consent, mail rules) and a hint that
#   it is used day to day. An emergency account needs no licence to
#   administer Entra ID or Azure.
# custom:
#   id: BG-ISO-004
#   severity: low
#   resource: account
#   requires: [users]
#   remediation: |
#     Remove the licences: Entra admin center > Users > the account >
#     Licenses > select each > Remove, or `Set-MgUserLicense -UserId <id>
#     -AddLicenses @() -RemoveLicenses @('<skuId>')`. If the licence comes
#     from a group (group-based licensing), remove the account from that
#     group instead.
package breakglass.rules.bg_iso_004

import data.breakglass.lib
import rego.v1

skus(u) := [object.get(l, "skuId", "?") | some l in object.get(u, "assignedLicenses", [])]

results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("account %s has %d licence(s) assigned (skuId %s); expected none", [a.upn, count(skus(a.user)), concat(", ", sort(skus(a.user)))]),
} if {
	some a in lib.accounts
	a.exists
	count(skus(a.user)) > 0
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("account %s has no licences assigned", [a.upn]),
} if {
	some a in lib.accounts
	a.exists
	count(skus(a.user)) == 0
}
