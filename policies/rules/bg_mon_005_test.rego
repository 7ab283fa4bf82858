package breakglass.rules.bg_mon_005_test

import data.breakglass.rules.bg_mon_005
import data.breakglass.test.fixtures as fx
import rego.v1

alert(id, rule, start) := {
	"id": sprintf("/subscriptions/%s/providers/Microsoft.AlertsManagement/alerts/%s", [fx.sub, id]),
	"name": rule,
	"properties": {"essentials": {
		"alertRule": sprintf("/subscriptions/%s/resourceGroups/rg-sec/providers/Microsoft.Insights/scheduledQueryRules/%s", [fx.sub, rule]),
		"startDateTime": start,
		"monitorCondition": "Resolved",
		"alertState": "New",
		"severity": "Sev1",
		"signalType": "Log",
	}},
}

with_alerts(xs) := fx.with_items(fx.doc, "monitorAlerts", xs)

test_alert_fired_passes if {
	rs := bg_mon_005.results with input as with_alerts([alert("a1", "bg-alert", "2026-11-02T10:05:00Z"), alert("a2", "BG-Alert", "2026-11-02T10:35:00Z")]) with data.breakglass.lib.now_ns as fx.now
	r := fx.only(rs, fx.bg1)
	r.status == "pass"
	contains(r.message, "bg-alert at 2026-11-02T10:05:00Z")
	fx.statuses(rs, fx.bg2) == {"pass"}
}

test_no_alert_fails if {
	rs := bg_mon_005.results with input as with_alerts([alert("a1", "bg-alert", "2026-11-02T10:05:00Z")]) with data.breakglass.lib.now_ns as fx.now
	fx.statuses(rs, fx.bg1) == {"pass"}
	r := fx.only(rs, fx.bg2)
	r.status == "fail"
	contains(r.message, "no alert of bg-alert fired")
}

# An alert from another rule, or a day too late, does not count.
test_other_rule_or_late_alert_fails if {
	rs := bg_mon_005.results with input as with_alerts([alert("a1", "cpu-high", "2026-11-02T10:05:00Z"), alert("a2", "bg-alert", "2026-11-04T10:00:00Z")]) with data.breakglass.lib.now_ns as fx.now
	fx.statuses(rs, fx.bg1) == {"fail"}
}

test_no_covering_rule_fails if {
	d := fx.with_items(with_alerts([]), "scheduledQueryRules", [])
	rs := bg_mon_005.results with input as d with data.breakglass.lib.now_ns as fx.now
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "BG-MON-002")
}

# Missing evidence: alert history is kept 30 days; older drills are manual.
test_old_drill_manual if {
	d := fx.with_config(with_alerts([]), {"drills": [{"account": "bg-01@contoso.onmicrosoft.com", "date": "2026-09-01", "kind": "drill", "reference": "CHG-0"}]})
	rs := bg_mon_005.results with input as d with data.breakglass.lib.now_ns as fx.now
	r := fx.only(rs, fx.bg1)
	r.status == "manual"
	contains(r.message, "30 days")
	fx.statuses(rs, fx.bg2) == {"manual"}
}

test_drill_without_sign_in_manual if {
	d := fx.with_items(with_alerts([]), "signIns", [])
	rs := bg_mon_005.results with input as d with data.breakglass.lib.now_ns as fx.now
	fx.statuses(rs, fx.bg1) == {"manual"}
}

test_newest_drill_is_judged if {
	d := fx.with_config(with_alerts([alert("a1", "bg-alert", "2026-11-02T10:05:00Z")]), {"drills": [
		{"account": "bg-01@contoso.onmicrosoft.com", "date": "2026-11-02", "kind": "drill", "reference": "CHG-1"},
		{"account": "bg-01@contoso.onmicrosoft.com", "date": "2026-11-10", "kind": "incident", "reference": "INC-7"},
	]})
	rs := bg_mon_005.results with input as d with data.breakglass.lib.now_ns as fx.now
	r := fx.only(rs, fx.bg1)
	r.status == "manual"
	contains(r.message, "2026-11-10")
}
