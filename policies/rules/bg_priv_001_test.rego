package breakglass.rules.bg_priv_001_test

import data.breakglass.rules.bg_priv_001
import data.breakglass.test.core_fixture as fx
import rego.v1

key1 := concat("/", [fx.bg1, ""])

test_permanent_assignment_passes if {
	fx.statuses(bg_priv_001.results) == {key1: "pass", concat("/", [fx.bg2, ""]): "pass"} with input as fx.input_doc
}

test_time_bound_assignment_fails if {
	doc := fx.with_items(fx.input_doc, "roleAssignmentSchedules", [
		fx.schedule("s1", fx.bg1, {"type": "afterDateTime", "endDateTime": "2027-01-01T00:00:00Z"}),
		fx.schedule("s2", fx.bg2, fx.permanent),
	])
	fx.statuses(bg_priv_001.results)[key1] == "fail" with input as doc
}

test_pim_activation_does_not_count if {
	activated := object.union(fx.schedule("s1", fx.bg1, fx.permanent), {"assignmentType": "Activated"})
	doc := fx.with_items(fx.input_doc, "roleAssignmentSchedules", [activated, fx.schedule("s2", fx.bg2, fx.permanent)])
	fx.statuses(bg_priv_001.results)[key1] == "fail" with input as doc
}

test_eligible_only_fails if {
	doc := json.patch(fx.input_doc, [
		{"op": "replace", "path": "/dataSets/roleAssignmentSchedules/items", "value": [fx.schedule("s2", fx.bg2, fx.permanent)]},
		{"op": "replace", "path": "/dataSets/roleEligibilitySchedules/items", "value": [fx.schedule("e1", fx.bg1, fx.permanent)]},
	])
	fx.statuses(bg_priv_001.results)[key1] == "fail" with input as doc
}

test_scoped_assignment_does_not_count if {
	scoped := object.union(fx.schedule("s1", fx.bg1, fx.permanent), {"directoryScopeId": "/administrativeUnits/x"})
	doc := fx.with_items(fx.input_doc, "roleAssignmentSchedules", [scoped, fx.schedule("s2", fx.bg2, fx.permanent)])
	fx.statuses(bg_priv_001.results)[key1] == "fail" with input as doc
}

test_role_through_group_counts if {
	doc := fx.with_items(fx.input_doc, "roleAssignmentSchedules", [
		fx.schedule("s1", fx.exclusion_group, fx.permanent),
		fx.schedule("s2", fx.bg2, fx.permanent),
	])
	some r in bg_priv_001.results with input as doc
	r.resource.id == fx.bg1
	r.status == "pass"
	contains(r.message, "via group")
}

test_other_role_does_not_count if {
	other := object.union(fx.schedule("s1", fx.bg1, fx.permanent), {"roleDefinitionId": "194ae4cb-b126-40b2-bd5b-6091b380977d"})
	doc := fx.with_items(fx.input_doc, "roleAssignmentSchedules", [other, fx.schedule("s2", fx.bg2, fx.permanent)])
	fx.statuses(bg_priv_001.results)[key1] == "fail" with input as doc
}
