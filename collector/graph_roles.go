package collector

import (
	"context"
	"net/url"
	"strings"
)

// listExpandingPrincipal lists PIM schedules with $expand=principal (so
// the principal's type is known without a lookup) and falls back to the
// plain list if the service refuses the expansion.
func (r *run) listExpandingPrincipal(ctx context.Context, name, path string) []map[string]any {
	d := r.ds(name)
	defer r.finish(d)
	c := r.ctx(ctx, d)
	items, _, err := r.graph.list(c, graphRequest{path: path, query: url.Values{"$expand": {"principal"}}}, 0)
	if statusOf(err) == 400 {
		items, _, err = r.graph.list(c, graphRequest{path: path}, 0)
	}
	return d.addAll(items, err)
}

// allowedRoleDefinitions maps allowed role template ids to the definition
// ids assignments use (identical for built-in roles).
func allowedRoleDefinitions(allowed []string, defs []map[string]any) map[string]bool {
	out := map[string]bool{}
	for _, a := range allowed {
		out[strings.ToLower(a)] = true
	}
	for _, d := range defs {
		if out[strings.ToLower(str(d, "templateId"))] {
			out[strings.ToLower(str(d, "id"))] = true
		}
	}
	return out
}

// principalType is "user", "group", "servicePrincipal" ... from the
// expanded principal's @odata.type ("" when not expanded).
func principalType(a map[string]any) string {
	p, _ := a["principal"].(map[string]any)
	return odataType(p)
}
