package fakeserver

import (
	"fmt"
	"strings"
)

// LargeOptions size a synthetic tenant for the scaling test and benchmark.
type LargeOptions struct {
	Users           int // synthetic users (generated lazily, never listed)
	BigGroups       int // groups CA policies include, each with BigGroupMembers synthetic members
	BigGroupMembers int
	CAPolicies      int // 195 is the per-tenant limit
	RoleHolders     int // explicit users holding directory roles (2 are the declared accounts)
	Subscriptions   int
	// NameCandidates are undeclared users named like break-glass accounts
	// (BG-INV-004 candidates found by the name search): even ones by
	// display name ("Emergency Access 007"), odd ones by UPN only
	// ("breakglass007@fabrikam.com" with an unremarkable display name).
	NameCandidates int
}

// LargeNameCandidateID is the object id of name candidate i.
func LargeNameCandidateID(i int) string { return fmt.Sprintf("ac000000-0000-4000-8000-%012d", i) }

// Large IDs.
const (
	LargeExclusionGroup = "22222222-0000-4000-8000-00000000e001"
	largeTenantID       = "11111111-1111-4111-8111-111111111111"
	largeGA             = "62e90394-69f5-4237-9190-012177145e10"
)

// LargeHolderID is the object id of role holder i (0 and 1 are the
// declared break-glass accounts).
func LargeHolderID(i int) string { return fmt.Sprintf("ab000000-0000-4000-8000-%012d", i) }

// LargeSubscriptionID is the id of subscription i.
func LargeSubscriptionID(i int) string { return fmt.Sprintf("66666666-0000-4000-8000-%012d", i) }

func largeBigGroupID(i int) string { return fmt.Sprintf("22222222-0000-4000-8000-%012d", 1000+i) }

