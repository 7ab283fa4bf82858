# METADATA
# title: Break-glass sign-ins happen only during drills and incidents
# description: |
#   Emergency accounts are for emergencies. Every sign-in of a declared
#   account within the last `signInLookbackDays` must fall on a date
#   recorded under `drills` (kind drill or incident) for that account; any
#   other sign-in — successful or failed — is either undocumented use or an
#   attack and must be investigated. Sign-in events come from the sign-in
#   log; the last-sign-in timestamps of signInActivity are used too when
#   they were collected. Microsoft Graph v1.0 `auditLogs/signIns` returns
#   interactive sign-ins only: non-interactive sign-ins (a client or
#   script renewing the account's tokens with a refresh token, without
#   the user present) are not in that log, and show here only through
#   signInActivity's lastNonInteractiveSignInDateTime, when that was
#   collected. Drill dates are local dates in the config's
#   `timeZone` (IANA name such as Europe/Amsterdam, default UTC): each
#   sign-in timestamp is converted to its date in that zone before it is
#   compared, so a drill at 21:40 in New York (01:40Z the next day) matches.
# custom:
#   id: BG-MON-004
#   severity: high
#   resource: account
#   requires: [users, signIns]
#   remediation: |
#     Investigate each listed sign-in: Entra admin center > Identity >
#     Monitoring & health > Sign-in logs, filter by the user (or
#     `Get-MgAuditLogSignIn -Filter "userId eq '<id>'"`); check the IP,
#     application and device. If it was a legitimate drill or incident,
#     record it under `drills:` in breakglass.yaml (account, date, kind,
#     reference to the change or incident ticket). If not, treat the
#     account as compromised: rotate its password, review its methods and
#     the audit log, and follow the incident runbook.
package breakglass.rules.bg_mon_004

import data.breakglass.lib
import data.breakglass.lib.activity
import rego.v1

lookback := lib.setting("signInLookbackDays", 30)

in_window(ts) if lib.days_since(ts) < lookback

# unexplained lists sign-ins in the look-back window on a date with no
# recorded drill or incident for the account.
unexplained(a) := {activity.describe(s) |
	some s in activity.sign_ins(a)
	in_window(s.createdDateTime)
	not activity.local_date(s.createdDateTime) in activity.drill_dates(a)
} | {sprintf("%s (signInActivity %s)", [ts, kind]) |
	some kind, ts in activity.last_sign_ins(a)
	in_window(ts)
	not activity.local_date(ts) in activity.drill_dates(a)
	not logged(a, ts)
}

# logged: the signInActivity timestamp is an event of the sign-in log.
logged(a, ts) if {
	some s in activity.sign_ins(a)
	s.createdDateTime == ts
}

explained(a) := {s.id |
	some s in activity.sign_ins(a)
	in_window(s.createdDateTime)
	activity.local_date(s.createdDateTime) in activity.drill_dates(a)
}

results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("%s signed in on dates with no recorded drill or incident in the last %d days: %s; investigate, then record legitimate use under drills:", [a.upn, lookback, concat("; ", sort(unexplained(a)))]),
} if {
	some a in lib.accounts
	a.exists
	count(unexplained(a)) > 0
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": msg,
} if {
	some a in lib.accounts
	a.exists
	count(unexplained(a)) == 0
	msg := pass_message(a)
}

pass_message(a) := sprintf("%s has not signed in during the last %d days", [a.upn, lookback]) if {
	count(explained(a)) == 0
} else := sprintf("all %d sign-in(s) of %s in the last %d days fall on recorded drill/incident dates (%s)", [count(explained(a)), a.upn, lookback, concat(", ", sort(activity.drill_dates(a)))])
