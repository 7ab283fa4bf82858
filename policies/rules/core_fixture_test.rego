# Shared fixture for the core rule tests: a small healthy tenant with two
# break-glass accounts. Tests derive failing variants with object.union /
# json.patch so each test states only what it changes.
package breakglass.test.core_fixture

import rego.v1

tenant := "7c3f8a2e-5b1d-4e6f-9a0b-1c2d3e4f5a6b"

bg1 := "b9a1e001-0000-4000-8000-00000000b001"

bg2 := "b9a1e001-0000-4000-8000-00000000b002"

ga := "62e90394-69f5-4237-9190-012177145e10"

exclusion_group := "9e0c1a55-0000-4000-8000-0000000e0001"

aaguid := "cb69481e-8ff7-4039-93ec-0a2729a154a8"

ok(items) := {"status": "ok", "items": items}

user(id, upn) := {
	"id": id, "userPrincipalName": upn, "displayName": upn, "accountEnabled": true,
	"userType": "Member", "onPremisesSyncEnabled": null, "assignedLicenses": [],
	"passwordPolicies": "DisablePasswordExpiration", "lastPasswordChangeDateTime": "2026-10-01T00:00:00Z",
}

fido2(id) := {"@odata.type": "#microsoft.graph.fido2AuthenticationMethod", "id": id, "displayName": "YubiKey", "aaGuid": aaguid}

password := {"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": "28c10230-6103-485e-b985-444c60001490"}

schedule(id, principal, expiration) := {
	"id": id, "principalId": principal, "roleDefinitionId": ga, "directoryScopeId": "/",
	"assignmentType": "Assigned", "memberType": "Direct",
	"scheduleInfo": {"startDateTime": "2024-01-01T00:00:00Z", "expiration": expiration},
}

permanent := {"type": "noExpiration", "endDateTime": null}

mfa_policy := {
	"id": "c0000001-0000-4000-8000-00000000ca01", "displayName": "Require MFA", "state": "enabled",
	"conditions": {
		"clientAppTypes": ["all"],
		"applications": {"includeApplications": ["All"]},
		"users": {"includeUsers": ["All"], "excludeGroups": [exclusion_group]},
	},
	"grantControls": {"operator": "OR", "builtInControls": ["mfa"]},
}

input_doc := {
	"schemaVersion": 1,
	"metadata": {"tenantId": tenant, "collectedAt": "2026-11-20T06:00:00Z"},
	"config": {
		"accounts": [{"userPrincipalName": "bg-01@contoso.onmicrosoft.com"}, {"id": bg2}],
		"allowedRoles": [ga], "minAccounts": 2, "maxAccounts": 4,
		"exclusionGroups": [exclusion_group],
	},
	"dataSets": {
		"users": ok([user(bg1, "bg-01@contoso.onmicrosoft.com"), user(bg2, "bg-02@contoso.onmicrosoft.com")]),
		"domains": ok([
			{"id": "contoso.onmicrosoft.com", "authenticationType": "Managed", "isInitial": true},
			{"id": "contoso.com", "authenticationType": "Federated", "isInitial": false},
		]),
		"roleDefinitions": ok([{"id": ga, "templateId": ga, "displayName": "Global Administrator"}]),
		"roleAssignments": ok([
			{"id": "ra1", "principalId": bg1, "roleDefinitionId": ga, "directoryScopeId": "/"},
			{"id": "ra2", "principalId": bg2, "roleDefinitionId": ga, "directoryScopeId": "/"},
		]),
		"roleAssignmentSchedules": ok([schedule("s1", bg1, permanent), schedule("s2", bg2, permanent)]),
		"roleEligibilitySchedules": ok([]),
		"transitiveMemberOf": ok([
			{"id": bg1, "memberOf": [{"@odata.type": "#microsoft.graph.group", "id": exclusion_group}]},
			{"id": bg2, "memberOf": [{"@odata.type": "#microsoft.graph.group", "id": exclusion_group}]},
		]),
		"authenticationMethods": ok([
			{"id": bg1, "methods": [password, fido2("k1")]},
			{"id": bg2, "methods": [password, fido2("k2")]},
		]),
		"authenticationMethodsPolicy": ok([{"id": "authenticationMethodsPolicy", "authenticationMethodConfigurations": [{
			"@odata.type": "#microsoft.graph.fido2AuthenticationMethodConfiguration", "id": "Fido2", "state": "enabled",
			"includeTargets": [{"targetType": "group", "id": "all_users"}], "excludeTargets": [],
			"keyRestrictions": {"isEnforced": true, "enforcementType": "allow", "aaGuids": [aaguid]},
		}]}]),
		"authenticationStrengthPolicies": ok([]),
		"conditionalAccessPolicies": ok([mfa_policy]),
	},
}

# with_items replaces the items of one data set.
with_items(doc, name, items) := json.patch(doc, [{"op": "replace", "path": sprintf("/dataSets/%s/items", [name]), "value": items}])

# set_user changes fields of one user (by index in the users data set).
set_user(doc, i, fields) := json.patch(doc, [{"op": "add", "path": sprintf("/dataSets/users/items/%d/%s", [i, k]), "value": v} | some k, v in fields])

# statuses maps resource id (plus subject id) to status for a rule's results.
statuses(results) := {key: r.status |
	some r in results
	key := concat("/", [r.resource.id, object.get(r, ["subject", "id"], "")])
}
