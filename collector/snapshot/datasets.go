// Package snapshot defines the snapshot document that `breakglass collect`
// writes and `breakglass scan` reads: the Rego input. It carries no Microsoft
// SDK dependency so that the scanner stays small and fast to build.
package snapshot

// SchemaVersion is the snapshot format version this build reads and writes.
const SchemaVersion = 1

// Status tells whether a data set was collected completely.
type Status string

// Data set statuses. Anything but StatusOK means the rules that need the data
// set report `error`; missing data is never a pass.
const (
	StatusOK         Status = "ok"
	StatusForbidden  Status = "forbidden"  // 403: a permission is missing
	StatusUnlicensed Status = "unlicensed" // the tenant lacks the licence (e.g. Entra ID P1)
	StatusThrottled  Status = "throttled"  // retries exhausted on 429/503
	StatusError      Status = "error"      // malformed response, timeout, other failure
	StatusSkipped    Status = "skipped"    // deliberately not collected (e.g. no subscriptions configured)
)

// Statuses lists every valid status, in schema order.
var Statuses = []Status{StatusOK, StatusForbidden, StatusUnlicensed, StatusThrottled, StatusError, StatusSkipped}

// Data set names. Items keep Microsoft Graph / ARM field names so that rule
// authors can read Microsoft's documentation for the shapes. Each data set is
// {"status", "message", "items": [...]}; single objects are a one-item list.
const (
	// Microsoft Graph
	Organization                   = "organization"                   // GET /organization
	Domains                        = "domains"                        // GET /domains
	RoleDefinitions                = "roleDefinitions"                // roleManagement/directory/roleDefinitions
	RoleAssignments                = "roleAssignments"                // active assignments, $expand=principal
	RoleAssignmentSchedules        = "roleAssignmentSchedules"        // active schedules (permanent vs time-bound)
	RoleEligibilitySchedules       = "roleEligibilitySchedules"       // PIM-eligible schedules
	Users                          = "users"                          // declared accounts, role holders, CA-referenced users
	SignInActivity                 = "signInActivity"                 // [{id: userId, signInActivity: {...}}] (Entra ID P1)
	AuthenticationMethods          = "authenticationMethods"          // [{id: userId, methods: [...]}]
	TransitiveMemberOf             = "transitiveMemberOf"             // [{id: userId, memberOf: [{@odata.type, id, displayName}]}]
	AuthenticationMethodsPolicy    = "authenticationMethodsPolicy"    // one item: policies/authenticationMethodsPolicy
	ConditionalAccessPolicies      = "conditionalAccessPolicies"      // identity/conditionalAccess/policies
	NamedLocations                 = "namedLocations"                 // identity/conditionalAccess/namedLocations
	AuthenticationStrengthPolicies = "authenticationStrengthPolicies" // policies/authenticationStrengthPolicies
	DirectoryObjects               = "directoryObjects"               // getByIds of every id CA policies reference
	Groups                         = "groups"                         // groups referenced by CA policies, role assignments, config
	GroupMembers                   = "groupMembers"                   // [{id: groupId, members: [...], owners: [...]}] exclusion groups only
	AdministrativeUnits            = "administrativeUnits"            // [{id, displayName, isMemberManagementRestricted, members: [...]}]
	SignIns                        = "signIns"                        // auditLogs/signIns of declared accounts in the look-back window
	ApplicationOwnership           = "ownedObjects"                   // [{id: userId, ownedObjects: [...]}] declared accounts
	Candidates                     = "candidates"                     // [{id: userId, reasons: [...]}] undeclared break-glass candidates (BG-INV-004); its status says whether discovery was complete

	// Issue 13 (2026 emergency-access guidance)
	RoleManagementPolicyAssignments = "roleManagementPolicyAssignments"   // PIM role settings of Global / Privileged Role Administrator and allowed roles, policy($expand=rules), plus approverUsers / approverGroups
	MonitorAlerts                   = "monitorAlerts"                     // ARM Microsoft.AlertsManagement/alerts of the sign-in alert rules, last 30 days
	AccessReviewDefinitions         = "accessReviewDefinitions"           // identityGovernance/accessReviews/definitions
	LifecycleWorkflows              = "lifecycleWorkflows"                // identityGovernance/lifecycleWorkflows/workflows, each with its tasks
	GroupLifecyclePolicies          = "groupLifecyclePolicies"            // groupLifecyclePolicies; "Selected" ones with `groups`: the exclusion groups they apply to
	CertificateBasedAuthConfig      = "certificateBasedAuthConfiguration" // organization/{id}/certificateBasedAuthConfiguration: trusted certificate authorities

	// Azure Resource Manager
	Subscriptions                       = "subscriptions"
	ARMRoleAssignments                  = "armRoleAssignments"
	ARMRoleEligibilityScheduleInstances = "armRoleEligibilityScheduleInstances"
	DiagnosticSettings                  = "diagnosticSettings" // providers/microsoft.aadiam/diagnosticSettings
	ScheduledQueryRules                 = "scheduledQueryRules"
	ActionGroups                        = "actionGroups"
	KeyVaults                           = "keyVaults"

	// Key Vault data plane (attributes only; values are never read)
	KeyVaultSecrets = "keyVaultSecrets" // [{id: secret URI, versions: [{id, attributes}]}]
)

// Names lists every data set a v1 snapshot may carry, sorted.
var Names = sortedNames()

func sortedNames() []string {
	names := []string{
		Organization, Domains, RoleDefinitions, RoleAssignments, RoleAssignmentSchedules,
		RoleEligibilitySchedules, Users, SignInActivity, AuthenticationMethods, TransitiveMemberOf,
		AuthenticationMethodsPolicy, ConditionalAccessPolicies, NamedLocations,
		AuthenticationStrengthPolicies, DirectoryObjects, Groups, GroupMembers, AdministrativeUnits,
		SignIns, ApplicationOwnership, Candidates, Subscriptions, ARMRoleAssignments,
		ARMRoleEligibilityScheduleInstances, DiagnosticSettings, ScheduledQueryRules, ActionGroups,
		KeyVaults, KeyVaultSecrets,
		RoleManagementPolicyAssignments, MonitorAlerts, AccessReviewDefinitions, LifecycleWorkflows,
		GroupLifecyclePolicies, CertificateBasedAuthConfig,
	}
	sortStrings(names)
	return names
}
