package collector

import (
	"context"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/config"
)

// maxNestedExclusionGroups bounds the walk into groups nested in exclusion
// groups: nesting is itself a finding (BG-CA-005), the walk only names who
// it lets in.
const maxNestedExclusionGroups = 50

// collectExclusionGroups reads members, owners and administrative units of
// the configured exclusion groups and of groups nested in them: BG-CA-005
// names every account a nested group lets in, BG-CA-004 judges every
// group's protection.
func (r *run) collectExclusionGroups(ctx context.Context, st *graphState) {
	gm, au := r.ds(snapshot.GroupMembers), r.ds(snapshot.AdministrativeUnits)
	defer r.finish(gm)
	defer r.finish(au)
	auIDs := map[string]map[string]any{}
	queue := append([]string(nil), r.cfg.ExclusionGroups...)
	visited := map[string]bool{}
	for _, gid := range r.cfg.ExclusionGroups {
		visited[gid] = true
	}
	for len(queue) > 0 {
		gid := queue[0]
		queue = queue[1:]
		c := r.ctx(ctx, gm)
		esc := url.PathEscape(gid)
		sel := url.Values{"$select": {"id,displayName,userPrincipalName"}, "$top": {"999"}}
		members, _, err := r.graph.list(c, graphRequest{path: "/groups/" + esc + "/members", query: sel}, 0)
		if isNotFound(err) {
			gm.note("exclusion group %s does not exist", gid)
			continue
		}
		if err != nil {
			gm.fail(err)
		} else {
			owners, _, err := r.graph.list(c, graphRequest{path: "/groups/" + esc + "/owners", query: sel}, 0)
			if err != nil {
				gm.fail(err)
			} else {
				gm.add(map[string]any{"id": gid, "members": sortItems(toAny(members)), "owners": sortItems(toAny(owners))})
				st.mu.Lock()
				st.exclusionMembers[gid] = members
				st.mu.Unlock()
			}
		}
		for _, m := range members {
			if id := str(m, "id"); str(m, "@odata.type") == "#microsoft.graph.group" && !visited[id] && len(visited) < len(r.cfg.ExclusionGroups)+maxNestedExclusionGroups {
				visited[id] = true
				queue = append(queue, id)
			}
		}
		aus, _, err := r.graph.list(r.ctx(ctx, au), graphRequest{path: "/groups/" + esc + "/memberOf/microsoft.graph.administrativeUnit",
			query: url.Values{"$select": {"id,displayName,description,isMemberManagementRestricted,visibility"}, "$count": {"true"}}, headers: eventual}, 0)
		if err != nil {
			if !isNotFound(err) {
				au.fail(err)
			}
			continue
		}
		for _, a := range aus {
			auIDs[str(a, "id")] = a
		}
	}
	for _, id := range slices.Sorted(maps.Keys(auIDs)) {
		if au.failed() {
			break
		}
		a := auIDs[id]
		members, _, err := r.graph.list(r.ctx(ctx, au), graphRequest{path: "/directory/administrativeUnits/" + url.PathEscape(id) + "/members",
			query: url.Values{"$select": {"id,displayName"}, "$top": {"999"}}}, 0)
		if err != nil {
			hiddenMembersRefused(au, a, err)
			break
		}
		a["members"] = sortItems(toAny(members))
		au.add(a)
	}
}

// caReferences extracts the object ids CA policies name in their user
// conditions (users, groups, roles), dropping keywords like All/None.
func caReferences(policies []map[string]any) (users, groups, all []string) {
	for _, p := range policies {
		cond, _ := p["conditions"].(map[string]any)
		u, _ := cond["users"].(map[string]any)
		for _, k := range []string{"includeUsers", "excludeUsers", "includeGroups", "excludeGroups", "includeRoles", "excludeRoles"} {
			list, _ := u[k].([]any)
			for _, v := range list {
				s, _ := v.(string)
				if !config.IsGUID(s) {
					continue
				}
				s = strings.ToLower(s)
				all = append(all, s)
				switch {
				case strings.HasSuffix(k, "Users"):
					users = append(users, s)
				case strings.HasSuffix(k, "Groups"):
					groups = append(groups, s)
				}
			}
		}
	}
	return dedupe(users), dedupe(groups), dedupe(all)
}
