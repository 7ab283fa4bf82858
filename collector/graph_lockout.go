package collector

// Data sets for the issue-13 rules (Microsoft's 2026 emergency-access
// guidance) read from Microsoft Graph. Kept apart from collect.go: the run
// calls collectLockoutGraph once, beside the other phase-1 Graph reads.

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/config"
)

// Role template ids whose PIM settings BG-PRIV-005 judges (plus the
// configured allowedRoles).
const (
	globalAdministratorTemplate         = "62e90394-69f5-4237-9190-012177145e10"
	privilegedRoleAdministratorTemplate = "e8611ab8-c189-46e8-94e1-60213ab1f814"
)

func init() {
	permissions[snapshot.CertificateBasedAuthConfig] = "the Microsoft Graph application permission Organization.Read.All"
	permissions[snapshot.AccessReviewDefinitions] = "the Microsoft Graph application permission AccessReview.Read.All"
	permissions[snapshot.LifecycleWorkflows] = "the Microsoft Graph application permission LifecycleWorkflows.Read.All"
	permissions[snapshot.GroupLifecyclePolicies] = "the Microsoft Graph application permission Directory.Read.All"
	permissions[snapshot.RoleManagementPolicyAssignments] = "the Microsoft Graph application permission RoleManagementPolicy.Read.Directory (approvers named in the role settings also need User.Read.All and GroupMember.Read.All)"
}

// collectLockoutGraph reads the issue-13 Graph data sets.
func (r *run) collectLockoutGraph(ctx context.Context) {
	r.collectRoleManagementPolicies(ctx)
	r.simpleList(ctx, snapshot.AccessReviewDefinitions, "/identityGovernance/accessReviews/definitions", url.Values{"$top": {"100"}}, nil)
	r.collectLifecycleWorkflows(ctx)
	r.collectGroupLifecyclePolicies(ctx)
	r.collectCBAConfiguration(ctx)
}

// collectCBAConfiguration reads the certificate authorities trusted for
// certificate-based authentication: GET
// /organization/{id}/certificateBasedAuthConfiguration (BG-AUTH-006).
func (r *run) collectCBAConfiguration(ctx context.Context) {
	d := r.ds(snapshot.CertificateBasedAuthConfig)
	defer r.finish(d)
	org := r.sets[snapshot.Organization]
	org.mu.Lock()
	var orgID string
	if org.status == snapshot.StatusOK && len(org.items) > 0 {
		if o, ok := org.items[0].(map[string]any); ok {
			orgID = str(o, "id")
		}
	}
	org.mu.Unlock()
	// The organization's id is the tenant id: fall back to the one the
	// run was given when /organization could not be read.
	for _, id := range []string{r.o.TenantID, r.cfg.TenantID} {
		if orgID == "" && config.IsGUID(id) {
			orgID = id
		}
	}
	if orgID == "" {
		d.failWith(snapshot.StatusError, "not collected: organization could not be read, and its id names the configuration")
		return
	}
	items, _, err := r.graph.list(r.ctx(ctx, d), graphRequest{path: "/organization/" + url.PathEscape(orgID) + "/certificateBasedAuthConfiguration"}, 0)
	d.addAll(items, err)
}

// collectLifecycleWorkflows lists Lifecycle Workflows and, for each, its
// tasks (GET .../workflows/{id}/tasks): BG-INV-005 looks for tasks that
// disable, delete or ungroup users.
func (r *run) collectLifecycleWorkflows(ctx context.Context) {
	d := r.ds(snapshot.LifecycleWorkflows)
	defer r.finish(d)
	c := r.ctx(ctx, d)
	const base = "/identityGovernance/lifecycleWorkflows/workflows"
	items, _, err := r.graph.list(c, graphRequest{path: base}, 0)
	if err != nil {
		d.fail(err)
		return
	}
	for _, w := range items {
		tasks, _, err := r.graph.list(c, graphRequest{path: base + "/" + url.PathEscape(str(w, "id")) + "/tasks"}, 0)
		if err != nil {
			d.fail(err)
			return
		}
		w["tasks"] = sortItems(toAny(tasks))
		d.add(w)
	}
}

// collectGroupLifecyclePolicies lists group expiration policies; when one
// applies to selected groups only, each exclusion group is asked which
// policies apply to it (GET /groups/{id}/groupLifecyclePolicies) and the
// policy records those groups in `groups`.
func (r *run) collectGroupLifecyclePolicies(ctx context.Context) {
	d := r.ds(snapshot.GroupLifecyclePolicies)
	defer r.finish(d)
	c := r.ctx(ctx, d)
	items, _, err := r.graph.list(c, graphRequest{path: "/groupLifecyclePolicies"}, 0)
	if err != nil {
		d.fail(err)
		return
	}
	selected := map[string]map[string]any{}
	for _, p := range items {
		if strings.EqualFold(str(p, "managedGroupTypes"), "Selected") {
			p["groups"] = []any{}
			selected[strings.ToLower(str(p, "id"))] = p
		}
	}
	if len(selected) > 0 {
		for _, gid := range dedupe(r.cfg.ExclusionGroups) {
			applied, _, err := r.graph.list(c, graphRequest{path: "/groups/" + url.PathEscape(gid) + "/groupLifecyclePolicies"}, 0)
			if isNotFound(err) {
				continue // BG-CA-004 reports a missing exclusion group
			}
			if err != nil {
				d.fail(err)
				return
			}
			for _, a := range applied {
				if p, ok := selected[strings.ToLower(str(a, "id"))]; ok {
					p["groups"] = append(p["groups"].([]any), strings.ToLower(gid))
				}
			}
		}
	}
	for _, p := range items {
		d.add(p)
	}
}

