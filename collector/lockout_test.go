package collector_test

import (
	"strings"
	"testing"

	"github.com/breakglass-dev/breakglass/collector"
	"github.com/breakglass-dev/breakglass/collector/fakeserver"
	"github.com/breakglass-dev/breakglass/collector/snapshot"
)

const (
	gaPolicy  = "DirectoryRole_11111111-1111-4111-8111-111111111111_ga_62e90394-69f5-4237-9190-012177145e10"
	praPolicy = "DirectoryRole_11111111-1111-4111-8111-111111111111_pra_e8611ab8-c189-46e8-94e1-60213ab1f814"
)

// TestRoleManagementPolicies: the PIM role settings of Global and
// Privileged Role Administrator, with rules expanded and the approvers
// read (the approver group's members span two pages).
func TestRoleManagementPolicies(t *testing.T) {
	srv := newServer(t)
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	r.requireStatus(t, nil)
	if got := r.ids(snapshot.RoleManagementPolicyAssignments); !equal(got, []string{gaPolicy, praPolicy}) {
		t.Fatalf("roleManagementPolicyAssignments = %v", got)
	}
	ga := r.item(snapshot.RoleManagementPolicyAssignments, gaPolicy)
	rules, _ := ga["policy"].(map[string]any)["rules"].([]any)
	if len(rules) != 2 {
		t.Errorf("GA policy rules = %v (want them expanded)", ga["policy"])
	}
	users := ga["approverUsers"].([]any)
	if len(users) != 1 || users[0].(map[string]any)["id"] != frank || users[0].(map[string]any)["accountEnabled"] != true {
		t.Errorf("approverUsers = %v", users)
	}
	groups := ga["approverGroups"].([]any)
	if len(groups) != 1 || len(groups[0].(map[string]any)["members"].([]any)) != 3 {
		t.Errorf("approverGroups = %v (three members over two pages)", groups)
	}
	if pra := r.item(snapshot.RoleManagementPolicyAssignments, praPolicy); len(pra["approverUsers"].([]any)) != 0 {
		t.Errorf("PRA approverUsers = %v", pra["approverUsers"])
	}
	expanded := 0
	for _, req := range srv.Requests() {
		if strings.Contains(req, "/policies/roleManagementPolicyAssignments") {
			if !strings.Contains(req, "$expand=policy($expand=rules)") || !strings.Contains(req, "scopeType eq 'DirectoryRole'") {
				t.Errorf("request without the scope filter or the rules expansion: %s", req)
			}
			expanded++
		}
	}
	if expanded != 2 {
		t.Errorf("%d roleManagementPolicyAssignments requests, want one per role (2)", expanded)
	}
}

func TestRoleManagementPoliciesFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fault  fakeserver.Fault
		status string
		msg    string
	}{
		{"forbidden", fakeserver.Fault{Path: "/policies/roleManagementPolicyAssignments", Status: 403, Code: "Authorization_RequestDenied", Message: "Insufficient privileges to complete the operation."}, "forbidden", "RoleManagementPolicy.Read.Directory"},
		{"unlicensed", fakeserver.Fault{Path: "/policies/roleManagementPolicyAssignments", Status: 403, Code: "AadPremiumLicenseRequired", Message: "The tenant needs an AAD Premium 2 license."}, "unlicensed", "licence"},
		{"throttled", fakeserver.Fault{Path: "/policies/roleManagementPolicyAssignments", Status: 429, Code: "TooManyRequests", RetryAfter: "0"}, "throttled", "throttled"},
		{"malformed", fakeserver.Fault{Path: "/policies/roleManagementPolicyAssignments", Garbage: true}, "error", "malformed"},
		{"approver group on a later page", fakeserver.Fault{Path: "/groups/22222222-0000-4000-8000-000000000005/transitiveMembers", Query: "$skiptoken", Status: 403, Code: "Authorization_RequestDenied", Message: "Insufficient privileges"}, "forbidden", "GroupMember.Read.All"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t)
			f := tc.fault
			srv.AddFault(&f)
			r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), func(o *collector.Options) { o.MaxRetries = 1 })
			r.requireStatus(t, map[string]string{snapshot.RoleManagementPolicyAssignments: tc.status})
			if msg := r.message(snapshot.RoleManagementPolicyAssignments); !strings.Contains(msg, tc.msg) {
				t.Errorf("message %q does not say %q", msg, tc.msg)
			}
		})
	}
}

