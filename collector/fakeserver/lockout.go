package fakeserver

// Graph and ARM routes for the issue-13 data sets (Microsoft's 2026
// emergency-access guidance). graph() and arm() try these first.

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
)

var roleDefinitionFilter = regexp.MustCompile(`(?i)roleDefinitionId eq '([^']+)'`)

// lockoutGraph serves the issue-13 Graph routes; it reports whether it
// handled the request. lower holds the lower-cased path segments.
func (s *Server) lockoutGraph(w http.ResponseWriter, r *http.Request, segs, lower []string) bool {
	t := s.Tenant
	q := r.URL.Query()
	switch {
	case len(lower) == 2 && lower[0] == "policies" && lower[1] == "rolemanagementpolicyassignments":
		// Graph requires the scope filter on this collection.
		f := q.Get("$filter")
		if !strings.Contains(f, "scopeId eq '/'") || !strings.Contains(f, "scopeType eq 'DirectoryRole'") {
			s.writeError(w, r, "graph", 400, "BadRequest", "The filter 'scopeId eq '/' and scopeType eq 'DirectoryRole'' is required.", "")
			return true
		}
		role := ""
		if m := roleDefinitionFilter.FindStringSubmatch(f); m != nil {
			role = strings.ToLower(m[1])
		}
		expand := strings.Contains(strings.ReplaceAll(q.Get("$expand"), " ", ""), "policy($expand=rules)")
		var out []Obj
		for _, a := range t.RoleManagementPolicyAssignments {
			if role != "" && strings.ToLower(str(a, "roleDefinitionId")) != role {
				continue
			}
			c := Obj{}
			for k, v := range a {
				if k == "policy" && !expand {
					continue
				}
				c[k] = v
			}
			out = append(out, c)
		}
		s.graphList(w, r, out, nil)
		return true
	case len(lower) == 3 && lower[0] == "identitygovernance" && lower[1] == "accessreviews" && lower[2] == "definitions":
		s.graphList(w, r, t.AccessReviewDefinitions, nil)
		return true
	case len(lower) == 3 && lower[0] == "identitygovernance" && lower[1] == "lifecycleworkflows" && lower[2] == "workflows":
		var out []Obj
		for _, wf := range t.LifecycleWorkflows {
			c := Obj{}
			for k, v := range wf {
				if k != "tasks" { // a relationship: listed per workflow
					c[k] = v
				}
			}
			out = append(out, c)
		}
		s.graphList(w, r, out, nil)
		return true
	case len(lower) == 5 && lower[0] == "identitygovernance" && lower[1] == "lifecycleworkflows" && lower[2] == "workflows" && lower[4] == "tasks":
		for _, wf := range t.LifecycleWorkflows {
			if strings.EqualFold(str(wf, "id"), segs[3]) {
				var tasks []Obj
				list, _ := wf["tasks"].([]any)
				for _, x := range list {
					tasks = append(tasks, x.(map[string]any))
				}
				s.graphList(w, r, tasks, nil)
				return true
			}
		}
		s.writeError(w, r, "graph", 404, "ResourceNotFound", "Workflow "+segs[3]+" not found.", "")
		return true
	case len(lower) == 3 && lower[0] == "organization" && lower[2] == "certificatebasedauthconfiguration":
		if !strings.EqualFold(segs[1], t.TenantID) {
			s.writeError(w, r, "graph", 404, "Request_ResourceNotFound", "Resource '"+segs[1]+"' does not exist.", "")
			return true
		}
		s.graphList(w, r, t.CertificateBasedAuthConfiguration, nil)
		return true
	case len(lower) == 1 && lower[0] == "grouplifecyclepolicies":
		s.graphList(w, r, groupPolicies(t.GroupLifecyclePolicies, ""), nil)
		return true
	case len(lower) == 3 && lower[0] == "groups" && lower[2] == "grouplifecyclepolicies":
		if _, kind, ok := t.object(segs[1]); !ok || kind != "group" {
			s.writeError(w, r, "graph", 404, "Request_ResourceNotFound", "Resource '"+segs[1]+"' does not exist or one of its queried reference-property objects are not present.", "")
			return true
		}
		s.graphList(w, r, groupPolicies(t.GroupLifecyclePolicies, lower[1]), nil)
		return true
	case len(lower) == 4 && lower[0] == "groups" && lower[2] == "transitivemembers":
		g, kind, ok := t.object(segs[1])
		if !ok || kind != "group" {
			s.writeError(w, r, "graph", 404, "Request_ResourceNotFound", "Resource '"+segs[1]+"' does not exist or one of its queried reference-property objects are not present.", "")
			return true
		}
		if len(lower) == 4 && !strings.HasSuffix(lower[3], ".user") {
			s.writeError(w, r, "graph", 400, "BadRequest", "Unsupported type cast "+segs[3], "")
			return true
		}
		var users []Obj
		for _, id := range t.transitiveMembers(str(g, "id")) {
			if o, kind, ok := t.object(id); ok && kind == "user" {
				users = append(users, typed(o, "user"))
			}
		}
		s.graphList(w, r, users, nil)
		return true
	}
	return false
}

// transitiveMembers returns the ids of a group's members at any depth.
func (t *Tenant) transitiveMembers(gid string) []string {
	byGroup := map[string][]string{}
	for g, ms := range t.GroupMembers {
		byGroup[strings.ToLower(g)] = ms
	}
	seen := map[string]bool{strings.ToLower(gid): true}
	var out []string
	queue := []string{strings.ToLower(gid)}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, m := range byGroup[cur] {
			m = strings.ToLower(m)
			if seen[m] {
				continue
			}
			seen[m] = true
			out = append(out, m)
			queue = append(queue, m)
		}
	}
	slices.Sort(out)
	return out
}

// lockoutARM serves the issue-13 ARM routes for subscription sub (rest is
// the lower-cased path below the subscription); it reports whether it
// handled the request.
func (s *Server) lockoutARM(w http.ResponseWriter, r *http.Request, sub, rest string) bool {
	if rest != "/providers/microsoft.alertsmanagement/alerts" {
		return false
	}
	q := r.URL.Query()
	rule := q.Get("alertRule")
	if rule == "" {
		s.violation("listed every alert of subscription %s: ask per alert rule (alertRule=)", sub)
	}
	if q.Get("timeRange") == "" {
		s.violation("listed alerts without timeRange: %s", r.URL.RawQuery)
	}
	var out []Obj
	for _, a := range s.Tenant.MonitorAlerts[sub] {
		ess, _ := a["properties"].(map[string]any)["essentials"].(map[string]any)
		if rule == "" || strings.EqualFold(str(ess, "alertRule"), rule) {
			out = append(out, a)
		}
	}
	s.page(w, r, armContentType, "nextLink", len(out), func(i int) Obj { return out[i] }, nil)
	return true
}

// groupPolicies returns group expiration policies as Graph shows them
// (without the fixture-only `groups`); with gid, only those that apply to
// that group (All, or Selected listing it).
func groupPolicies(policies []Obj, gid string) []Obj {
	var out []Obj
	for _, p := range policies {
		if gid != "" && !strings.EqualFold(str(p, "managedGroupTypes"), "All") {
			groups, _ := p["groups"].([]any)
			found := false
			for _, g := range groups {
				if s, _ := g.(string); strings.EqualFold(s, gid) {
					found = true
				}
			}
			if !found {
				continue
			}
		}
		c := Obj{}
		for k, v := range p {
			if k != "groups" {
				c[k] = v
			}
		}
		out = append(out, c)
	}
	return out
}
