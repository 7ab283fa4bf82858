package fakeserver

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// graph routes a Microsoft Graph v1.0 request (path without /v1.0).
func (s *Server) graph(w http.ResponseWriter, r *http.Request, path string, body []byte) {
	t := s.Tenant
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i := range segs {
		segs[i], _ = url.PathUnescape(segs[i])
	}
	lower := make([]string, len(segs))
	for i, sg := range segs {
		lower[i] = strings.ToLower(sg)
	}
	is := func(parts ...string) bool {
		if len(parts) != len(lower) {
			return false
		}
		for i, p := range parts {
			if p != "*" && p != strings.ToLower(lower[i]) {
				return false
			}
		}
		return true
	}
	q := r.URL.Query()
	// OData casts on directory object collections are advanced queries:
	// ConsistencyLevel: eventual and $count=true are required.
	if last := lower[len(lower)-1]; len(lower) > 2 && (strings.HasPrefix(last, "microsoft.graph.") || strings.HasPrefix(last, "graph.")) &&
		(r.Header.Get("ConsistencyLevel") != "eventual" || q.Get("$count") != "true") {
		s.writeError(w, r, "graph", 400, "Request_UnsupportedQuery", "The OData cast "+segs[len(segs)-1]+" needs the ConsistencyLevel: eventual header and $count=true.", "")
		return
	}
	list := func(items []Obj) {
		s.graphList(w, r, items, nil)
	}
	notFound := func(id string) {
		s.writeError(w, r, "graph", 404, "Request_ResourceNotFound",
			"Resource '"+id+"' does not exist or one of its queried reference-property objects are not present.", "")
	}

	if r.Method == http.MethodGet && s.lockoutGraph(w, r, segs, lower) { // issue 13: lockout.go
		return
	}
	if r.Method == http.MethodPost {
		if is("directoryobjects", "getbyids") {
			s.getByIDs(w, r, body)
			return
		}
		s.writeError(w, r, "graph", 405, "Request_BadRequest", "Unsupported method", "")
		return
	}

	switch {
	case is("organization"):
		list(t.Organization)
	case is("domains"):
		list(t.Domains)
	case is("rolemanagement", "directory", "roledefinitions"):
		list(t.RoleDefinitions)
	case is("rolemanagement", "directory", "roleassignments"):
		list(s.expandPrincipal(r, t.RoleAssignments))
	case is("rolemanagement", "directory", "roleassignmentschedules"):
		list(s.expandPrincipal(r, t.RoleAssignmentSchedules))
	case is("rolemanagement", "directory", "roleeligibilityschedules"):
		list(s.expandPrincipal(r, t.RoleEligibilitySchedules))
	case is("policies", "authenticationmethodspolicy"):
		if t.AuthenticationMethodsPolicy == nil {
			notFound("authenticationMethodsPolicy")
			return
		}
		writeJSON(w, graphContentType, 200, expand(r, withContext(r, "policies/authenticationMethodsPolicy/$entity", t.AuthenticationMethodsPolicy)))
	case is("identity", "conditionalaccess", "policies"):
		list(t.ConditionalAccessPolicies)
	case is("identity", "conditionalaccess", "namedlocations"):
		list(t.NamedLocations)
	case is("policies", "authenticationstrengthpolicies"):
		list(t.AuthenticationStrengthPolicies)
	case is("policies", "authenticationstrengthpolicies", "*", "combinationconfigurations"):
		list(t.CombinationConfigurations[segs[2]])
	case is("auditlogs", "signins"):
		s.signIns(w, r)
	case is("users"):
		s.listUsers(w, r)
	case is("users", "*"):
		u, ok := t.user(segs[1])
		if !ok {
			notFound(segs[1])
			return
		}
		sel := q.Get("$select")
		if s.Unlicensed && strings.Contains(strings.ToLower(sel), "signinactivity") {
			s.writeError(w, r, "graph", 403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
				"Neither tenant is B2C or tenant doesn't have premium license", "")
			return
		}
		writeJSON(w, graphContentType, 200, expand(r, withContext(r, "users/$entity", project(u, sel, false))))
	case len(segs) >= 3 && lower[0] == "users":
		u, ok := t.user(segs[1])
		if !ok {
			notFound(segs[1])
			return
		}
		id := strings.ToLower(str(u, "id"))
		rest := lower[2:]
		switch {
		case len(rest) == 2 && rest[0] == "authentication" && rest[1] == "methods":
			list(t.AuthenticationMethods[id])
		case rest[0] == "transitivememberof" && len(rest) <= 2:
			list(s.filterCast(s.userMemberOf(id), rest[1:]))
		case len(rest) == 1 && rest[0] == "ownedobjects":
			list(s.typed(t.OwnedObjects[id]))
		default:
			s.writeError(w, r, "graph", 400, "BadRequest", "Resource not found for the segment '"+segs[2]+"'.", "")
		}
	case len(segs) >= 3 && lower[0] == "groups":
		g, kind, ok := t.object(segs[1])
		if !ok || kind != "group" {
			notFound(segs[1])
			return
		}
		id := strings.ToLower(str(g, "id"))
		rest := lower[2:]
		switch {
		case rest[0] == "members" && len(rest) <= 2:
			s.groupMembers(w, r, id, rest[1:])
		case len(rest) == 1 && rest[0] == "owners":
			list(s.typed(t.GroupOwners[id]))
		case rest[0] == "memberof" && len(rest) <= 2:
			var aus []Obj
			for _, a := range t.idx().auOf[id] {
				o, _, _ := t.object(a)
				aus = append(aus, typed(o, "administrativeUnit"))
			}
			for _, gid := range t.idx().memberOf[id] {
				o, _, _ := t.object(gid)
				aus = append(aus, typed(o, "group"))
			}
			list(s.filterCast(aus, rest[1:]))
		default:
			s.writeError(w, r, "graph", 400, "BadRequest", "Resource not found for the segment '"+segs[2]+"'.", "")
		}
	case is("directory", "administrativeunits", "*", "members"):
		if _, kind, ok := t.object(segs[2]); !ok || kind != "administrativeUnit" {
			notFound(segs[2])
			return
		}
		list(s.typed(t.AUMembers[strings.ToLower(segs[2])]))
	default:
		s.writeError(w, r, "graph", 400, "BadRequest", "Resource not found for the segment '"+segs[0]+"'.", "")
	}
}