// collectRoleManagementPolicies reads the PIM role settings of Global
// Administrator, Privileged Role Administrator and the allowed roles:
// GET /policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and
// scopeType eq 'DirectoryRole' and roleDefinitionId eq '{id}'
// &$expand=policy($expand=rules), one request (with paging) per role. The
// users and groups named as approvers are read too (approverUsers,
// approverGroups), so BG-PRIV-005 can tell whether an approver can act.
func (r *run) collectRoleManagementPolicies(ctx context.Context) {
	d := r.ds(snapshot.RoleManagementPolicyAssignments)
	defer r.finish(d)
	c := r.ctx(ctx, d)
	roles := []string{globalAdministratorTemplate, privilegedRoleAdministratorTemplate}
	for _, role := range r.cfg.AllowedRoles {
		roles = append(roles, strings.ToLower(role))
	}
	users := map[string]map[string]any{}
	groups := map[string]map[string]any{}
	for _, role := range dedupe(roles) {
		q := url.Values{
			"$filter": {fmt.Sprintf("scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '%s'", role)},
			"$expand": {"policy($expand=rules)"},
		}
		items, _, err := r.graph.list(c, graphRequest{path: "/policies/roleManagementPolicyAssignments", query: q}, 0)
		if err != nil {
			d.fail(err)
			return
		}
		for _, it := range items {
			uids, gids := approverRefs(it)
			var au, ag []any
			for _, uid := range uids {
				u, err := r.approverUser(c, users, uid)
				if err != nil {
					d.fail(err)
					return
				}
				au = append(au, u)
			}
			for _, gid := range gids {
				g, err := r.approverGroup(c, groups, gid)
				if err != nil {
					d.fail(err)
					return
				}
				ag = append(ag, g)
			}
			it["approverUsers"] = sortItems(au)
			it["approverGroups"] = sortItems(ag)
			d.add(it)
		}
	}
}

// approverRefs lists the user and group ids an assignment's approval rule
// names (primary and escalation approvers of every stage).
func approverRefs(assignment map[string]any) (users, groups []string) {
	policy, _ := assignment["policy"].(map[string]any)
	rules, _ := policy["rules"].([]any)
	for _, raw := range rules {
		rule, _ := raw.(map[string]any)
		if str(rule, "id") != "Approval_EndUser_Assignment" {
			continue
		}
		setting, _ := rule["setting"].(map[string]any)
		stages, _ := setting["approvalStages"].([]any)
		for _, rs := range stages {
			stage, _ := rs.(map[string]any)
			for _, key := range []string{"primaryApprovers", "escalationApprovers"} {
				list, _ := stage[key].([]any)
				for _, ra := range list {
					ap, _ := ra.(map[string]any)
					switch strings.TrimPrefix(str(ap, "@odata.type"), "#microsoft.graph.") {
					case "singleUser":
						if id := str(ap, "userId"); id != "" {
							users = append(users, strings.ToLower(id))
						}
					case "groupMembers":
						if id := str(ap, "groupId"); id != "" {
							groups = append(groups, strings.ToLower(id))
						}
					}
				}
			}
		}
	}
	return dedupe(users), dedupe(groups)
}

// approverUser reads one approver (cached): {id, userPrincipalName,
// accountEnabled}, or {id, deleted: true} when Graph answers 404.
func (r *run) approverUser(ctx context.Context, cache map[string]map[string]any, id string) (map[string]any, error) {
	if u, ok := cache[id]; ok {
		return u, nil
	}
	u, err := r.graph.get(ctx, "/users/"+url.PathEscape(id), url.Values{"$select": {"id,userPrincipalName,accountEnabled"}})
	switch {
	case isNotFound(err):
		u = map[string]any{"id": id, "deleted": true}
	case err != nil:
		return nil, err
	}
	cache[id] = u
	return u, nil
}

// approverGroup reads an approver group's transitive user members
// (cached): {id, members: [{id, userPrincipalName, accountEnabled}]}.
func (r *run) approverGroup(ctx context.Context, cache map[string]map[string]any, id string) (map[string]any, error) {
	if g, ok := cache[id]; ok {
		return g, nil
	}
	members, _, err := r.graph.list(ctx, graphRequest{path: "/groups/" + url.PathEscape(id) + "/transitiveMembers/microsoft.graph.user",
		query: url.Values{"$select": {"id,userPrincipalName,accountEnabled"}, "$top": {"999"}, "$count": {"true"}}, headers: eventual}, 0)
	g := map[string]any{"id": id}
	switch {
	case isNotFound(err):
		g["deleted"] = true
		g["members"] = []any{}
	case err != nil:
		return nil, err
	default:
		g["members"] = sortItems(toAny(members))
	}
	cache[id] = g
	return g, nil
}
