package collector

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
)

// permissions names, per data set, what to grant when it comes back 403.
var permissions = map[string]string{
	snapshot.Organization:                        "the Microsoft Graph application permission Organization.Read.All (or Directory.Read.All)",
	snapshot.Domains:                             "the Microsoft Graph application permission Domain.Read.All (or Directory.Read.All)",
	snapshot.RoleDefinitions:                     "the Microsoft Graph application permission RoleManagement.Read.Directory",
	snapshot.RoleAssignments:                     "the Microsoft Graph application permission RoleManagement.Read.Directory",
	snapshot.RoleAssignmentSchedules:             "the Microsoft Graph application permission RoleAssignmentSchedule.Read.Directory (or RoleManagement.Read.Directory)",
	snapshot.RoleEligibilitySchedules:            "the Microsoft Graph application permission RoleEligibilitySchedule.Read.Directory (or RoleManagement.Read.Directory)",
	snapshot.Users:                               "the Microsoft Graph application permission User.Read.All",
	snapshot.SignInActivity:                      "the Microsoft Graph application permission AuditLog.Read.All (signInActivity also needs User.Read.All)",
	snapshot.AuthenticationMethods:               "the Microsoft Graph application permission UserAuthenticationMethod.Read.All",
	snapshot.TransitiveMemberOf:                  "the Microsoft Graph application permission Directory.Read.All (or GroupMember.Read.All + RoleManagement.Read.Directory + AdministrativeUnit.Read.All)",
	snapshot.AuthenticationMethodsPolicy:         "the Microsoft Graph application permission Policy.Read.AuthenticationMethod (or Policy.Read.All)",
	snapshot.ConditionalAccessPolicies:           "the Microsoft Graph application permission Policy.Read.All",
	snapshot.NamedLocations:                      "the Microsoft Graph application permission Policy.Read.All",
	snapshot.AuthenticationStrengthPolicies:      "the Microsoft Graph application permission Policy.Read.All",
	snapshot.DirectoryObjects:                    "the Microsoft Graph application permission Directory.Read.All",
	snapshot.Groups:                              "the Microsoft Graph application permission Directory.Read.All (groups are resolved with directoryObjects/getByIds)",
	snapshot.GroupMembers:                        "the Microsoft Graph application permission GroupMember.Read.All (or Directory.Read.All)",
	snapshot.AdministrativeUnits:                 "the Microsoft Graph application permission AdministrativeUnit.Read.All (or Directory.Read.All)",
	snapshot.SignIns:                             "the Microsoft Graph application permission AuditLog.Read.All (plus Directory.Read.All)",
	snapshot.ApplicationOwnership:                "the Microsoft Graph application permission Directory.Read.All",
	snapshot.Subscriptions:                       "the Azure role Reader on each configured subscription",
	snapshot.ARMRoleAssignments:                  "the Azure role Reader on each configured subscription (Microsoft.Authorization/roleAssignments/read)",
	snapshot.ARMRoleEligibilityScheduleInstances: "the Azure role Reader on each configured subscription (Microsoft.Authorization/roleEligibilityScheduleInstances/read)",
	snapshot.DiagnosticSettings:                  "read access to Entra diagnostic settings (microsoft.aadiam/diagnosticSettings/read: the Entra role Security Reader or Global Reader for the collecting identity)",
	snapshot.ScheduledQueryRules:                 "the Azure role Monitoring Reader (or Reader) on the subscriptions that hold the alert rules",
	snapshot.ActionGroups:                        "the Azure role Monitoring Reader (or Reader) on the subscriptions that hold the action groups",
	snapshot.KeyVaults:                           "the Azure role Reader on the subscription that holds the vault",
	snapshot.KeyVaultSecrets:                     "list access to secret metadata: the Azure role Key Vault Reader on the vault (RBAC) or the `list` secret permission (access policy); secret values are never read",
}

// classify maps a request error to a data-set status and a message that
// says what happened and what to do.
func classify(name string, err error) (snapshot.Status, string) {
	var ae *apiError
	var me *malformedError
	var te *timeoutError
	var he hostileError
	switch {
	case errors.As(err, &he):
		// Checked first: a refused link or body is the cause, whatever
		// error the SDK wrapped around it.
		return snapshot.StatusError, he.Error()
	case errors.As(err, &ae):
		code := ae.Code
		switch {
		case isLicenceCode(code):
			return snapshot.StatusUnlicensed, fmt.Sprintf("%s; the tenant lacks the licence this data needs (Microsoft Entra ID P1, or P2 for PIM schedules)", ae.Error())
		case ae.Status == 401:
			return snapshot.StatusForbidden, fmt.Sprintf("%s; the token was not accepted for this API: check the token audience and tenant (with --auth token, the token must be valid for every endpoint)", ae.Error())
		case ae.Status == 403:
			hint := permissions[name]
			if hint == "" {
				hint = "the missing permission"
			}
			return snapshot.StatusForbidden, fmt.Sprintf("%s; grant %s", ae.Error(), hint)
		case ae.Status == 429 || ae.Status == 503 || ae.Status == 504:
			return snapshot.StatusThrottled, fmt.Sprintf("%s; still throttled after the retries: run again later or lower --concurrency", ae.Error())
		}
		return snapshot.StatusError, ae.Error()
	case errors.As(err, &te):
		return snapshot.StatusError, te.Error()
	case errors.As(err, &me):
		return snapshot.StatusError, me.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return snapshot.StatusError, "the collection ran out of time (--timeout)"
	case errors.Is(err, context.Canceled):
		return snapshot.StatusError, "the collection was cancelled"
	}
	return snapshot.StatusError, err.Error()
}

func isLicenceCode(code string) bool {
	return code == "Authentication_RequestFromNonPremiumTenantOrB2CTenant" ||
		strings.Contains(code, "LicenseRequired") || strings.Contains(code, "NonPremiumTenant")
}

func isNotFound(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.Status == 404
}

func statusOf(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}
