# METADATA
# title: A log alert fires on every break-glass sign-in
# description: |
#   A break-glass sign-in is either an emergency or an attack; either way
#   the security team must know within minutes. An enabled log alert rule
#   (scheduled query rule) with an action group must read `SigninLogs`,
#   name the account (UPN, case-insensitive, or object id) in its query and
#   fire on any matching row (operator GreaterThan threshold 0, or
#   GreaterThanOrEqual 1). Each declared account must be covered; a rule
#   that names only some accounts leaves the others silent.
# custom:
#   id: BG-MON-002
#   severity: high
#   resource: account
#   requires: [users, scheduledQueryRules]
#   remediation: |
#     Azure portal > Monitor > Alerts > Create > Alert rule: scope the Log
#     Analytics workspace receiving SignInLogs (BG-MON-001), condition Custom
#     log search with `SigninLogs | where UserPrincipalName in~
#     ("bg-01@<tenant>.onmicrosoft.com", "bg-02@<tenant>.onmicrosoft.com") or
#     UserId in ("<id 1>", "<id 2>")`, measure Table rows, aggregation
#     Count, operator Greater than, threshold 0, frequency 5 minutes;
#     Actions: an action group that pages the on-call team. Or `az monitor
#     scheduled-query create -g <rg> -n bg-signin-alert --scopes <workspace
#     id> --condition "count 'Q' > 0" --condition-query Q="<query>"
#     --action-groups <action group id> --evaluation-frequency 5m
#     --window-size 5m --severity 0`. Add new accounts to the query.
package breakglass.rules.bg_mon_002

import data.breakglass.lib
import data.breakglass.lib.monitoring
import rego.v1

terms(a) := {lower(a.upn), lower(a.id)}

covering(a) := {c.rule |
	some c in monitoring.alert_criteria
	some t in terms(a)
	contains(c.query, t)
}

near_misses(a) := union({monitoring.near_misses(t) | some t in terms(a)})

hint(a) := sprintf("; rules naming it that do not count: %s", [concat("; ", sort(near_misses(a)))]) if {
	count(near_misses(a)) > 0
} else := sprintf("; %d log alert rule(s) collected, none names it", [count(lib.items("scheduledQueryRules"))])

results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("sign-ins of %s raise an alert: %s", [a.upn, concat(", ", sort(covering(a)))]),
} if {
	some a in lib.accounts
	a.exists
	count(covering(a)) > 0
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("no enabled log alert rule with an action group fires on a SigninLogs row naming %s (UPN or object id %s)%s", [a.upn, a.id, hint(a)]),
} if {
	some a in lib.accounts
	a.exists
	count(covering(a)) == 0
}
