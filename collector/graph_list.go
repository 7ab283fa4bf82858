package collector

import (
	"context"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// simpleList collects a whole collection into one data set.
func (r *run) simpleList(ctx context.Context, name, path string, query url.Values, headers map[string]string) []map[string]any {
	d := r.ds(name)
	defer r.finish(d)
	items, _, err := r.graph.list(r.ctx(ctx, d), graphRequest{path: path, query: query, headers: headers}, 0)
	return d.addAll(items, err)
}

// addAll records a whole listing, or the error that prevented it; it
// returns the items (nil on error).
func (d *dataSet) addAll(items []map[string]any, err error) []map[string]any {
	if err != nil {
		d.fail(err)
		return nil
	}
	for _, it := range items {
		d.add(it)
	}
	return items
}

func odataType(o map[string]any) string {
	t := str(o, "@odata.type")
	t = strings.TrimPrefix(t, "#")
	t = strings.TrimPrefix(t, "microsoft.graph.")
	return t
}

func str(o map[string]any, k string) string {
	s, _ := o[k].(string)
	return s
}

func toAny(items []map[string]any) []any {
	out := make([]any, len(items))
	for i, it := range items {
		out[i] = it
	}
	return out
}

func dedupe(ids []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, id := range ids {
		id = strings.ToLower(id)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// sortItems orders items by id (then by their JSON form for ties), so
// snapshots diff cleanly.
func sortItems(items []any) []any {
	if items == nil {
		return []any{}
	}
	key := func(v any) string {
		if m, ok := v.(map[string]any); ok {
			if id, ok := m["id"].(string); ok {
				return strings.ToLower(id)
			}
		}
		return ""
	}
	sort.SliceStable(items, func(i, j int) bool { return key(items[i]) < key(items[j]) })
	return items
}

// forEach runs f over keys with at most limit goroutines.
func forEach(keys []string, limit int, f func(string)) {
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for _, k := range keys {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			f(k)
		}()
	}
	wg.Wait()
}
