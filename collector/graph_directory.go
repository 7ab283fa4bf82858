package collector

import (
	"context"
	"errors"
	"strings"

	abs "github.com/microsoft/kiota-abstractions-go"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
)

// getByIDs posts directoryObjects/getByIds in chunks of 1000 ids.
func (r *run) getByIDs(ctx context.Context, ids, types []string) ([]map[string]any, error) {
	var out []map[string]any
	for i := 0; i < len(ids); i += 1000 {
		j := min(i+1000, len(ids))
		body := map[string]any{"ids": ids[i:j]}
		if len(types) > 0 {
			body["types"] = types
		}
		page, err := r.graph.do(ctx, graphRequest{method: abs.POST, path: "/directoryObjects/getByIds", body: body})
		if err != nil {
			return nil, err
		}
		items, err := pageValue(page)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	return out, nil
}

func pageValue(page map[string]any) ([]map[string]any, error) {
	arr, ok := page["value"].([]any)
	if !ok {
		return nil, &malformedError{err: errors.New(`response has no "value" array`)}
	}
	out := make([]map[string]any, 0, len(arr))
	for _, it := range arr {
		obj, ok := it.(map[string]any)
		if !ok {
			return nil, &malformedError{err: errors.New("collection item is not an object")}
		}
		out = append(out, obj)
	}
	return out, nil
}

// collectDirectoryObjects resolves every id CA policies reference; stale
// ids simply do not come back. It returns the CA-referenced users that
// exist (all CA user ids when the lookup failed).
func (r *run) collectDirectoryObjects(ctx context.Context, st *graphState, ids, caUsers []string) []string {
	d := r.ds(snapshot.DirectoryObjects)
	defer r.finish(d)
	if !st.caOK {
		d.failWith(snapshot.StatusError, "not collected: conditionalAccessPolicies could not be read")
		return caUsers
	}
	if len(ids) == 0 {
		return nil
	}
	objs, err := r.getByIDs(r.ctx(ctx, d), ids, nil)
	if err != nil {
		d.fail(err)
		return caUsers
	}
	var users []string
	for _, o := range objs {
		d.add(o)
		if odataType(o) == "user" {
			users = append(users, strings.ToLower(str(o, "id")))
		}
	}
	return users
}

func (r *run) collectGroups(ctx context.Context, ids []string) {
	d := r.ds(snapshot.Groups)
	defer r.finish(d)
	if len(ids) == 0 {
		return
	}
	objs, err := r.getByIDs(r.ctx(ctx, d), ids, []string{"group"})
	if err != nil {
		d.fail(err)
		return
	}
	for _, o := range objs {
		d.add(o)
	}
}
