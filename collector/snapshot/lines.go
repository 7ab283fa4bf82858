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

// IDLines maps every string value of an "id" member to the line of its
// first occurrence: the SARIF region of the object a result is about.
func IDLines(data []byte) map[string]int {
	out := map[string]int{}
	walkValues(data, func(p string, v any, l int) bool {
		if s, ok := v.(string); ok && strings.HasSuffix(p, "/id") {
			if _, seen := out[s]; !seen {
				out[s] = l
			}
		}
		return true
	})
	return out
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