func withContext(r *http.Request, ctx string, o Obj) Obj {
	out := Obj{"@odata.context": baseURL(r) + "/v1.0/$metadata#" + ctx}
	for k, v := range o {
		out[k] = v
	}
	return out
}

// graphList serves a collection with $select applied and paging.
func (s *Server) graphList(w http.ResponseWriter, r *http.Request, items []Obj, extra Obj) {
	sel := r.URL.Query().Get("$select")
	if extra == nil {
		extra = Obj{}
	}
	extra["@odata.context"] = baseURL(r) + "/v1.0/$metadata#" + strings.TrimPrefix(r.URL.Path, "/v1.0/")
	s.page(w, r, graphContentType, "@odata.nextLink", len(items), func(i int) Obj { return project(items[i], sel, true) }, extra)
}

// project applies $select; @odata.type always survives on polymorphic items.
func project(o Obj, sel string, keepType bool) Obj {
	if sel == "" {
		return o
	}
	out := Obj{}
	for _, f := range strings.Split(sel, ",") {
		f = strings.TrimSpace(f)
		if v, ok := o[f]; ok {
			out[f] = v
		}
	}
	if t, ok := o["@odata.type"]; ok && keepType {
		out["@odata.type"] = t
	}
	if _, ok := out["id"]; !ok {
		if id, ok := o["id"]; ok {
			out["id"] = id
		}
	}
	return out
}

// typed adds @odata.type to a directory object.
func typed(o Obj, kind string) Obj {
	out := Obj{"@odata.type": "#microsoft.graph." + kind}
	for k, v := range o {
		if k == "members" && kind == "directoryRole" {
			continue
		}
		out[k] = v
	}
	return out
}

// typed resolves ids to typed directory objects.
func (s *Server) typed(ids []string) []Obj {
	var out []Obj
	for _, id := range ids {
		if o, kind, ok := s.Tenant.object(id); ok {
			out = append(out, typed(o, kind))
		}
	}
	return out
}

// filterCast applies a type-cast segment (microsoft.graph.group or the
// graph.group alias the SDK sends).
func (s *Server) filterCast(items []Obj, cast []string) []Obj {
	if len(cast) == 0 {
		return items
	}
	want := strings.TrimPrefix(strings.TrimPrefix(cast[0], "microsoft."), "graph.")
	var out []Obj
	for _, o := range items {
		if strings.EqualFold(strings.TrimPrefix(str(o, "@odata.type"), "#microsoft.graph."), want) {
			out = append(out, o)
		}
	}
	return out
}

