package gen

import "fmt"

// The data sets of the 2026 lockout-path rules (BG-AUTH-006, BG-PRIV-005,
// BG-MON-005, BG-INV-005), several items each, in the shapes the collector
// stores (docs/collector.md).

// issuers are the certificate authorities: the first two are trusted by
// the tenant's certificate-based authentication configuration.
var issuers = []string{
	"CN=Contoso Root CA, O=Contoso, C=US",
	"CN=Contoso Issuing CA 1, O=Contoso, C=US",
	"CN=Fabrikam Issuing CA, O=Fabrikam, C=US",
}

// PrivilegedRoleAdministrator is the role template id PIM approval rules
// are judged for besides Global Administrator.
const PrivilegedRoleAdministrator = "e8611ab8-c189-46e8-94e1-60213ab1f814"

// certificateMappings returns a user's certificateUserIds: a name-bound
// mapping and, for some, an issuer-bound one (trusted or not).
func (g *gen) certificateMappings(u *user) []any {
	certs := list(fmt.Sprintf("X509:<PN>%s", u.upn), fmt.Sprintf("X509:<SKI>%x", g.r.Uint64()))
	if g.chance(0.6) {
		certs = append(certs, fmt.Sprintf("X509:<I>%s<SR>%x", issuers[g.r.IntN(len(issuers))], g.r.Uint32()))
	}
	return certs
}

func (g *gen) lockout() {
	g.passkeyProfiles()
	g.certificateAuthorities()
	g.roleManagementPolicies()
	g.monitorAlerts()
	g.governance()
}

func (g *gen) certificateAuthorities() {
	var cas []any
	for i, issuer := range issuers[:2] {
		cas = append(cas, obj{"issuer": issuer, "isRootAuthority": i == 0, "certificate": "MIIBkTCB+wIJAKHHIgII0AA==",
			"issuerSki": fmt.Sprintf("%040x", i+1), "certificateRevocationListUrl": fmt.Sprintf("http://pki.contoso.com/crl/%d.crl", i)})
	}
	// The trusted roots listed twice (two configuration objects would be a
	// Graph anomaly; a repeated authority is not).
	cas = append(cas, cas[0])
	g.set("certificateBasedAuthConfiguration", list(obj{"id": g.guid(), "certificateAuthorities": cas}))
}

// roleManagementPolicies: PIM settings for Global Administrator and
// Privileged Role Administrator, each with an approval rule naming several
// approvers (users, a group, a deleted user), read back as the collector
// does (approverUsers / approverGroups).
func (g *gen) roleManagementPolicies() {
	var items []any
	for _, role := range []string{GlobalAdministrator, PrivilegedRoleAdministrator} {
		policyID := fmt.Sprintf("DirectoryRole_%s_%s", g.mix(g.tenantID), role[:8])
		var approvers, users []any
		for i, a := range g.admins {
			if i >= 3 {
				break
			}
			approvers = append(approvers, obj{"@odata.type": "#microsoft.graph.singleUser", "userId": g.mix(a.id), "description": a.upn})
			users = append(users, obj{"id": a.id, "userPrincipalName": a.upn, "accountEnabled": g.chance(0.7)})
		}
		deleted := g.guid()
		approvers = append(approvers, obj{"@odata.type": "#microsoft.graph.singleUser", "userId": deleted})
		users = append(users, obj{"id": deleted, "deleted": true, "accountEnabled": false})
		group := g.roleGroups[len(g.roleGroups)-1]
		approvers = append(approvers, obj{"@odata.type": "#microsoft.graph.groupMembers", "groupId": group})
		var members []any
		for _, a := range g.admins[:min(2, len(g.admins))] {
			members = append(members, obj{"id": a.id, "userPrincipalName": a.upn, "accountEnabled": true}, obj{"id": g.mix(a.id), "userPrincipalName": a.upn, "accountEnabled": true})
		}
		rules := list(
			obj{"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule", "id": "Expiration_EndUser_Assignment",
				"isExpirationRequired": true, "maximumDuration": "PT8H", "target": obj{"caller": "EndUser", "level": "Assignment", "operations": list("All")}},
			obj{"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule", "id": "Approval_EndUser_Assignment",
				"target": obj{"caller": "EndUser", "level": "Assignment", "operations": list("All")},
				"setting": obj{"approvalMode": "SingleStage", "isApprovalRequired": g.chance(0.6), "isApprovalRequiredForExtension": false,
					"isRequestorJustificationRequired": true,
					"approvalStages": list(obj{"approvalStageTimeOutInDays": 1, "isApproverJustificationRequired": true, "isEscalationEnabled": false,
						"escalationApprovers": list(), "escalationTimeInMinutes": 0, "primaryApprovers": approvers})}},
		)
		item := obj{"id": policyID + "_" + role, "policyId": policyID, "roleDefinitionId": g.mix(role), "scopeId": "/", "scopeType": "DirectoryRole",
			"policy":        obj{"id": policyID, "displayName": "DirectoryRole", "isOrganizationDefault": false, "scopeId": "/", "scopeType": "DirectoryRole", "rules": rules},
			"approverUsers": users, "approverGroups": list(obj{"id": group, "members": members})}
		items = append(items, item, item) // listed twice, as overlapping pages can
	}
	g.set("roleManagementPolicyAssignments", items)
}

