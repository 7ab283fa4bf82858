# METADATA
# title: Break-glass runbook is documented, owned and reviewed
# description: |
#   In an emergency nobody should improvise: where are the keys and the
#   password, who may open the safe, who must be told, how is the account
#   secured again afterwards. The runbook must be declared (`runbook.uri`),
#   have an owner, and have been reviewed within the last 365 days. Without
#   that evidence the result is `manual`, never pass.
# custom:
#   id: BG-PROC-001
#   severity: medium
#   resource: tenant
#   requires: []
#   remediation: |
#     Write or review the runbook (retrieval of keys and password under dual
#     control, sign-in steps, notification, post-use rotation and review),
#     then record it in breakglass.yaml:
#     `runbook: {uri: https://wiki.example.com/bg-runbook, owner:
#     secops@example.com, reviewed: YYYY-MM-DD}`. Review it at least yearly
#     and after every drill or incident.
package breakglass.rules.bg_proc_001

import data.breakglass.lib
import rego.v1

runbook := rb if {
	rb := lib.setting("runbook", null)
	is_object(rb)
}

field(name) := v if {
	v := object.get(runbook, name, "")
	is_string(v)
	trim_space(v) != ""
}

reviewed_days := lib.days_since(sprintf("%sT00:00:00Z", [field("reviewed")]))

gaps := array.concat(
	array.concat(
		["no runbook uri" | not field("uri")],
		["no owner" | not field("owner")],
	),
	array.concat(
		["no review date" | not field("reviewed")],
		array.concat(
			[sprintf("last reviewed %s, %d days ago (more than 365)", [field("reviewed"), reviewed_days]) | reviewed_days > 365],
			[sprintf("review date %s is in the future", [field("reviewed")]) | reviewed_days < 0],
		),
	),
)

results contains {
	"status": "manual",
	"resource": lib.tenant_resource,
	"message": "no runbook is declared in breakglass.yaml (runbook: uri, owner, reviewed): provide evidence of a documented, reviewed break-glass procedure",
} if not runbook

results contains {
	"status": "manual",
	"resource": lib.tenant_resource,
	"message": sprintf("the break-glass runbook evidence is incomplete: %s; update runbook: in breakglass.yaml after reviewing it", [concat("; ", gaps)]),
} if {
	runbook
	count(gaps) > 0
}

results contains {
	"status": "pass",
	"resource": lib.tenant_resource,
	"message": sprintf("runbook %s, owned by %s, reviewed %s (%d days ago)", [field("uri"), field("owner"), field("reviewed"), reviewed_days]),
} if {
	runbook
	count(gaps) == 0
}
