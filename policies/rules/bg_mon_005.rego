# METADATA
# title: The break-glass alert fired on the last drill
# description: |
#   BG-MON-002 checks that a log alert rule covers each account; only a drill
#   proves that it actually fires (a query typo, a disabled action, a
#   workspace that no longer receives sign-in logs all look fine on paper).
#   For each account's most recent recorded drill or incident, this rule
#   takes the account's sign-ins on that date (signIns) and looks in the
#   Azure Monitor alert history (Microsoft.AlertsManagement/alerts) for an
#   alert raised by one of the rules covering the account (BG-MON-002's
#   criteria) within 24 hours after the first of those sign-ins. Azure
#   Monitor keeps alerts for 30 days: an older drill, a drill without a
#   recorded sign-in, or no drill at all is `manual` (keep the alert
#   notification as evidence). Follows
#   https://learn.microsoft.com/rest/api/monitor/alertsmanagement/alerts/get-all
#   (api-version 2019-05-05-preview, `alertRule` and `timeRange=30d` filters;
#   `properties.essentials.alertRule` / `startDateTime`) and Microsoft's
#   emergency-access guidance to monitor sign-ins and test the alerts
#   (https://learn.microsoft.com/entra/identity/role-based-access-control/security-emergency-access).
#   Not verified against a live tenant: whether `alertRule` is always the
#   rule's full resource id (matched here by its last segment, the rule
#   name, case-insensitively).
# custom:
#   id: BG-MON-005
#   severity: medium
#   resource: account
#   requires: [users, signIns, scheduledQueryRules, monitorAlerts]
#   remediation: |
#     Run the drill again and check the alert: the rule must be enabled,
#     read the workspace the Entra diagnostic settings export SignInLogs to,
#     name the account, fire on a single sign-in (operator GreaterThan,
#     threshold 0, a short evaluation frequency) and have an action group
#     that reaches the on-call team. Azure portal > Monitor > Alerts shows
#     what fired; Monitor > Alerts > Alert rules > the rule > History shows
#     its evaluations. Record the drill (with its date) under `drills:` in
#     breakglass.yaml.
package breakglass.rules.bg_mon_005

import data.breakglass.lib
import data.breakglass.lib.activity
import data.breakglass.lib.monitoring
import rego.v1

retention_days := 30

window_ns := 24 * ((60 * 60) * 1000000000)

terms(a) := {lower(a.upn), lower(a.id)}

# covering: names of the log alert rules that cover the account (BG-MON-002).
covering(a) := {lower(r) | some t in terms(a); some r in monitoring.alerting[t]}

# last_drill: the latest recorded drill or incident date (YYYY-MM-DD).
last_drill(a) := max(activity.drill_dates(a)) if count(activity.drill_dates(a)) > 0

# drill_sign_ins: successful sign-ins of the account on that local date.
drill_sign_ins(a, date) := {time.parse_rfc3339_ns(s.createdDateTime) |
	some s in activity.sign_ins(a)
	activity.succeeded(s)
	activity.local_date(s.createdDateTime) == date
}

rule_name(alert) := lower(parts[count(parts) - 1]) if {
	parts := split(trim_suffix(object.get(alert, ["properties", "essentials", "alertRule"], ""), "/"), "/")
}

# fired: alerts of a covering rule that started within the window after the
# first drill sign-in; one description per alert, sorted for messages.
fired(a, date) := {sprintf("%s at %s", [rule_name(x), x.properties.essentials.startDateTime]) |
	first := min(drill_sign_ins(a, date))
	some x in lib.items("monitorAlerts")
	rule_name(x) in covering(a)
	start := time.parse_rfc3339_ns(x.properties.essentials.startDateTime)
	start >= first - ((5 * 60) * 1000000000)
	start <= first + window_ns
}

results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "manual",
	"resource": lib.account_resource(a),
	"message": sprintf("no drill or incident is recorded for %s, so there is no alert to look for: run a drill and record it under drills: (see BG-PROC-002)", [a.upn]),
} if {
	some a in lib.accounts
	a.exists
	not last_drill(a)
}

results contains {
	"status": "manual",
	"resource": lib.account_resource(a),
	"message": sprintf("the last drill of %s (%s) is %d days old; Azure Monitor keeps alert history for %d days: keep the alert notification of each drill as evidence", [a.upn, date, activity.days_ago(date), retention_days]),
} if {
	some a in lib.accounts
	a.exists
	date := last_drill(a)
	activity.days_ago(date) > retention_days
}

results contains {
	"status": "manual",
	"resource": lib.account_resource(a),
	"message": sprintf("the sign-in logs hold no successful sign-in of %s on its last drill date %s, so when the alert should have fired is unknown (see BG-PROC-002)", [a.upn, date]),
} if {
	some a in lib.accounts
	a.exists
	date := last_drill(a)
	activity.days_ago(date) <= retention_days
	count(drill_sign_ins(a, date)) == 0
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("no log alert rule covers %s (see BG-MON-002), so nothing could fire on its drill of %s", [a.upn, date]),
} if {
	some a in lib.accounts
	a.exists
	date := last_drill(a)
	activity.days_ago(date) <= retention_days
	count(drill_sign_ins(a, date)) > 0
	count(covering(a)) == 0
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("the drill of %s on %s signed in but no alert of %s fired within 24 hours (Azure Monitor alert history of the last %d days)", [a.upn, date, concat(", ", sort(covering(a))), retention_days]),
} if {
	some a in lib.accounts
	a.exists
	date := last_drill(a)
	activity.days_ago(date) <= retention_days
	count(drill_sign_ins(a, date)) > 0
	count(covering(a)) > 0
	count(fired(a, date)) == 0
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("the drill of %s on %s raised: %s", [a.upn, date, concat(", ", sort(fired(a, date)))]),
} if {
	some a in lib.accounts
	a.exists
	date := last_drill(a)
	activity.days_ago(date) <= retention_days
	count(fired(a, date)) > 0
}
