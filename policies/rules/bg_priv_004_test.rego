package breakglass.rules.bg_priv_004_test

import data.breakglass.rules.bg_priv_004
import data.breakglass.test.fixtures as fx
import rego.v1

sub_id := sprintf("/subscriptions/%s", [fx.sub])

owner_def := sprintf("/providers/Microsoft.Authorization/roleDefinitions/%s", [fx.owner])

assignment(principal, scope) := {"id": sprintf("%s/ra", [scope]), "properties": {"roleDefinitionId": owner_def, "principalId": principal, "scope": scope}}

test_permanent_owner_passes if {
	rs := bg_priv_004.results with input as fx.doc
	r := fx.only(rs, sub_id)
	r.status == "pass"
	r.resource.name == "Production"
}

test_no_owner_fails if {
	rs := bg_priv_004.results with input as fx.with_items(fx.doc, "armRoleAssignments", [assignment(fx.alice, sub_id)])
	fx.statuses(rs, sub_id) == {"fail"}
}

listed_for(ra, subs) := object.union(ra, {"listedFor": subs})

sub_guid := trim_prefix(sub_id, "/subscriptions/")

# A management-group Owner counts for the subscriptions whose atScope() list
# returned it (recorded by the collector in listedFor), and only for those.
test_management_group_owner_passes if {
	mg := listed_for(assignment(fx.bg2, "/providers/Microsoft.Management/managementGroups/mg-root"), [sub_guid])
	rs := bg_priv_004.results with input as fx.with_items(fx.doc, "armRoleAssignments", [mg])
	fx.statuses(rs, sub_id) == {"pass"}
}

test_owner_of_another_management_group_does_not_count if {
	mg := listed_for(assignment(fx.bg2, "/providers/Microsoft.Management/managementGroups/mg-b"), ["99999999-0000-4000-8000-000000000009"])
	rs := bg_priv_004.results with input as fx.with_items(fx.doc, "armRoleAssignments", [mg])
	fx.statuses(rs, sub_id) == {"fail"}
}

test_management_group_owner_without_listed_for_is_not_provable if {
	rs := bg_priv_004.results with input as fx.with_items(fx.doc, "armRoleAssignments", [assignment(fx.bg2, "/providers/Microsoft.Management/managementGroups/mg-root")])
	fx.statuses(rs, sub_id) == {"fail"}
}

test_resource_group_owner_does_not_count if {
	rs := bg_priv_004.results with input as fx.with_items(fx.doc, "armRoleAssignments", [assignment(fx.bg1, sprintf("%s/resourceGroups/rg-bg", [sub_id]))])
	fx.statuses(rs, sub_id) == {"fail"}
}

test_pim_activation_does_not_count if {
	eligible := {"id": "e1", "properties": {"roleDefinitionId": sprintf("%s%s", [sub_id, owner_def]), "principalId": fx.bg1, "scope": sub_id}}
	rs := bg_priv_004.results with input as fx.with_items(fx.doc, "armRoleEligibilityScheduleInstances", [eligible])
	r := fx.only(rs, sub_id)
	r.status == "fail"
	contains(r.message, "PIM activation")
}

test_other_role_does_not_count if {
	reader := {"id": "r", "properties": {"roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7", "principalId": fx.bg1, "scope": sub_id}}
	rs := bg_priv_004.results with input as fx.with_items(fx.doc, "armRoleAssignments", [reader])
	fx.statuses(rs, sub_id) == {"fail"}
}

test_no_subscriptions_not_applicable if {
	rs := bg_priv_004.results with input as fx.with_config(fx.doc, {"subscriptions": []})
	fx.statuses(rs, fx.tenant) == {"not_applicable"}
}