// Large builds the synthetic tenant. Everything that scales with users or
// group size is synthetic: the server generates it only if asked, and the
// collector never asks.
func Large(o LargeOptions) *Tenant {
	t := &Tenant{
		TenantID:         largeTenantID,
		SyntheticUsers:   o.Users,
		SyntheticMembers: map[string]int{},
		Organization: []Obj{{"id": largeTenantID, "displayName": "Fabrikam", "verifiedDomains": []any{
			Obj{"name": "fabrikam.onmicrosoft.com", "isInitial": true, "isDefault": false, "type": "Managed"}}}},
		Domains: []Obj{{"id": "fabrikam.onmicrosoft.com", "authenticationType": "Managed", "isInitial": true, "isDefault": true, "isVerified": true}},
		RoleDefinitions: []Obj{
			{"id": largeGA, "templateId": largeGA, "displayName": "Global Administrator", "isBuiltIn": true, "isEnabled": true},
			{"id": "fe930be7-5e62-47db-91af-98c3a49a38b1", "templateId": "fe930be7-5e62-47db-91af-98c3a49a38b1", "displayName": "User Administrator", "isBuiltIn": true, "isEnabled": true},
			{"id": "f2ef992c-3afb-46b9-b7cf-a126ee74c451", "templateId": "f2ef992c-3afb-46b9-b7cf-a126ee74c451", "displayName": "Global Reader", "isBuiltIn": true, "isEnabled": true},
		},
		GroupMembers:          map[string][]string{},
		GroupOwners:           map[string][]string{},
		AUMembers:             map[string][]string{},
		OwnedObjects:          map[string][]string{},
		AuthenticationMethods: map[string][]Obj{},
		AuthenticationMethodsPolicy: Obj{"id": "authenticationMethodsPolicy", "authenticationMethodConfigurations": []any{
			Obj{"@odata.type": "#microsoft.graph.fido2AuthenticationMethodConfiguration", "id": "Fido2", "state": "enabled",
				"includeTargets": []any{Obj{"targetType": "group", "id": "all_users"}}, "keyRestrictions": Obj{"isEnforced": false, "enforcementType": "block", "aaGuids": []any{}}}}},
		ARMRoleAssignments:                  map[string][]Obj{},
		ARMRoleEligibilityScheduleInstances: map[string][]Obj{},
		ScheduledQueryRules:                 map[string][]Obj{},
		ActionGroups:                        map[string][]Obj{},
		Vaults:                              map[string][]Obj{},
		Secrets:                             map[string][]Obj{},
	}
	t.Groups = append(t.Groups, Obj{"id": LargeExclusionGroup, "displayName": "CA exclusion", "isAssignableToRole": true, "groupTypes": []any{}})
	t.GroupMembers[LargeExclusionGroup] = []string{LargeHolderID(0), LargeHolderID(1)}
	var big []string
	for i := 0; i < o.BigGroups; i++ {
		id := largeBigGroupID(i)
		big = append(big, id)
		t.Groups = append(t.Groups, Obj{"id": id, "displayName": fmt.Sprintf("All staff %d", i), "isAssignableToRole": false, "groupTypes": []any{"DynamicMembership"}})
		t.SyntheticMembers[id] = o.BigGroupMembers
	}
	for i := 0; i < o.RoleHolders; i++ {
		id := LargeHolderID(i)
		upn := fmt.Sprintf("admin%02d@fabrikam.com", i)
		name := fmt.Sprintf("Admin %02d", i)
		if i < 2 {
			upn = fmt.Sprintf("bg-%02d@fabrikam.onmicrosoft.com", i+1)
			name = fmt.Sprintf("Break Glass %02d", i+1)
		}
		t.Users = append(t.Users, Obj{"id": id, "userPrincipalName": upn, "displayName": name, "accountEnabled": true, "userType": "Member",
			"onPremisesSyncEnabled": nil, "assignedLicenses": []any{}, "passwordPolicies": "DisablePasswordExpiration",
			"lastPasswordChangeDateTime": "2026-09-01T10:00:00Z", "createdDateTime": "2025-01-01T00:00:00Z",
			"authorizationInfo": Obj{"certificateUserIds": []any{}}, "signInActivity": Obj{"lastSignInDateTime": "2026-10-02T09:15:00Z"}})
		role := largeGA
		if i >= 10 {
			role = "fe930be7-5e62-47db-91af-98c3a49a38b1"
		}
		t.RoleAssignments = append(t.RoleAssignments, Obj{"id": "ra-" + id, "principalId": id, "roleDefinitionId": role, "directoryScopeId": "/"})
		t.RoleAssignmentSchedules = append(t.RoleAssignmentSchedules, Obj{"id": "rs-" + id, "principalId": id, "roleDefinitionId": role, "directoryScopeId": "/",
			"assignmentType": "Assigned", "memberType": "Direct", "scheduleInfo": Obj{"startDateTime": "2025-01-01T00:00:00Z", "expiration": Obj{"type": "noExpiration"}}})
		t.AuthenticationMethods[id] = []Obj{
			{"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": "28c10230-6103-485e-b985-444c60001490"},
			{"@odata.type": "#microsoft.graph.fido2AuthenticationMethod", "id": "fido-" + id, "aaGuid": "cb69481e-8ff7-4039-93ec-0a2729a154a8"},
		}
		for _, g := range big {
			t.GroupMembers[g] = append(t.GroupMembers[g], id)
		}
	}
	for i := 0; i < o.NameCandidates; i++ {
		id := LargeNameCandidateID(i)
		upn, name := fmt.Sprintf("ea%03d@fabrikam.com", i), fmt.Sprintf("Emergency Access %03d", i)
		if i%2 == 1 {
			upn, name = fmt.Sprintf("breakglass%03d@fabrikam.com", i), fmt.Sprintf("Service %03d", i)
		}
		t.Users = append(t.Users, Obj{"id": id, "userPrincipalName": upn, "displayName": name, "accountEnabled": true, "userType": "Member",
			"onPremisesSyncEnabled": nil, "assignedLicenses": []any{}, "createdDateTime": "2025-01-01T00:00:00Z"})
		t.AuthenticationMethods[id] = []Obj{{"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": "28c10230-6103-485e-b985-444c60001490"}}
	}
	for i := 0; i < o.CAPolicies; i++ {
		users := Obj{"includeUsers": []any{}, "excludeUsers": []any{}, "includeGroups": []any{}, "excludeGroups": []any{LargeExclusionGroup},
			"includeRoles": []any{}, "excludeRoles": []any{}}
		switch {
		case i%3 == 0:
			users["includeUsers"] = []any{"All"}
		case i%3 == 1 && len(big) > 0:
			users["includeGroups"] = []any{big[i%len(big)]}
		default:
			users["includeRoles"] = []any{largeGA}
		}
		if i%10 == 0 && o.RoleHolders > 2 {
			users["excludeUsers"] = []any{LargeHolderID(2 + i%(o.RoleHolders-2))}
		}
		t.ConditionalAccessPolicies = append(t.ConditionalAccessPolicies, Obj{
			"id": fmt.Sprintf("c0000000-0000-4000-8000-%012d", i), "displayName": fmt.Sprintf("Policy %03d", i), "state": "enabled",
			"conditions":    Obj{"clientAppTypes": []any{"all"}, "applications": Obj{"includeApplications": []any{"All"}}, "users": users},
			"grantControls": Obj{"operator": "OR", "builtInControls": []any{"mfa"}}})
	}
	for i := 0; i < o.Subscriptions; i++ {
		sid := LargeSubscriptionID(i)
		t.Subscriptions = append(t.Subscriptions, Obj{"id": "/subscriptions/" + sid, "subscriptionId": sid, "displayName": fmt.Sprintf("Sub %02d", i), "state": "Enabled", "tenantId": largeTenantID})
		for j := 0; j < 5; j++ {
			t.ARMRoleAssignments[sid] = append(t.ARMRoleAssignments[sid], Obj{
				"id": fmt.Sprintf("/subscriptions/%s/providers/Microsoft.Authorization/roleAssignments/%012d", sid, j), "name": fmt.Sprintf("%012d", j), "type": "Microsoft.Authorization/roleAssignments",
				"properties": Obj{"principalId": LargeHolderID(j % max(o.RoleHolders, 1)), "principalType": "User", "scope": "/subscriptions/" + sid,
					"roleDefinitionId": "/subscriptions/" + sid + "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"}})
		}
		t.ScheduledQueryRules[sid] = []Obj{{"id": "/subscriptions/" + sid + "/resourceGroups/rg/providers/microsoft.insights/scheduledqueryrules/r", "name": "r", "type": "microsoft.insights/scheduledqueryrules",
			"properties": Obj{"enabled": true, "criteria": Obj{"allOf": []any{Obj{"query": "SigninLogs | where UserPrincipalName startswith 'bg-'", "operator": "GreaterThan", "threshold": 0}}}}}}
		t.ActionGroups[sid] = []Obj{{"id": "/subscriptions/" + sid + "/resourceGroups/rg/providers/microsoft.insights/actionGroups/ag", "name": "ag", "type": "Microsoft.Insights/ActionGroups", "properties": Obj{"enabled": true}}}
		vaultURI := "https://kv-" + strings.ToLower(sid[len(sid)-4:]) + ".vault.azure.net/"
		if i == 0 {
			vaultURI = "{{server}}/"
		}
		t.Vaults[sid] = []Obj{{"id": "/subscriptions/" + sid + "/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv", "name": "kv", "type": "Microsoft.KeyVault/vaults",
			"properties": Obj{"vaultUri": vaultURI, "enableSoftDelete": true, "enablePurgeProtection": true}}}
	}
	if o.Subscriptions > 0 {
		t.DiagnosticSettings = []Obj{{"id": "/providers/microsoft.aadiam/diagnosticSettings/law", "name": "law", "properties": Obj{
			"workspaceId": "/subscriptions/" + LargeSubscriptionID(0) + "/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law",
			"logs":        []any{Obj{"category": "SignInLogs", "enabled": true}, Obj{"category": "AuditLogs", "enabled": true}}}}}
	}
	for _, name := range []string{"bg-01", "bg-02"} {
		for v := 0; v < 3; v++ {
			t.Secrets[name] = append(t.Secrets[name], Obj{"id": fmt.Sprintf("{{server}}/secrets/%s/%032d", name, v),
				"attributes": Obj{"enabled": true, "created": 1756720800 + v*86400, "updated": 1756720800 + v*86400}})
		}
	}
	return t
}

// LargeConfig is the breakglass.yaml for a Large tenant served at serverURL.
func LargeConfig(o LargeOptions, serverURL string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "tenantId: %s\naccounts:\n", largeTenantID)
	fmt.Fprintf(&b, "  - id: %s\n    vaultSecret: %s/secrets/bg-01\n", LargeHolderID(0), serverURL)
	fmt.Fprintf(&b, "  - userPrincipalName: bg-02@fabrikam.onmicrosoft.com\n    vaultSecret: %s/secrets/bg-02\n", serverURL)
	fmt.Fprintf(&b, "exclusionGroups: [%s]\nsubscriptions:\n", LargeExclusionGroup)
	for i := 0; i < o.Subscriptions; i++ {
		fmt.Fprintf(&b, "  - %s\n", LargeSubscriptionID(i))
	}
	return b.String()
}
