package collector

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
)

// signInActivityPerRequest is how many users one signInActivity request
// names: Graph limits the `in` operator to 15 values by default ("Use the
// $filter query parameter"), which also keeps the answer within one page
// (100 users by default; at most 500 when signInActivity is selected).
const signInActivityPerRequest = 15

// collectSignInActivity reads signInActivity for the declared accounts, the
// only users whose activity a rule judges (BG-MON-004, BG-PROC-002 through
// policies/lib/activity.rego), with
// GET /users?$filter=id in (...)&$select=id,signInActivity — one request
// per 15 accounts instead of one per user. GET signInActivity has a budget
// of its own (10 requests per minute per app and tenant). Users were already
// read without it, so a refusal or throttling fails only this data set
// (unlicensed, forbidden, throttled) and the users stay ok; the rules then
// use the sign-in log alone.
func (r *run) collectSignInActivity(ctx context.Context, d *dataSet, declared *sync.Map) {
	var ids []string
	declared.Range(func(k, _ any) bool {
		ids = append(ids, k.(string))
		return true
	})
	sort.Strings(ids)
	if len(ids) == 0 {
		if len(r.cfg.Accounts) == 0 {
			d.note("discovery mode: signInActivity is read for declared accounts only")
		}
		return
	}
	c := r.ctx(ctx, d)
	for i := 0; i < len(ids); i += signInActivityPerRequest {
		chunk := ids[i:min(i+signInActivityPerRequest, len(ids))]
		quoted := make([]string, len(chunk))
		for j, id := range chunk {
			quoted[j] = "'" + strings.ReplaceAll(id, "'", "''") + "'"
		}
		items, _, err := r.graph.list(c, graphRequest{path: "/users", query: url.Values{
			"$filter": {"id in (" + strings.Join(quoted, ",") + ")"},
			"$select": {"id,signInActivity"},
		}}, 0)
		if err != nil {
			st, msg := classify(snapshot.SignInActivity, err)
			d.failWith(st, fmt.Sprintf("%s (the declared accounts were read without signInActivity and users stays ok; BG-MON-004 and BG-PROC-002 use the sign-in log alone)", msg))
			return
		}
		for _, u := range items {
			if s, ok := u["signInActivity"]; ok {
				d.add(map[string]any{"id": str(u, "id"), "signInActivity": s})
			}
		}
	}
}

// hiddenMembersRefused records a failed read of an administrative unit's
// members. An AU with visibility HiddenMembership shows its members only to
// an identity with Member.Read.Hidden, so its 403 names that permission.
func hiddenMembersRefused(d *dataSet, au map[string]any, err error) {
	if statusOf(err) == 403 && strings.EqualFold(str(au, "visibility"), "HiddenMembership") {
		_, msg := classify(snapshot.AdministrativeUnits, err)
		d.failWith(snapshot.StatusForbidden, fmt.Sprintf("%s; administrative unit %s has hidden membership: its members are listed only with the Microsoft Graph application permission Member.Read.Hidden as well", msg, str(au, "id")))
		return
	}
	d.fail(err)
}
