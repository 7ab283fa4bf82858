package snapshot

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// walkValues streams the JSON document and calls visit for every value with
// its JSON pointer and the 1-based line where the value starts. It is used
// only for messages and SARIF regions, never on the evaluation hot path.
func walkValues(data []byte, visit func(pointer string, value any, line int) bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct {
		pointer string
		isObj   bool
		key     string // pending key inside an object
		hasKey  bool
		index   int
	}
	var stack []frame
	lines := newLineCounter(data)
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		pointer := ""
		if n := len(stack); n > 0 {
			top := &stack[n-1]
			if top.isObj && !top.hasKey {
				top.key, top.hasKey = tok.(string), true
				continue
			}
			if top.isObj {
				pointer = top.pointer + "/" + escapePointer(top.key)
				top.hasKey = false
			} else {
				pointer = top.pointer + "/" + strconv.Itoa(top.index)
				top.index++
			}
		}
		line := lines.lineAt(valueStart(data, start))
		if !visit(pointer, tok, line) {
			return
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, frame{pointer: pointer, isObj: d == '{'})
		}
	}
}

// valueStart skips the separators (whitespace, ':' and ',') that the
// decoder's offset points before.
func valueStart(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			off++
		default:
			return off
		}
	}
	return off
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// LineOf returns the line at which the value at a JSON pointer starts, or 1.
func LineOf(data []byte, pointer string) int {
	line := 1
	walkValues(data, func(p string, _ any, l int) bool {
		if p == pointer {
			line = l
			return false
		}
		return true
	})
	return line
}

// IDIndex locates objects by id in a snapshot file: the SARIF region of
// the object a result is about. The same id appears in several data sets
// (a user's id keys its authenticationMethods, signInActivity, ... entries
// too, and data sets are sorted by name), so lines are kept per data set.
// A nil *IDIndex knows no lines.
type IDIndex struct {
	byDataSet map[string]map[string]int // data set → item id → line of /dataSets/<set>/items/<n>/id
	first     map[string]int            // id → line of its first "id" member anywhere
	tenant    int                       // line of /metadata/tenantId
}

// IDLines indexes every string value of an "id" member of the snapshot.
func IDLines(data []byte) *IDIndex {
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
		s = NormalizeString("id", s) // results carry the stored (lower-case) form
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

// itemIDDataSet returns <set> for a pointer /dataSets/<set>/items/<n>/id.
func itemIDDataSet(pointer string) (string, bool) {
	rest, ok := strings.CutPrefix(pointer, "/dataSets/")
	if !ok {
		return "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 4 || parts[1] != "items" || parts[3] != "id" {
		return "", false
	}
	return strings.ReplaceAll(strings.ReplaceAll(parts[0], "~1", "/"), "~0", "~"), true
}

// Line returns the line of the item with this id in data set dataSet
// (the "id" member of /dataSets/<dataSet>/items/*), else the line of the
// id's first occurrence anywhere, else 0.
func (x *IDIndex) Line(dataSet, id string) int {
	if x == nil {
		return 0
	}
	if l, ok := x.byDataSet[dataSet][id]; ok {
		return l
	}
	return x.first[id]
}

// First returns the line of the id's first occurrence anywhere, or 0.
func (x *IDIndex) First(id string) int {
	if x == nil {
		return 0
	}
	return x.first[id]
}

// TenantLine returns the line of metadata.tenantId, or 0.
func (x *IDIndex) TenantLine() int {
	if x == nil {
		return 0
	}
	return x.tenant
}

type lineCounter struct {
	data   []byte
	offset int64
	line   int
}

func newLineCounter(data []byte) *lineCounter { return &lineCounter{data: data, line: 1} }

// lineAt is amortised O(n) because offsets only grow during a walk.
func (c *lineCounter) lineAt(off int64) int {
	if off < c.offset {
		c.offset, c.line = 0, 1
	}
	c.line += bytes.Count(c.data[c.offset:off], []byte("\n"))
	c.offset = off
	return c.line
}
