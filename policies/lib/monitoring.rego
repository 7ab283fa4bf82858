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

# exporting returns the names of the diagnostic settings exporting a
# category, each with the destinations of every setting of that name (two
# settings may share a name).
exporting(category) := {name: union({destinations(s) | some s in settings; setting_name(s) == name}) |
	settings := [s | some s in lib.items("diagnosticSettings"); exports(s, category)]
	some name in {setting_name(s) | some s in settings}
}

setting_name(s) := object.get(s, "name", s.id)

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

# KQL text. A string literal is "..." or '...' (backslash escapes, one
# line); a comment runs from // to the end of the line. Both patterns are
# applied left to right, so // inside a literal is not a comment and quotes
# inside a comment start no literal.
string_literal := `"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'`

literal_or_comment := sprintf(`(%s)|//[^\n]*`, [string_literal])

# negation: any KQL negated operator (!=, !~, !in, !in~, !has, !contains,
# !startswith, !endswith, !hasprefix, !between, ...; KQL has no other use
# of !) or the not() function, outside literals and comments.
negation := `![=~a-z_]|\bnot\s*\(`

# code returns the lower-cased query without comments.
code(q) := lower(regex.replace(q, literal_or_comment, "$1"))

# parse returns the facts the rules need about one query, computed once per
# criterion: the contents of its string literals, whether it reads the
# SigninLogs table (as a name, not in a literal or comment) and whether it
# uses negation.
parse(q) := {
	"literals": {substring(l, 1, count(l) - 2) | some l in regex.find_n(string_literal, c, -1)},
	"reads_signinlogs": regex.match(`\bsigninlogs\b`, bare),
	"negated": regex.match(negation, bare),
} if {
	c := code(q)
	bare := regex.replace(c, string_literal, `""`)
}

# criteria lists every criterion with a query, of every scheduled query
# rule, parsed.
criteria := [object.union({"rule": object.get(r, "name", r.id), "defects": defects(r, c, p)}, p) |
	some r in lib.items("scheduledQueryRules")
	some c in object.get(r, ["properties", "criteria", "allOf"], [])
	is_string(c.query)
	p := parse(c.query)
]

# alerting[term] names the rules with a criterion that can alert on a
# break-glass sign-in (enabled, with an action group, reading SigninLogs,
# firing on any match) whose query names term (lower-cased UPN or object
# id) as a complete string literal and uses no negation.
alerting[term] contains c.rule if {
	some c in criteria
	count(c.defects) == 0
	not c.negated
	some term in c.literals
}

# alerting_negated[term]: as alerting, but the query uses negation, so
# naming term may exclude it rather than select it.
alerting_negated[term] contains c.rule if {
	some c in criteria
	count(c.defects) == 0
	c.negated
	some term in c.literals
}

# near_misses[term] explains why rules whose query names term do not count.
near_misses[term] contains sprintf("%s (%s)", [c.rule, concat(", ", sort(c.defects))]) if {
	some c in criteria
	count(c.defects) > 0
	some term in c.literals
}

defects(r, c, p) := {d |
	some d in ["disabled", "no action group", "query does not read SigninLogs", "does not fire on a single sign-in (needs operator GreaterThan threshold 0)"]
	defect(d, r, c, p)
}

defect("disabled", r, _, _) if object.get(r, ["properties", "enabled"], false) != true

defect("no action group", r, _, _) if count(action_groups(r)) == 0

defect("query does not read SigninLogs", _, _, p) if not p.reads_signinlogs

defect(d, _, c, _) if {
	startswith(d, "does not fire")
	not fires_on_any_match(c)
}
