package breakglass.rules.example_emergency_display_name_test

import data.breakglass.rules.example_emergency_display_name as rule
import rego.v1

bg1 := "b9a1e001-0000-4000-8000-00000000b001"

bg2 := "b9a1e001-0000-4000-8000-00000000b002"

doc(users) := {
	"metadata": {"tenantId": "7c3f8a2e-5b1d-4e6f-9a0b-1c2d3e4f5a6b"},
	"config": {"accounts": [{"id": bg1}, {"userPrincipalName": "bg-02@contoso.onmicrosoft.com"}]},
	"dataSets": {"users": {"status": "ok", "items": users}},
}

user(id, upn, name) := {"id": id, "userPrincipalName": upn, "displayName": name}

statuses(results) := {r.resource.id: r.status | some r in results}

test_prefixed_names_pass if {
	users := [user(bg1, "bg-01@contoso.onmicrosoft.com", "EMERGENCY-01"), user(bg2, "bg-02@contoso.onmicrosoft.com", "EMERGENCY-02")]
	statuses(rule.results) == {bg1: "pass", bg2: "pass"} with input as doc(users)
}

test_other_names_fail if {
	users := [user(bg1, "bg-01@contoso.onmicrosoft.com", "Break Glass 01"), user(bg2, "bg-02@contoso.onmicrosoft.com", "emergency-02")]
	statuses(rule.results) == {bg1: "fail", bg2: "fail"} with input as doc(users)
}

test_missing_display_name_fails if {
	statuses(rule.results)[bg1] == "fail" with input as doc([{"id": bg1, "userPrincipalName": "bg-01@contoso.onmicrosoft.com"}])
}

test_message_names_the_account if {
	some r in rule.results with input as doc([user(bg1, "bg-01@contoso.onmicrosoft.com", "Admin")])
	r.resource.id == bg1
	contains(r.message, "\"Admin\"")
}

test_undeclared_or_deleted_account_not_applicable if {
	statuses(rule.results) == {bg1: "pass", "bg-02@contoso.onmicrosoft.com": "not_applicable"} with input as doc([user(bg1, "bg-01@contoso.onmicrosoft.com", "EMERGENCY-01")])
}
