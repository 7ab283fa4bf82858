package breakglass.rules.acme_display_name_test

import data.breakglass.rules.acme_display_name
import rego.v1

doc(name) := {
	"metadata": {"tenantId": "t"},
	"config": {"accounts": [{"id": "u1"}]},
	"dataSets": {"users": {"status": "ok", "items": [{"id": "u1", "userPrincipalName": "bg@x.onmicrosoft.com", "displayName": name}]}},
}

test_break_glass_name_passes if {
	{r.status | some r in acme_display_name.results} == {"pass"} with input as doc("Break Glass 01")
}

test_other_name_fails if {
	{r.status | some r in acme_display_name.results} == {"fail"} with input as doc("Alice")
}

test_missing_account_not_applicable if {
	{r.status | some r in acme_display_name.results} == {"not_applicable"} with input as {"config": {"accounts": [{"id": "u9"}]}, "dataSets": {}}
}