// monitorAlerts: several firings of several alert rules around each drill
// date, including two firings at one time and a rule that no longer exists.
func (g *gen) monitorAlerts() {
	var alerts []any
	n := 0
	for _, a := range g.accounts {
		for _, d := range g.drills[a.upn] {
			for k := 0; k < 3; k++ {
				n++
				rule := fmt.Sprintf("/subscriptions/%s/resourceGroups/rg-sec/providers/Microsoft.Insights/scheduledQueryRules/bg-alert-%d", g.mix(g.subs[0]), k)
				start := fmt.Sprintf("%sT%02d:%02d:00Z", d.date, 8+g.r.IntN(10), []int{5, 5, 40}[k])
				alerts = append(alerts, obj{
					"id":   fmt.Sprintf("/subscriptions/%s/providers/Microsoft.AlertsManagement/alerts/%s", g.subs[0], g.guid()),
					"name": fmt.Sprintf("bg-alert-%d", k), "type": "Microsoft.AlertsManagement/alerts",
					"properties": obj{"essentials": obj{"alertRule": rule, "alertState": g.pick("New", "Closed"), "monitorCondition": g.pick("Fired", "Resolved"),
						"monitorService": "Log Alerts V2", "severity": "Sev0", "signalType": "Log", "startDateTime": start, "lastModifiedDateTime": start}},
				})
			}
		}
	}
	g.set("monitorAlerts", alerts)
}

// governance: access reviews (auto-applied or not, on the exclusion group,
// on guests), lifecycle workflows (inactivity-triggered and scoped) and
// group expiration policies.
func (g *gen) governance() {
	reviews := list(
		g.review("Break-glass exclusion group (manual sign-off)", fmt.Sprintf("/groups/%s/transitiveMembers", g.mix(g.exclusion[0])), false),
		g.review("Guest access", "/users?$filter=(userType eq 'Guest')", true),
		g.review("Privileged role holders", fmt.Sprintf("/groups/%s/members", g.roleGroups[0]), g.chance(0.5)),
	)
	if g.size.Accounts > 2 {
		reviews = append(reviews, g.review("All users (completed)", "/users", true))
		reviews[len(reviews)-1].(obj)["status"] = "Completed"
	}
	g.set("accessReviewDefinitions", reviews)

	task := func(id string, enabled bool) obj {
		return obj{"id": g.guid(), "taskDefinitionId": id, "isEnabled": enabled, "displayName": "task"}
	}
	var excluded []string
	for _, a := range g.accounts {
		excluded = append(excluded, fmt.Sprintf("(userPrincipalName ne '%s')", g.mix(a.upn)))
	}
	scoped := "(department eq 'Marketing')"
	for _, e := range excluded {
		scoped += " and " + e
	}
	workflows := list(
		obj{"id": g.guid(), "displayName": "Leavers", "isEnabled": true, "isSchedulingEnabled": true,
			"executionConditions": obj{"@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
				"scope":   obj{"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": scoped},
				"trigger": obj{"@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger", "timeBasedAttribute": "employeeLeaveDateTime", "offsetInDays": 0}},
			"tasks": list(task("8d18588d-9ad3-4c0f-99d0-ec215f0e3dff", true), task("b3a31406-2a15-4c9a-b25b-a658fa5f07fc", g.chance(0.5)))},
		obj{"id": g.guid(), "displayName": "Inactive users", "isEnabled": g.chance(0.5), "isSchedulingEnabled": true,
			"executionConditions": obj{"@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
				"scope":   obj{"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": "(accountEnabled eq true)"},
				"trigger": obj{"@odata.type": "#microsoft.graph.identityGovernance.inactiveUsersTrigger", "inactivityPeriodInDays": 90}},
			"tasks": list(task("1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950", true))},
		obj{"id": g.guid(), "displayName": "Joiners", "isEnabled": true, "isSchedulingEnabled": true,
			"executionConditions": obj{"@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
				"scope":   obj{"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": ""},
				"trigger": obj{"@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger", "timeBasedAttribute": "employeeHireDate", "offsetInDays": -1}},
			"tasks": list(task("70b29d51-b59a-4773-9280-8841dfd3f2ea", true))},
	)
	g.set("lifecycleWorkflows", workflows)

	policies := list(obj{"id": g.guid(), "groupLifetimeInDays": 365, "managedGroupTypes": "None", "alternateNotificationEmails": "secops@contoso.com"})
	if g.chance(0.5) {
		policies = append(policies, obj{"id": g.guid(), "groupLifetimeInDays": 180, "managedGroupTypes": "Selected",
			"alternateNotificationEmails": "secops@contoso.com", "groups": list(g.mix(g.direct))})
	}
	g.set("groupLifecyclePolicies", policies)
}