// A deleted approver is recorded, not an error: BG-PRIV-005 judges it.
func TestRoleManagementPoliciesDeletedApprover(t *testing.T) {
	srv := newServer(t)
	srv.AddFault(&fakeserver.Fault{Path: "/users/" + frank, Status: 404, Code: "Request_ResourceNotFound", Message: "Resource does not exist."})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	if st := r.status(snapshot.RoleManagementPolicyAssignments); st != "ok" {
		t.Fatalf("status %s: %s", st, r.message(snapshot.RoleManagementPolicyAssignments))
	}
	u := r.item(snapshot.RoleManagementPolicyAssignments, gaPolicy)["approverUsers"].([]any)[0].(map[string]any)
	if u["deleted"] != true {
		t.Errorf("approver = %v, want deleted", u)
	}
}

// TestMonitorAlerts: the alerts of the sign-in alert rule over the last
// 30 days, asked for per rule (three alerts over two pages; another
// rule's alert is not read).
func TestMonitorAlerts(t *testing.T) {
	srv := newServer(t)
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	r.requireStatus(t, nil)
	got := r.ids(snapshot.MonitorAlerts)
	if len(got) != 3 {
		t.Fatalf("monitorAlerts = %v, want the three alerts of bg-signin-alert", got)
	}
	for _, a := range r.items(snapshot.MonitorAlerts) {
		ess := a["properties"].(map[string]any)["essentials"].(map[string]any)
		if !strings.HasSuffix(ess["alertRule"].(string), "/bg-signin-alert") {
			t.Errorf("alert of another rule collected: %v", ess["alertRule"])
		}
	}
	n := 0
	for _, req := range srv.Requests() {
		if strings.Contains(strings.ToLower(req), "microsoft.alertsmanagement/alerts") {
			n++
			if !strings.Contains(req, "timeRange=30d") || !strings.Contains(req, "alertRule=") {
				t.Errorf("alerts request without alertRule/timeRange: %s", req)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d alerts requests, want 2 (one rule, two pages)", n)
	}
}

func TestMonitorAlertsFailures(t *testing.T) {
	const path = "/subscriptions/66666666-0000-4000-8000-000000000002/providers/Microsoft.AlertsManagement"
	for _, tc := range []struct {
		name   string
		fault  fakeserver.Fault
		status string
		msg    string
	}{
		{"forbidden", fakeserver.Fault{Path: path, Status: 403, Code: "AuthorizationFailed", Message: "does not have authorization to perform action 'Microsoft.AlertsManagement/alerts/read'"}, "forbidden", "Monitoring Reader"},
		{"throttled", fakeserver.Fault{Path: path, Status: 429, Code: "TooManyRequests", RetryAfter: "0"}, "throttled", "throttled"},
		{"malformed later page", fakeserver.Fault{Path: path, Query: "$skiptoken", Garbage: true}, "error", "malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t)
			f := tc.fault
			srv.AddFault(&f)
			r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), func(o *collector.Options) { o.MaxRetries = 1 })
			r.requireStatus(t, map[string]string{snapshot.MonitorAlerts: tc.status})
			if msg := r.message(snapshot.MonitorAlerts); !strings.Contains(msg, tc.msg) {
				t.Errorf("message %q does not say %q", msg, tc.msg)
			}
		})
	}
	// Without the alert rules, which alerts matter is unknown: error.
	srv := newServer(t)
	srv.AddFault(&fakeserver.Fault{Path: "/subscriptions/66666666-0000-4000-8000-000000000002/providers/Microsoft.Insights/scheduledQueryRules", Status: 403, Code: "AuthorizationFailed"})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	r.requireStatus(t, map[string]string{snapshot.ScheduledQueryRules: "forbidden", snapshot.MonitorAlerts: "error"})
}

