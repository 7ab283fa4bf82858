package fakeserver

import (
	"net/http"
	"net/url"
	"strings"
)

// arm routes an Azure Resource Manager request.
func (s *Server) arm(w http.ResponseWriter, r *http.Request) {
	t := s.Tenant
	if r.URL.Query().Get("api-version") == "" {
		s.writeError(w, r, "arm", 400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.", "")
		return
	}
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	for i := range segs {
		segs[i], _ = url.PathUnescape(segs[i])
	}
	lower := strings.ToLower(strings.Join(segs, "/"))
	list := func(items []Obj) {
		s.page(w, r, armContentType, "nextLink", len(items), func(i int) Obj { return items[i] }, nil)
	}
	if lower == "providers/microsoft.aadiam/diagnosticsettings" {
		list(t.DiagnosticSettings)
		return
	}
	if len(segs) < 2 || !strings.EqualFold(segs[0], "subscriptions") {
		s.writeError(w, r, "arm", 404, "InvalidResourceType", "The resource type could not be found in the namespace.", "")
		return
	}
	sub := strings.ToLower(segs[1])
	var subObj Obj
	for _, o := range t.Subscriptions {
		if strings.EqualFold(str(o, "subscriptionId"), sub) {
			subObj = o
		}
	}
	if subObj == nil {
		s.writeError(w, r, "arm", 404, "SubscriptionNotFound", "The subscription '"+segs[1]+"' could not be found.", "")
		return
	}
	rest := strings.TrimPrefix(lower, "subscriptions/"+sub)
	if s.lockoutARM(w, r, sub, rest) { // issue 13: lockout.go
		return
	}
	switch rest {
	case "":
		writeJSON(w, armContentType, 200, expand(r, subObj))
	case "/providers/microsoft.authorization/roleassignments":
		s.atScope(w, r)
		list(t.ARMRoleAssignments[sub])
	case "/providers/microsoft.authorization/roleeligibilityscheduleinstances":
		list(t.ARMRoleEligibilityScheduleInstances[sub])
	case "/providers/microsoft.insights/scheduledqueryrules":
		list(t.ScheduledQueryRules[sub])
	case "/providers/microsoft.insights/actiongroups":
		list(t.ActionGroups[sub])
	case "/providers/microsoft.keyvault/vaults":
		list(t.Vaults[sub])
	default:
		s.writeError(w, r, "arm", 404, "InvalidResourceType", "The resource type '"+rest+"' could not be found.", "")
	}
}

// atScope records role-assignment listings without $filter=atScope():
// those return every assignment below the subscription too (all resource
// groups and resources), which does not scale.
func (s *Server) atScope(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("$filter") != "atScope()" {
		s.violation("role assignments listed without $filter=atScope(): %s", r.URL.RawQuery)
	}
}

// vault serves the Key Vault data plane: secret versions (attributes only).
// Reading a secret value is a violation.
func (s *Server) vault(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if r.URL.Query().Get("api-version") == "" {
		s.writeError(w, r, "vault", 400, "BadParameter", "The request URI contains an invalid or missing api-version.", "")
		return
	}
	if len(segs) == 3 && segs[2] != "versions" || len(segs) == 2 {
		s.violation("read a secret value: %s", r.URL.Path)
		s.writeError(w, r, "vault", 403, "Forbidden", "The collector must never read secret values.", "")
		return
	}
	if len(segs) != 3 {
		s.writeError(w, r, "vault", 400, "BadParameter", "Unsupported path", "")
		return
	}
	versions, ok := s.Tenant.Secrets[segs[1]]
	if !ok {
		s.writeError(w, r, "vault", 404, "SecretNotFound", "A secret with (name/id) "+segs[1]+" was not found in this key vault.", "")
		return
	}
	s.page(w, r, armContentType, "nextLink", len(versions), func(i int) Obj { return versions[i] }, nil)
}
