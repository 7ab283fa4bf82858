# METADATA
# title: Break-glass account was drilled recently
# description: |
#   An emergency account that has not been used for a year may fail when it
#   matters: an expired key, a new Conditional Access policy, a lost safe
#   combination. Each account needs a drill (or a real incident) recorded
#   under `drills` within `drillMaxAgeDays`, confirmed by a successful
#   sign-in of that account on that date in the sign-in log (or its
#   signInActivity). Microsoft Graph v1.0 `auditLogs/signIns` holds
#   interactive sign-ins only, so a drill must be an interactive sign-in
#   (portal, admin center) to be confirmed. The collector reads the last min(30, max(
#   `signInLookbackDays`, `drillMaxAgeDays`)) days of sign-ins (Entra ID
#   keeps 30); a recorded drill older than that window cannot be confirmed
#   from the snapshot and is reported `manual`. Drill dates are local dates
#   in the config's `timeZone` (IANA name such as Europe/Amsterdam, default
#   UTC): a sign-in confirms a drill when its timestamp falls on the drill
#   date in that zone, and a drill's age counts calendar days there.
# custom:
#   id: BG-PROC-002
#   severity: high
#   resource: account
#   requires: [users, signIns]
#   remediation: |
#     Run a drill following the runbook: retrieve the credentials under dual
#     control, sign in to https://portal.azure.com and the Entra admin
#     center with the account's FIDO2 key, confirm Global Administrator
#     works, sign out, return the credentials, and check the alert
#     (BG-MON-002) fired. Then record it in breakglass.yaml: `drills: [{account:
#     <upn>, date: YYYY-MM-DD, kind: drill, reference: <change ticket>}]`.
#     Drill at least monthly (or collect within 30 days of a drill) so the
#     confirming sign-in is still in the sign-in log; otherwise attach the
#     drill evidence (change ticket, screenshots) for the auditor by hand.
package breakglass.rules.bg_proc_002

import data.breakglass.lib
import data.breakglass.lib.activity
import rego.v1

max_age := lib.setting("drillMaxAgeDays", 90)

# window is the sign-in log the collector reads: Entra ID keeps 30 days.
window := min([30, max([lib.setting("signInLookbackDays", 30), max_age])])

age(d) := activity.days_ago(d.date)

recent(a) := {d | some d in activity.drills(a); age(d) <= max_age}

# confirmation names the evidence of a successful sign-in on a drill date:
# the earliest, when the account signed in several times that day (one
# value per drill, whatever the number or order of the sign-ins).
confirmation(a, d) := sprintf("sign-in %s", [sort(evidence)[0]]) if {
	evidence := {activity.describe(s) |
		some s in activity.sign_ins(a)
		activity.local_date(s.createdDateTime) == d.date
		activity.succeeded(s)
	}
	count(evidence) > 0
} else := sprintf("signInActivity lastSuccessfulSignInDateTime %s", [ts]) if {
	ts := activity.last_sign_ins(a).lastSuccessfulSignInDateTime
	activity.local_date(ts) == d.date
}

confirmed(a) := {sprintf("%s %s (%s) confirmed by %s", [d.kind, d.date, object.get(d, "reference", "no reference"), confirmation(a, d)]) |
	some d in recent(a)
	confirmation(a, d)
}

# unconfirmed explains, per recent drill, why it is not confirmed.
unconfirmed(a) := {sprintf("%s %s: %s", [d.kind, d.date, why(a, d)]) |
	some d in recent(a)
	not confirmation(a, d)
}

why(a, d) := sprintf("only failed sign-ins that day (%s)", [concat("; ", sort(failed))]) if {
	failed := {activity.describe(s) | some s in activity.sign_ins(a); activity.local_date(s.createdDateTime) == d.date}
	count(failed) > 0
} else := sprintf("older than the collected sign-in window (%d days), confirm manually", [window]) if {
	age(d) >= window
} else := "no sign-in of the account that day"

outside_window(a) if {
	some d in recent(a)
	not confirmation(a, d)
	age(d) >= window
}

newest_ever(a) := sprintf("; the newest recorded is %s", [max({d.date | some d in activity.drills(a)})]) if {
	count(activity.drills(a)) > 0
} else := "; none is recorded"

results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("%s was drilled within %d days: %s", [a.upn, max_age, concat("; ", sort(confirmed(a)))]),
} if {
	some a in lib.accounts
	a.exists
	count(confirmed(a)) > 0
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("%s has no drill or incident recorded within drillMaxAgeDays %d%s", [a.upn, max_age, newest_ever(a)]),
} if {
	some a in lib.accounts
	a.exists
	count(recent(a)) == 0
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("the recent drills of %s are not confirmed by a successful sign-in: %s", [a.upn, concat("; ", sort(unconfirmed(a)))]),
} if {
	some a in lib.accounts
	a.exists
	count(recent(a)) > 0
	count(confirmed(a)) == 0
	not outside_window(a)
}

results contains {
	"status": "manual",
	"resource": lib.account_resource(a),
	"message": sprintf("the recent drills of %s cannot be confirmed from the snapshot: %s", [a.upn, concat("; ", sort(unconfirmed(a)))]),
} if {
	some a in lib.accounts
	a.exists
	count(recent(a)) > 0
	count(confirmed(a)) == 0
	outside_window(a)
}