func (g *gen) review(name, query string, autoApply bool) any {
	return obj{"id": g.guid(), "displayName": name, "status": "InProgress",
		"scope": obj{"@odata.type": "#microsoft.graph.accessReviewQueryScope", "query": query, "queryType": "MicrosoftGraph", "queryRoot": nil},
		"settings": obj{"autoApplyDecisionsEnabled": autoApply, "defaultDecision": g.pick("None", "Deny"), "defaultDecisionEnabled": autoApply,
			"instanceDurationInDays": 14, "recommendationsEnabled": true}}
}

// managedPolicies returns Microsoft-managed report-only policies (BG-CA-007
// judges them like enabled ones): one the accounts can satisfy, one that
// blocks, one already switched off by the tenant.
func (g *gen) managedPolicies(first int) []any {
	admins := obj{"includeRoles": list(g.mix(GlobalAdministrator)), "includeUsers": list(), "excludeUsers": list(),
		"includeGroups": list(), "excludeGroups": list(), "excludeRoles": list()}
	mfa := g.policy(first, "", admins, g.grant("OR", "mfa"))
	mfa["displayName"] = "Microsoft-managed: Multifactor authentication for admins accessing Microsoft Admin Portals"
	block := g.policy(first+1, "", obj{"includeUsers": list("All"), "excludeUsers": list(), "includeGroups": list(),
		"excludeGroups": list(), "includeRoles": list(), "excludeRoles": list()}, g.grant("OR", "block"))
	block["displayName"] = "Microsoft-managed: Block legacy authentication"
	block["conditions"].(obj)["clientAppTypes"] = list("exchangeActiveSync", "other")
	off := g.policy(first+2, "", admins, g.grant("OR", "block"))
	off["displayName"] = "Microsoft-managed: Block device code flow"
	off["conditions"].(obj)["authenticationFlows"] = obj{"transferMethods": "deviceCodeFlow"}
	for _, p := range []obj{mfa, block} {
		p["state"] = "enabledForReportingButNotEnforced"
	}
	off["state"] = "disabled"
	return list(mfa, block, off)
}

// passkeyProfiles adds FIDO2 passkey profiles to the methods policy: a
// default synced profile for everyone and a device-bound one restricted to
// some AAGUIDs for the exclusion group.
func (g *gen) passkeyProfiles() {
	policy := g.sets["authenticationMethodsPolicy"].(obj)["items"].([]any)[0].(obj)
	for _, c := range policy["authenticationMethodConfigurations"].([]any) {
		c := c.(obj)
		if c["id"] != "Fido2" {
			continue
		}
		def, privileged := "00000000-0000-0000-0000-000000000001", g.guid()
		c["defaultPasskeyProfile"] = def
		c["passkeyProfiles"] = list(
			obj{"id": def, "name": "Default passkey profile", "passkeyTypes": "synced", "attestationEnforcement": "registrationOnly",
				"keyRestrictions": obj{"isEnforced": false, "enforcementType": "allow", "aaGuids": list()}},
			obj{"id": privileged, "name": "Privileged accounts", "passkeyTypes": g.pick("deviceBound", "deviceBound,synced"), "attestationEnforcement": "registrationOnly",
				"keyRestrictions": obj{"isEnforced": true, "enforcementType": g.pick("allow", "block"), "aaGuids": list(g.mix(yubikey5NFC), feitian)}},
		)
		for i, t := range c["includeTargets"].([]any) {
			t.(obj)["allowedPasskeyProfiles"] = list([]string{def, privileged}[min(i, 1)])
		}
	}
}
