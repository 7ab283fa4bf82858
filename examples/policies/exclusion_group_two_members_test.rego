package breakglass.rules.example_exclusion_group_two_members_test

import data.breakglass.rules.example_exclusion_group_two_members as rule
import rego.v1

group := "9e0c1a55-0000-4000-8000-0000000e0001"

member(n) := {"@odata.type": "#microsoft.graph.user", "id": sprintf("b9a1e001-0000-4000-8000-00000000b00%d", [n]), "userPrincipalName": sprintf("bg-0%d@contoso.onmicrosoft.com", [n])}

doc(entries) := {
	"metadata": {"tenantId": "7c3f8a2e-5b1d-4e6f-9a0b-1c2d3e4f5a6b"},
	"config": {"exclusionGroups": [group]},
	"dataSets": {
		"groups": {"status": "ok", "items": [{"id": group, "displayName": "CA-BreakGlass-Exclude"}]},
		"groupMembers": {"status": "ok", "items": entries},
	},
}

statuses(results) := {r.resource.id: r.status | some r in results}

test_two_members_pass if {
	statuses(rule.results) == {group: "pass"} with input as doc([{"id": group, "members": [member(1), member(2)]}])
}

test_one_member_fails if {
	statuses(rule.results) == {group: "fail"} with input as doc([{"id": group, "members": [member(1)]}])
}

test_three_members_fail_and_are_named if {
	some r in rule.results with input as doc([{"id": group, "members": [member(1), member(2), member(3)]}])
	r.status == "fail"
	r.message == "exclusion group CA-BreakGlass-Exclude has 3 members, expected exactly 2: bg-01@contoso.onmicrosoft.com, bg-02@contoso.onmicrosoft.com, bg-03@contoso.onmicrosoft.com"
}

test_uncollected_group_is_an_error_not_a_pass if {
	statuses(rule.results) == {group: "error"} with input as doc([])
}

test_group_id_matched_case_insensitively if {
	statuses(rule.results) == {group: "pass"} with input as doc([{"id": upper(group), "members": [member(1), member(2)]}])
}
