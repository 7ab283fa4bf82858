# METADATA
# title: Entra diagnostic settings and log alert rules
# description: |
#   Which Entra ID log categories the tenant's diagnostic settings export,
#   and where to; which scheduled query (log alert) rules can alert on a
#   break-glass sign-in. Used by BG-MON-001..003.
# scope: package
package breakglass.lib.monitoring

import data.breakglass.lib
import rego.v1

# destinations returns the destinations a diagnostic setting exports to.
destinations(s) := {sprintf("%s %s", [kind, id]) |
	some kind, field in {
		"Log Analytics workspace": "workspaceId",
		"storage account": "storageAccountId",
		"event hub": "eventHubAuthorizationRuleId",
		"partner solution": "marketplacePartnerId",
	}
	id := object.get(s, ["properties", field], null)
	is_string(id)
	id != ""
}

# exports is true when a diagnostic setting has the log category enabled
# (by name or through the allLogs/audit category group).
exports(s, category) if {
	some l in object.get(s, ["properties", "logs"], [])
	l.enabled == true
	lower(object.get(l, "category", "")) == lower(category)
}

exports(s, _) if {
	some l in object.get(s, ["properties", "logs"], [])
	l.enabled == true
	lower(object.get(l, "categoryGroup", "")) == "alllogs"
}

# exporting returns the diagnostic settings exporting a category, with
# their destinations.
exporting(category) := {s.name: destinations(s) |
	some s in lib.items("diagnosticSettings")
	exports(s, category)
}

# summary describes every diagnostic setting (for failure messages).
summary := "no Entra ID diagnostic settings exist" if {
	count(lib.items("diagnosticSettings")) == 0
} else := sprintf("existing settings: %s", [concat("; ", sort([describe(s) | some s in lib.items("diagnosticSettings")]))])

describe(s) := sprintf("%s exports [%s] to %s", [
	object.get(s, "name", s.id),
	concat(", ", sort([object.get(l, "category", object.get(l, "categoryGroup", "?")) | some l in object.get(s, ["properties", "logs"], []); l.enabled == true])),
	dest_text(s),
])

dest_text(s) := concat(", ", sort(destinations(s))) if count(destinations(s)) > 0

else := "no destination"

# --- log alert rules ------------------------------------------------------------

# fires_on_any_match: a criterion that alerts on the first matching row.
fires_on_any_match(c) if {
	lower(object.get(c, "operator", "")) == "greaterthan"
	threshold(c) == 0
}

fires_on_any_match(c) if {
	lower(object.get(c, "operator", "")) == "greaterthanorequal"
	threshold(c) == 1
}

threshold(c) := t if {
	t := object.get(c, "threshold", null)
	is_number(t)
}

action_groups(r) := [g | some g in object.get(r, ["properties", "actions", "actionGroups"], []); g != null]

# alert_criteria lists the criteria of every scheduled query rule that
# can alert on a break-glass sign-in: enabled, with an action group, a query
# reading SigninLogs, firing on any match. query is lower-cased.
alert_criteria := [{"rule": object.get(r, "name", r.id), "query": lower(c.query)} |
	some r in lib.items("scheduledQueryRules")
	object.get(r, ["properties", "enabled"], false) == true
	count(action_groups(r)) > 0
	some c in object.get(r, ["properties", "criteria", "allOf"], [])
	is_string(c.query)
	contains(lower(c.query), "signinlogs")
	fires_on_any_match(c)
]

# near_misses explains why rules whose query names a term do not count.
near_misses(term) := {sprintf("%s (%s)", [object.get(r, "name", r.id), concat(", ", sort(defects(r, c)))]) |
	some r in lib.items("scheduledQueryRules")
	some c in object.get(r, ["properties", "criteria", "allOf"], [])
	is_string(c.query)
	contains(lower(c.query), term)
	count(defects(r, c)) > 0
}

defects(r, c) := {d |
	some d in ["disabled", "no action group", "query does not read SigninLogs", "does not fire on a single sign-in (needs operator GreaterThan threshold 0)"]
	defect(d, r, c)
}

defect("disabled", r, _) if object.get(r, ["properties", "enabled"], false) != true

defect("no action group", r, _) if count(action_groups(r)) == 0

defect("query does not read SigninLogs", _, c) if not contains(lower(c.query), "signinlogs")

defect(d, _, c) if {
	startswith(d, "does not fire")
	not fires_on_any_match(c)
}
