# Shared fixtures for the rule tests: a small, healthy tenant with two
# break-glass accounts (bg-01, bg-02) and one ordinary Global Administrator
# (alice). Tests derive variants with with_items / with_config / patch.
package breakglass.test.fixtures

import rego.v1

tenant := "7c3f8a2e-5b1d-4e6f-9a0b-1c2d3e4f5a6b"

bg1 := "b9a1e001-0000-4000-8000-00000000b001"

bg2 := "b9a1e001-0000-4000-8000-00000000b002"

alice := "a11ce000-0000-4000-8000-0000000a0001"

gex := "9e0c1a55-0000-4000-8000-0000000e0001"

gnest := "9e0c1a55-0000-4000-8000-0000000e0002"

ga := "62e90394-69f5-4237-9190-012177145e10"

secadm := "194ae4cb-b126-40b2-bd5b-6091b380977d"

aag1 := "cb69481e-8ff7-4039-93ec-0a2729a154a8"

aag2 := "ee882879-721c-4913-9775-3dfcce97072a"

sub := "5a5c41b0-0000-4000-8000-000000000001"

owner := "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"

kv_id := "/subscriptions/5a5c41b0-0000-4000-8000-000000000001/resourceGroups/rg-bg/providers/Microsoft.KeyVault/vaults/kv-bg"

law := "/subscriptions/5a5c41b0-0000-4000-8000-000000000001/resourceGroups/rg-sec/providers/Microsoft.OperationalInsights/workspaces/law-sec"

pol_mfa := "c0000001-0000-4000-8000-00000000ca01"

# now is the scan time the tests pin: 2026-11-20T06:00:00Z.
now := time.parse_rfc3339_ns("2026-11-20T06:00:00Z")

user(id, upn) := {
	"id": id,
	"userPrincipalName": upn,
	"displayName": upn,
	"accountEnabled": true,
	"userType": "Member",
	"onPremisesSyncEnabled": null,
	"assignedLicenses": [],
	"passwordPolicies": "DisablePasswordExpiration",
	"lastPasswordChangeDateTime": "2026-09-15T08:00:00Z",
	"authorizationInfo": {"certificateUserIds": []},
}

fido(id, aaguid) := {"@odata.type": "#microsoft.graph.fido2AuthenticationMethod", "id": id, "displayName": "YubiKey", "aaGuid": aaguid}

grp(id) := {"@odata.type": "#microsoft.graph.group", "id": id, "displayName": id}

member_user(id, upn) := {"@odata.type": "#microsoft.graph.user", "id": id, "userPrincipalName": upn}

ra(id, principal, role) := {"id": id, "principalId": principal, "roleDefinitionId": role, "directoryScopeId": "/"}

policy(id, state, users, controls) := {
	"id": id,
	"displayName": id,
	"state": state,
	"conditions": {
		"applications": {"includeApplications": ["All"], "excludeApplications": []},
		"clientAppTypes": ["all"],
		"users": object.union(
			{"includeUsers": [], "excludeUsers": [], "includeGroups": [], "excludeGroups": [], "includeRoles": [], "excludeRoles": []},
			users,
		),
	},
	"grantControls": {"operator": "OR", "builtInControls": controls},
}

signin(id, uid, upn, ts) := {"id": id, "userId": uid, "userPrincipalName": upn, "createdDateTime": ts, "appDisplayName": "Azure Portal", "ipAddress": "203.0.113.10", "status": {"errorCode": 0}}

ok(items) := {"status": "ok", "items": items}

secret(name, created) := {"id": sprintf("https://kv-bg.vault.azure.net/secrets/%s", [name]), "versions": [{"id": sprintf("https://kv-bg.vault.azure.net/secrets/%s/v1", [name]), "attributes": {"enabled": true, "created": created, "updated": created}}]}

config := {
	"tenantId": tenant,
	"accounts": [
		{"userPrincipalName": "bg-01@contoso.onmicrosoft.com", "vaultSecret": "https://kv-bg.vault.azure.net/secrets/bg-01"},
		{"userPrincipalName": "bg-02@contoso.onmicrosoft.com", "vaultSecret": "https://kv-bg.vault.azure.net/secrets/bg-02"},
	],
	"exclusionGroups": [gex],
	"subscriptions": [sub],
	"allowedRoles": [ga],
	"caAllowedPolicies": [],
	"minAccounts": 2,
	"maxAccounts": 4,
	"passwordMaxAgeDays": 90,
	"drillMaxAgeDays": 90,
	"signInLookbackDays": 30,
	"drills": [
		{"account": "bg-01@contoso.onmicrosoft.com", "date": "2026-11-02", "kind": "drill", "reference": "CHG-1"},
		{"account": bg2, "date": "2026-11-02", "kind": "drill", "reference": "CHG-1"},
	],
	"runbook": {"uri": "https://wiki.contoso.com/bg", "owner": "secops@contoso.com", "reviewed": "2026-09-01"},
}

