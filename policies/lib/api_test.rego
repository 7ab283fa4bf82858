package breakglass.lib.api_test

import data.breakglass.lib
import rego.v1

bg1 := "b9a1e001-0000-4000-8000-00000000b001"

bg2 := "b9a1e001-0000-4000-8000-00000000b002"

nested := "9e0c1a55-0000-4000-8000-0000000e0002"

parent := "9e0c1a55-0000-4000-8000-0000000e0001"

ga := "62e90394-69f5-4237-9190-012177145e10"

doc := {
	"metadata": {"tenantId": "7c3f8a2e-5b1d-4e6f-9a0b-1c2d3e4f5a6b"},
	"config": {"accounts": [{"userPrincipalName": "bg-01@contoso.onmicrosoft.com"}, {"id": bg2}, {"userPrincipalName": "gone@contoso.onmicrosoft.com"}]},
	"dataSets": {
		"users": {"status": "ok", "items": [
			{"id": bg1, "userPrincipalName": "bg-01@contoso.onmicrosoft.com", "displayName": "EMERGENCY-01"},
			{"id": bg2, "userPrincipalName": "bg-02@contoso.onmicrosoft.com", "displayName": "Break Glass 02"},
		]},
		"transitiveMemberOf": {"status": "ok", "items": [{"id": bg1, "memberOf": [
			{"@odata.type": "#microsoft.graph.group", "id": nested},
			{"@odata.type": "#microsoft.graph.group", "id": parent},
			{"@odata.type": "#microsoft.graph.directoryRole", "id": "dr-1"},
		]}]},
		"roleDefinitions": {"status": "ok", "items": [{"id": ga, "templateId": ga, "displayName": "Global Administrator"}]},
		"roleAssignments": {"status": "ok", "items": [
			{"id": "ra-1", "principalId": nested, "roleDefinitionId": ga, "directoryScopeId": "/"},
			{"id": "ra-2", "principalId": bg2, "roleDefinitionId": ga, "directoryScopeId": "/administrativeUnits/au-1"},
		]},
		"groupMembers": {"status": "ok", "items": [{"id": parent, "members": [
			{"@odata.type": "#microsoft.graph.user", "id": bg1},
			{"@odata.type": "#microsoft.graph.group", "id": nested},
		]}]},
		"ownedObjects": {"status": "ok", "items": [{"id": bg1, "ownedObjects": [
			{"@odata.type": "#microsoft.graph.application", "id": "app-1", "displayName": "Payroll"},
		]}]},
	},
}

test_account_by_ref_upn_and_id_case_insensitive if {
	lib.account_by_ref("BG-01@Contoso.onmicrosoft.com").id == bg1 with input as doc
	lib.account_by_ref(upper(bg2)).upn == "bg-02@contoso.onmicrosoft.com" with input as doc
	lib.account_by_ref(bg1).user.displayName == "EMERGENCY-01" with input as doc
}

test_account_by_ref_missing_account_is_declared_but_not_existing if {
	a := lib.account_by_ref("gone@contoso.onmicrosoft.com") with input as doc
	a.exists == false
}

test_account_by_ref_undeclared_is_undefined if {
	not lib.account_by_ref("alice@contoso.com") with input as doc
}

test_is_member_transitive_and_case_insensitive if {
	lib.is_member(bg1, nested) with input as doc
	lib.is_member(bg1, upper(parent)) with input as doc
	not lib.is_member(bg1, "dr-1") with input as doc
	not lib.is_member(bg2, parent) with input as doc
}

test_groups_of_transitive if {
	lib.groups_of(bg1) == {nested, parent} with input as doc
	lib.groups_of(bg2) == set() with input as doc
}

test_active_role_assignments_via_group_and_scoped if {
	lib.active_role_assignments(bg1) == {{"role": ga, "scope": "/", "assignment": "ra-1", "via": nested}} with input as doc
	lib.active_role_assignments(bg2) == {{"role": ga, "scope": "/administrativeUnits/au-1", "assignment": "ra-2", "via": "direct"}} with input as doc
}

test_has_active_role_at_tenant_scope_only if {
	lib.has_active_role(bg1, upper(ga)) with input as doc
	not lib.has_active_role(bg2, ga) with input as doc
}

test_group_members_and_owned_objects if {
	count(lib.group_members(parent)) == 2 with input as doc
	lib.group_members("unknown") == [] with input as doc
	[lib.odata_type(o) | some o in lib.owned_objects(bg1)] == ["application"] with input as doc
	lib.owned_objects(bg2) == [] with input as doc
}

test_days_since_relative_to_scan_now if {
	lib.days_since("2026-11-10T06:00:00Z") == 10 with time.now_ns as time.parse_rfc3339_ns("2026-11-20T06:00:00Z")
	lib.days_since("2026-11-19T07:00:00Z") == 0 with time.now_ns as time.parse_rfc3339_ns("2026-11-20T06:00:00Z")
	lib.older_than_days("2026-08-01T00:00:00Z", 90) with time.now_ns as time.parse_rfc3339_ns("2026-11-20T06:00:00Z")
	not lib.older_than_days("2026-10-01T00:00:00Z", 90) with time.now_ns as time.parse_rfc3339_ns("2026-11-20T06:00:00Z")
}
