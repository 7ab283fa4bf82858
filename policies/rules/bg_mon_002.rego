# METADATA
# title: A log alert fires on every break-glass sign-in
# description: |
#   A break-glass sign-in is either an emergency or an attack; either way
#   the security team must know within minutes. An enabled log alert rule
#   (scheduled query rule) with an action group must read `SigninLogs`,
#   name the account (UPN, case-insensitive, or object id) in its query and
#   fire on any matching row (operator GreaterThan threshold 0, or
#   GreaterThanOrEqual 1). Each declared account must be covered; a rule
#   that names only some accounts leaves the others silent. The account
#   counts as named only as a complete string literal ("..." or '...')
#   outside `//` comments, and `SigninLogs` only as a table name. A query
#   using negation (`!in`, `!=`, `!has`, `not(...)`, ...) may exclude the
#   account it names; an account covered only by such queries is `manual`.
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

# covering: rules alerting on the account without negation.
covering(a) := {r | some t in terms(a); some r in monitoring.alerting[t]}

# covering_negated: rules naming the account in a query that uses negation.
covering_negated(a) := {r | some t in terms(a); some r in monitoring.alerting_negated[t]}

near_misses(a) := {m | some t in terms(a); some m in monitoring.near_misses[t]}

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
	"status": "manual",
	"resource": lib.account_resource(a),
	"message": sprintf("the query of log alert rule(s) %s names %s but uses negation (!in, !=, !has, not(), ...), which may exclude the account rather than select it; verify by hand that it alerts on the account's sign-ins", [concat(", ", sort(covering_negated(a))), a.upn]),
} if {
	some a in lib.accounts
	a.exists
	count(covering(a)) == 0
	count(covering_negated(a)) > 0
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("no enabled log alert rule with an action group fires on a SigninLogs row naming %s (UPN or object id %s)%s", [a.upn, a.id, hint(a)]),
} if {
	some a in lib.accounts
	a.exists
	count(covering(a)) == 0
	count(covering_negated(a)) == 0
}
