package snapshot

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// idLinesGeneric is the former IDLines over the generic walk: the oracle
// for the token-level one.
func idLinesGeneric(data []byte) *IDIndex {
	x := &IDIndex{byDataSet: map[string]map[string]int{}, first: map[string]int{}}
	walkValues(data, func(p string, v any, l int) bool {
		s, ok := v.(string)
		if !ok {
			return true
		}
		if p == "/metadata/tenantId" {
			x.tenant = l
			return true
		}
		if !strings.HasSuffix(p, "/id") {
			return true
		}
		s = NormalizeString("id", s)
		if _, seen := x.first[s]; !seen {
			x.first[s] = l
		}
		if set, ok := itemIDDataSet(p); ok {
			ids := x.byDataSet[set]
			if ids == nil {
				ids = map[string]int{}
				x.byDataSet[set] = ids
			}
			if _, seen := ids[s]; !seen {
				ids[s] = l
			}
		}
		return true
	})
	return x
}

// TestIDLinesMatchesGenericWalk: the token-level index finds exactly the
// lines the generic JSON-pointer walk finds, on the sample and on shapes
// that trip a hand-written walker (escaped names, ids at other depths,
// non-string ids, arrays of arrays, an id member named with an escape).
func TestIDLinesMatchesGenericWalk(t *testing.T) {
	sample, err := os.ReadFile("../../testdata/sample/snapshot.json")
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]string{
		"sample": string(sample),
		"shapes": `{"metadata": {"tenantId": "T1", "x": {"tenantId": "no"}},
 "tenantId": "not this",
 "dataSets": {
  "a/b~c": {"items": [{"id": "ID-1"}, {"id": 2}, {"id": "ID-1"}]},
  "users": {"items": [
    {"id": "U-1", "nested": {"id": "deep"}, "list": [{"id": "in-list"}, [{"id": "in-list-2"}]]},
    {"\u0069d": "escaped-name", "x": [1, "id", {"id": null}]},
    {"i\"d": "not-id"}],
   "id": "set-level"},
  "groups": {"status": "ok", "items": {"id": "items-object"}}
 },
 "id": "top"}`,
	}
	for name, doc := range docs {
		got, want := IDLines([]byte(doc)), idLinesGeneric([]byte(doc))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: token-level index differs:\n got %+v\nwant %+v", name, got, want)
		}
	}
}