// TestCleanUpDataSets: access reviews (two pages), lifecycle workflows with
// their tasks (two pages), group expiration policies with the exclusion
// groups a Selected policy applies to.
func TestCleanUpDataSets(t *testing.T) {
	srv := newServer(t)
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	r.requireStatus(t, nil)
	if n := len(r.items(snapshot.AccessReviewDefinitions)); n != 3 {
		t.Errorf("accessReviewDefinitions: %d items, want 3", n)
	}
	wf := r.items(snapshot.LifecycleWorkflows)
	if len(wf) != 1 || len(wf[0]["tasks"].([]any)) != 3 {
		t.Errorf("lifecycleWorkflows = %v, want one workflow with its 3 tasks", wf)
	}
	gp := r.items(snapshot.GroupLifecyclePolicies)
	if len(gp) != 1 || len(gp[0]["groups"].([]any)) != 0 {
		t.Errorf("groupLifecyclePolicies = %v, want the Selected policy applying to no exclusion group", gp)
	}
	for _, tc := range []struct {
		path, name, msg string
	}{
		{"/identityGovernance/accessReviews/definitions", snapshot.AccessReviewDefinitions, "AccessReview.Read.All"},
		{"/identityGovernance/lifecycleWorkflows/workflows/1f000000-0000-4000-8000-000000000001/tasks", snapshot.LifecycleWorkflows, "LifecycleWorkflows.Read.All"},
		{"/groupLifecyclePolicies", snapshot.GroupLifecyclePolicies, "Directory.Read.All"},
	} {
		srv := newServer(t)
		srv.AddFault(&fakeserver.Fault{Path: tc.path, Status: 403, Code: "Authorization_RequestDenied", Message: "Insufficient privileges to complete the operation."})
		r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
		r.requireStatus(t, map[string]string{tc.name: "forbidden"})
		if msg := r.message(tc.name); !strings.Contains(msg, tc.msg) {
			t.Errorf("%s message %q does not name %s", tc.name, msg, tc.msg)
		}
	}
	// Entra ID Governance missing: unlicensed, the rest of the run goes on.
	srv2 := newServer(t)
	srv2.AddFault(&fakeserver.Fault{Path: "/identityGovernance/lifecycleWorkflows", Status: 403, Code: "AadPremiumLicenseRequired", Message: "Lifecycle Workflows need Microsoft Entra ID Governance."})
	r2 := collect(t, srv2, loadConfig(t, srv2, "breakglass.yaml"), nil)
	r2.requireStatus(t, map[string]string{snapshot.LifecycleWorkflows: "unlicensed"})
}

// TestCBAConfiguration: the trusted certificate authorities, read under
// the organization's id; without the organization, the data set is error.
func TestCBAConfiguration(t *testing.T) {
	srv := newServer(t)
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	r.requireStatus(t, nil)
	cfg := r.items(snapshot.CertificateBasedAuthConfig)
	if len(cfg) != 1 || len(cfg[0]["certificateAuthorities"].([]any)) != 2 {
		t.Errorf("certificateBasedAuthConfiguration = %v", cfg)
	}
	srv2 := newServer(t)
	srv2.AddFault(&fakeserver.Fault{Path: "/organization/11111111-1111-4111-8111-111111111111/certificateBasedAuthConfiguration", Status: 403, Code: "Authorization_RequestDenied", Message: "Insufficient privileges to complete the operation."})
	r2 := collect(t, srv2, loadConfig(t, srv2, "breakglass.yaml"), nil)
	r2.requireStatus(t, map[string]string{snapshot.CertificateBasedAuthConfig: "forbidden"})
	if msg := r2.message(snapshot.CertificateBasedAuthConfig); !strings.Contains(msg, "Organization.Read.All") {
		t.Errorf("message = %s", msg)
	}
	srv3 := newServer(t)
	srv3.AddFault(&fakeserver.Fault{Path: "/organization", Status: 403, Code: "Authorization_RequestDenied", Message: "Insufficient privileges to complete the operation."})
	r3 := collect(t, srv3, loadConfig(t, srv3, "breakglass.yaml"), nil)
	if st := r3.status(snapshot.CertificateBasedAuthConfig); st != "forbidden" && st != "error" {
		t.Errorf("certificateBasedAuthConfiguration without the organization = %s, want forbidden or error", st)
	}
}