doc := {
	"schemaVersion": 1,
	"metadata": {"tenantId": tenant, "collectedAt": "2026-11-20T06:00:00Z", "tool": {"name": "breakglass", "version": "test"}},
	"config": config,
	"dataSets": {
		"domains": ok([{"id": "contoso.onmicrosoft.com", "isInitial": true, "authenticationType": "Managed"}]),
		"roleDefinitions": ok([
			{"id": ga, "templateId": ga, "displayName": "Global Administrator"},
			{"id": secadm, "templateId": secadm, "displayName": "Security Administrator"},
		]),
		"roleAssignments": ok([ra("ra1", bg1, ga), ra("ra2", bg2, ga), ra("ra3", alice, ga)]),
		"roleAssignmentSchedules": ok([]),
		"roleEligibilitySchedules": ok([]),
		"users": ok([
			user(bg1, "bg-01@contoso.onmicrosoft.com"),
			user(bg2, "bg-02@contoso.onmicrosoft.com"),
			object.union(user(alice, "alice@contoso.com"), {"displayName": "Alice Admin", "passwordPolicies": "None"}),
		]),
		"signInActivity": ok([]),
		"authenticationMethods": ok([
			{"id": bg1, "methods": [fido("m-bg1-fido", aag1)]},
			{"id": bg2, "methods": [fido("m-bg2-fido", aag2)]},
		]),
		"transitiveMemberOf": ok([
			{"id": bg1, "memberOf": [grp(gex)]},
			{"id": bg2, "memberOf": [grp(gex)]},
			{"id": alice, "memberOf": []},
		]),
		"authenticationMethodsPolicy": ok([{"id": "authenticationMethodsPolicy", "authenticationMethodConfigurations": [{
			"id": "Fido2",
			"state": "enabled",
			"includeTargets": [{"targetType": "group", "id": "all_users"}],
			"excludeTargets": [],
			"keyRestrictions": {"isEnforced": true, "enforcementType": "allow", "aaGuids": [aag1, aag2]},
		}]}]),
		"conditionalAccessPolicies": ok([policy(pol_mfa, "enabled", {"includeUsers": ["All"], "excludeGroups": [gex]}, ["mfa"])]),
		"authenticationStrengthPolicies": ok([]),
		"directoryObjects": ok([grp(gex), {"@odata.type": "#microsoft.graph.directoryRoleTemplate", "id": ga}]),
		"groups": ok([{"id": gex, "displayName": "CA-BreakGlass-Exclude", "isAssignableToRole": true, "groupTypes": [], "membershipRule": null}]),
		"groupMembers": ok([{
			"id": gex, "members": [
				member_user(bg1, "bg-01@contoso.onmicrosoft.com"),
				member_user(bg2, "bg-02@contoso.onmicrosoft.com"),
			],
			"owners": [],
		}]),
		"administrativeUnits": ok([]),
		"signIns": ok([
			signin("s1", bg1, "bg-01@contoso.onmicrosoft.com", "2026-11-02T10:00:00Z"),
			signin("s2", bg2, "bg-02@contoso.onmicrosoft.com", "2026-11-02T10:30:00Z"),
		]),
		"subscriptions": ok([{"id": sprintf("/subscriptions/%s", [sub]), "subscriptionId": sub, "displayName": "Production"}]),
		"armRoleAssignments": ok([{"id": "ara1", "properties": {
			"roleDefinitionId": sprintf("/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s", [sub, owner]),
			"principalId": bg1,
			"scope": sprintf("/subscriptions/%s", [sub]),
		}}]),
		"armRoleEligibilityScheduleInstances": ok([]),
		"diagnosticSettings": ok([{"id": "/providers/microsoft.aadiam/diagnosticSettings/to-law", "name": "to-law", "properties": {
			"workspaceId": law,
			"logs": [{"category": "SignInLogs", "enabled": true}, {"category": "AuditLogs", "enabled": true}],
		}}]),
		"scheduledQueryRules": ok([alert_rule("bg-alert", `SigninLogs | where UserPrincipalName in~ ("BG-01@contoso.onmicrosoft.com", "bg-02@contoso.onmicrosoft.com")`)]),
		"keyVaults": ok([{"id": kv_id, "name": "kv-bg", "properties": {"vaultUri": "https://kv-bg.vault.azure.net/", "enableSoftDelete": true, "enablePurgeProtection": true}}]),
		"keyVaultSecrets": ok([secret("bg-01", 1789459200), secret("bg-02", 1789459200)]),
	},
}

alert_rule(name, query) := {"id": sprintf("/subscriptions/%s/resourceGroups/rg-sec/providers/Microsoft.Insights/scheduledQueryRules/%s", [sub, name]), "name": name, "properties": {
	"enabled": true,
	"criteria": {"allOf": [{"query": query, "timeAggregation": "Count", "operator": "GreaterThan", "threshold": 0}]},
	"actions": {"actionGroups": ["/subscriptions/x/resourceGroups/rg-sec/providers/microsoft.insights/actionGroups/pager"]},
}}

# with_items replaces a data set's items (status ok).
with_items(d, name, items) := object.union(d, {"dataSets": {name: ok(items)}})

# with_config merges keys into the config.
with_config(d, cfg) := object.union(d, {"config": cfg})

# items returns the fixture's items of a data set.
items(name) := doc.dataSets[name].items

# statuses returns the statuses a rule reported for a resource id.
statuses(rs, id) := {r.status | some r in rs; r.resource.id == id}

# only returns the single result for a resource id.
only(rs, id) := r if {
	matches := [x | some x in rs; x.resource.id == id]
	count(matches) == 1
	r := matches[0]
}