func (s *Server) userMemberOf(id string) []Obj {
	t := s.Tenant
	ix := t.idx()
	var out []Obj
	groups := t.transitiveGroups(id)
	if i, ok := syntheticIndex(id); ok {
		for _, g := range slices.Sorted(maps.Keys(t.SyntheticMembers)) {
			if i < t.SyntheticMembers[g] {
				groups = append(groups, g)
			}
		}
	}
	for _, g := range groups {
		if o, _, ok := t.object(g); ok {
			out = append(out, typed(o, "group"))
		}
	}
	for _, rid := range ix.roleOf[id] {
		o, _, _ := t.object(rid)
		out = append(out, typed(o, "directoryRole"))
	}
	for _, a := range ix.auOf[id] {
		o, _, _ := t.object(a)
		out = append(out, typed(o, "administrativeUnit"))
	}
	return out
}

// groupMembers lists explicit members first, then synthetic ones, lazily.
func (s *Server) groupMembers(w http.ResponseWriter, r *http.Request, gid string, cast []string) {
	t := s.Tenant
	explicit := s.filterCast(s.typed(t.GroupMembers[gid]), cast)
	n := len(explicit)
	synth := t.SyntheticMembers[gid]
	if synth > 0 {
		s.violation("listed the members of group %s (%d members): resolve membership from the account side", gid, synth+n)
	}
	sel := r.URL.Query().Get("$select")
	s.page(w, r, graphContentType, "@odata.nextLink", n+synth, func(i int) Obj {
		if i < n {
			return project(explicit[i], sel, true)
		}
		return project(typed(syntheticUser(i-n), "user"), sel, true)
	}, Obj{"@odata.context": baseURL(r) + "/v1.0/$metadata#directoryObjects"})
}

// expandPrincipal honours $expand=principal on role assignments/schedules.
func (s *Server) expandPrincipal(r *http.Request, items []Obj) []Obj {
	if !strings.Contains(r.URL.Query().Get("$expand"), "principal") {
		return items
	}
	out := make([]Obj, len(items))
	for i, a := range items {
		c := Obj{}
		for k, v := range a {
			c[k] = v
		}
		if o, kind, ok := s.Tenant.object(str(a, "principalId")); ok {
			c["principal"] = typed(o, kind)
		} else {
			c["principal"] = nil
		}
		out[i] = c
	}
	return out
}

func (s *Server) getByIDs(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		IDs   []string `json:"ids"`
		Types []string `json:"types"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		s.writeError(w, r, "graph", 400, "Request_BadRequest", "Invalid request body: "+err.Error(), "")
		return
	}
	if len(req.IDs) > 1000 {
		s.writeError(w, r, "graph", 400, "Request_BadRequest", "Too many ids: at most 1000.", "")
		return
	}
	types := map[string]bool{}
	for _, t := range req.Types {
		types[strings.ToLower(strings.TrimPrefix(t, "microsoft.graph."))] = true
	}
	var out []any
	for _, id := range req.IDs {
		o, kind, ok := s.Tenant.object(id)
		if !ok {
			// Role template ids resolve to directoryRoleTemplate objects.
			for _, d := range s.Tenant.RoleDefinitions {
				if strings.EqualFold(str(d, "templateId"), id) {
					o, kind, ok = Obj{"id": str(d, "templateId"), "displayName": d["displayName"], "description": d["description"]}, "directoryRoleTemplate", true
				}
			}
		}
		if !ok || (len(types) > 0 && !types[strings.ToLower(kind)]) {
			continue
		}
		out = append(out, typed(o, kind))
	}
	if out == nil {
		out = []any{}
	}
	writeJSON(w, graphContentType, 200, expand(r, Obj{"@odata.context": baseURL(r) + "/v1.0/$metadata#directoryObjects", "value": out}))
}

var signInFilter = regexp.MustCompile(`(?i)^userId eq '([0-9a-f-]+)' and createdDateTime ge (\S+)$`)

func (s *Server) signIns(w http.ResponseWriter, r *http.Request) {
	if s.Unlicensed {
		s.writeError(w, r, "graph", 403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
			"Neither tenant is B2C or tenant doesn't have premium license", "")
		return
	}
	m := signInFilter.FindStringSubmatch(r.URL.Query().Get("$filter"))
	if m == nil {
		s.violation("sign-in logs read without a per-user filter: %s", r.URL.RawQuery)
		s.writeError(w, r, "graph", 400, "BadRequest", "Invalid filter clause", "")
		return
	}
	since, err := time.Parse(time.RFC3339, m[2])
	if err != nil {
		s.writeError(w, r, "graph", 400, "BadRequest", "Invalid filter clause: bad date", "")
		return
	}
	var out []Obj
	for _, si := range s.Tenant.SignIns {
		ts, _ := time.Parse(time.RFC3339, str(si, "createdDateTime"))
		if strings.EqualFold(str(si, "userId"), m[1]) && !ts.Before(since) {
			out = append(out, si)
		}
	}
	s.graphList(w, r, out, nil)
}
