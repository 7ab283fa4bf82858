package snapshot

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
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
// It reads the raw tokens (jsontext) and builds a pointer only for the
// members it keeps: on a 15 MB snapshot the generic walk (walkValues) was
// a tenth of the scan.
func IDLines(data []byte) *IDIndex {
	x := &IDIndex{byDataSet: map[string]map[string]int{}, first: map[string]int{}}
	// Parse has validated the file; tolerate what it rejects anyway, as
	// the generic walk did.
	dec := jsontext.NewDecoder(bytes.NewReader(data), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	lines := newLineCounter(data)
	// keys[i] is the member name under which the container at depth i+1
	// was opened ("" in arrays); only the first five levels matter.
	var keys []string
	// pending is the name of the member whose value comes next, or
	// noName where a name comes next ("" in arrays and at the top).
	const noName = "\x00"
	pending := ""
	var inObject []bool
	expectName := func() bool { n := len(inObject); return n > 0 && inObject[n-1] && pending == noName }
	for {
		kind := dec.PeekKind()
		if kind == 0 {
			return x
		}
		start := dec.InputOffset()
		switch kind {
		case '{', '[':
			if _, err := dec.ReadToken(); err != nil {
				return x
			}
			keys = append(keys, pending)
			inObject = append(inObject, kind == '{')
			pending = noName
			if kind == '[' {
				pending = ""
			}
			continue
		case '}', ']':
			if _, err := dec.ReadToken(); err != nil {
				return x
			}
			keys, inObject = keys[:len(keys)-1], inObject[:len(inObject)-1]
			pending = ""
			if n := len(inObject); n > 0 && inObject[n-1] {
				pending = noName
			}
			continue
		}
		raw, err := dec.ReadValue()
		if err != nil {
			return x
		}
		if expectName() {
			pending = unquote(raw)
			continue
		}
		name := pending
		if n := len(inObject); n > 0 && inObject[n-1] {
			pending = noName
		}
		if kind != '"' || (name != "id" && name != "tenantId") {
			continue
		}
		if name == "tenantId" {
			if len(keys) == 2 && keys[1] == "metadata" {
				x.tenant = lines.lineAt(valueStart(data, start))
			}
			continue
		}
		x.addID(keys, inObject, unquote(raw), lines.lineAt(valueStart(data, start)))
	}
}

// addID records the "id" value s at line, under keys (the member names of
// the enclosing containers, inObject whether each is an object).
func (x *IDIndex) addID(keys []string, inObject []bool, s string, line int) {
	id := NormalizeString("id", s) // results carry the stored (lower-case) form
	if _, seen := x.first[id]; !seen {
		x.first[id] = line
	}
	// /dataSets/<set>/items/<n>/id: keys = ["", "dataSets", set, "items", ""].
	if len(keys) == 5 && keys[1] == "dataSets" && keys[3] == "items" && !inObject[3] {
		set := keys[2]
		ids := x.byDataSet[set]
		if ids == nil {
			ids = map[string]int{}
			x.byDataSet[set] = ids
		}
		if _, seen := ids[id]; !seen {
			ids[id] = line
		}
	}
}

// unquote returns the string a raw JSON string token holds.
func unquote(raw jsontext.Value) string {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1])
	}
	s, err := jsontext.AppendUnquote(nil, raw)
	if err != nil {
		return ""
	}
	return string(s)
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
