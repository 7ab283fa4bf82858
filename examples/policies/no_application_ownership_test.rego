package breakglass.rules.example_no_application_ownership_test

import data.breakglass.rules.example_no_application_ownership as rule
import rego.v1

bg1 := "b9a1e001-0000-4000-8000-00000000b001"

bg2 := "b9a1e001-0000-4000-8000-00000000b002"

doc(owned) := {
	"metadata": {"tenantId": "7c3f8a2e-5b1d-4e6f-9a0b-1c2d3e4f5a6b"},
	"config": {"accounts": [{"id": bg1}, {"id": bg2}]},
	"dataSets": {
		"users": {"status": "ok", "items": [
			{"id": bg1, "userPrincipalName": "bg-01@contoso.onmicrosoft.com"},
			{"id": bg2, "userPrincipalName": "bg-02@contoso.onmicrosoft.com"},
		]},
		"ownedObjects": {"status": "ok", "items": owned},
	},
}

app := {"@odata.type": "#microsoft.graph.application", "id": "a0000000-0000-4000-8000-000000000001", "displayName": "Payroll"}

sp := {"@odata.type": "#microsoft.graph.servicePrincipal", "id": "5e000000-0000-4000-8000-000000000001", "displayName": "Payroll"}

group := {"@odata.type": "#microsoft.graph.group", "id": "9e000000-0000-4000-8000-000000000001", "displayName": "Team"}

statuses(results) := {r.resource.id: r.status | some r in results}

test_no_owned_objects_pass if {
	statuses(rule.results) == {bg1: "pass", bg2: "pass"} with input as doc([{"id": bg1, "ownedObjects": []}, {"id": bg2, "ownedObjects": []}])
}

test_account_absent_from_data_set_owns_nothing if {
	statuses(rule.results) == {bg1: "pass", bg2: "pass"} with input as doc([])
}

test_owning_an_application_fails if {
	statuses(rule.results) == {bg1: "fail", bg2: "pass"} with input as doc([{"id": bg1, "ownedObjects": [app]}])
}

test_owning_an_enterprise_application_fails if {
	statuses(rule.results) == {bg1: "pass", bg2: "fail"} with input as doc([{"id": bg2, "ownedObjects": [sp]}])
}

test_owning_a_group_is_not_an_application if {
	statuses(rule.results)[bg1] == "pass" with input as doc([{"id": bg1, "ownedObjects": [group]}])
}

test_message_lists_the_apps if {
	some r in rule.results with input as doc([{"id": bg1, "ownedObjects": [app, sp, group]}])
	r.resource.id == bg1
	r.message == "bg-01@contoso.onmicrosoft.com owns 2 application(s): Payroll (application a0000000-0000-4000-8000-000000000001), Payroll (servicePrincipal 5e000000-0000-4000-8000-000000000001)"
}
