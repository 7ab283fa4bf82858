package collector

import (
	"context"
	"net/url"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
)

func (r *run) collectAuthMethodsPolicy(ctx context.Context) {
	d := r.ds(snapshot.AuthenticationMethodsPolicy)
	defer r.finish(d)
	obj, err := r.graph.get(r.ctx(ctx, d), "/policies/authenticationMethodsPolicy", nil)
	if err != nil {
		d.fail(err)
		return
	}
	d.add(obj)
}

// collectStrengthPolicies lists authentication strength policies; custom
// ones whose combinationConfigurations (FIDO2 AAGUID restrictions) are not
// inline get them with one request each.
func (r *run) collectStrengthPolicies(ctx context.Context) {
	d := r.ds(snapshot.AuthenticationStrengthPolicies)
	defer r.finish(d)
	c := r.ctx(ctx, d)
	items, _, err := r.graph.list(c, graphRequest{path: "/policies/authenticationStrengthPolicies"}, 0)
	if err != nil {
		d.fail(err)
		return
	}
	for _, p := range items {
		if _, inline := p["combinationConfigurations"]; !inline && str(p, "policyType") != "builtIn" {
			cc, _, err := r.graph.list(c, graphRequest{path: "/policies/authenticationStrengthPolicies/" + url.PathEscape(str(p, "id")) + "/combinationConfigurations"}, 0)
			if err != nil {
				d.fail(err)
				return
			}
			p["combinationConfigurations"] = toAny(cc)
		}
		d.add(p)
	}
}
