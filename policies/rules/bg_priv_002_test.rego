package breakglass.rules.bg_priv_002_test

import data.breakglass.rules.bg_priv_002
import data.breakglass.test.core_fixture as fx
import rego.v1

key1 := concat("/", [fx.bg1, ""])

secadm := "194ae4cb-b126-40b2-bd5b-6091b380977d"

test_only_allowed_roles_pass if {
	fx.statuses(bg_priv_002.results) == {key1: "pass", concat("/", [fx.bg2, ""]): "pass"} with input as fx.input_doc
}

test_extra_active_role_fails if {
	doc := json.patch(fx.input_doc, [{"op": "add", "path": "/dataSets/roleAssignments/items/-", "value": {"id": "ra3", "principalId": fx.bg1, "roleDefinitionId": secadm, "directoryScopeId": "/"}}])
	fx.statuses(bg_priv_002.results)[key1] == "fail" with input as doc
}

test_extra_eligible_role_fails if {
	doc := fx.with_items(fx.input_doc, "roleEligibilitySchedules", [object.union(fx.schedule("e1", fx.bg1, fx.permanent), {"roleDefinitionId": secadm})])
	fx.statuses(bg_priv_002.results)[key1] == "fail" with input as doc
}

test_extra_role_through_group_fails if {
	doc := json.patch(fx.input_doc, [{"op": "add", "path": "/dataSets/roleAssignments/items/-", "value": {"id": "ra3", "principalId": fx.exclusion_group, "roleDefinitionId": secadm, "directoryScopeId": "/"}}])
	fx.statuses(bg_priv_002.results)[key1] == "fail" with input as doc
}

test_allowed_roles_extended_by_config if {
	doc := json.patch(fx.input_doc, [
		{"op": "add", "path": "/dataSets/roleAssignments/items/-", "value": {"id": "ra3", "principalId": fx.bg1, "roleDefinitionId": secadm, "directoryScopeId": "/"}},
		{"op": "replace", "path": "/config/allowedRoles", "value": [fx.ga, upper(secadm)]},
	])
	fx.statuses(bg_priv_002.results)[key1] == "pass" with input as doc
}
