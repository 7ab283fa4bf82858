package snapshot

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"
)

// FuzzParse: loading and validating any bytes as a snapshot never panics,
// and every refusal is an InputError naming the file (exit code 2, with
// file:line where there is one). The one-pass parsers agree with the
// parser they replaced (ParseReference: encoding/json + token check +
// Normalize): Parse and ParseInto accept exactly what it accepts, Parse
// yields the same document, and ParseInto feeds its Builder that document
// value by value. Seeds: testdata/fuzz/FuzzParse and the bundled sample
// snapshot.
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile("../../testdata/sample/snapshot.json"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ref, refErr := ParseReference("fuzz.json", data)
		l, err := Parse("fuzz.json", data)
		tb := &treeBuilder{}
		into, intoErr := ParseInto("fuzz.json", data, tb)
		for _, e := range []error{err, intoErr} {
			if e == nil {
				continue
			}
			var ie *InputError
			if !errors.As(e, &ie) {
				t.Fatalf("error %T is not an InputError: %v", e, e)
			}
			if ie.Path != "fuzz.json" {
				t.Fatalf("error names %q, not the file: %v", ie.Path, e)
			}
		}
		if (refErr == nil) != (err == nil) || (err == nil) != (intoErr == nil) {
			t.Fatalf("accept/reject differs: reference %v, Parse %v, ParseInto %v", refErr, err, intoErr)
		}
		if err != nil {
			return
		}
		if l.Doc == nil || l.SHA256 == "" {
			t.Fatalf("accepted snapshot without a document or hash")
		}
		if !reflect.DeepEqual(ref.Doc, l.Doc) {
			t.Fatalf("Parse's document differs from the reference's")
		}
		if into.Doc != nil || into.TenantID != ref.TenantID || !into.CollectedAt.Equal(ref.CollectedAt) || into.SHA256 != ref.SHA256 {
			t.Fatalf("ParseInto's Loaded differs: %+v vs %+v", into, ref)
		}
		if !reflect.DeepEqual(tb.root, any(ref.Doc)) {
			t.Fatalf("the Builder's document differs from the reference's")
		}
		IDLines(data) // the report's line index must cope with whatever was accepted
	})
}

// treeBuilder builds a generic tree from Builder calls.
type treeBuilder struct {
	root  any
	stack []any // *map or *[]any of the open containers
	names []string
}

func (b *treeBuilder) add(v any) {
	if len(b.stack) == 0 {
		b.root = v
		return
	}
	switch c := b.stack[len(b.stack)-1].(type) {
	case map[string]any:
		c[b.names[len(b.names)-1]] = v
	case *[]any:
		*c = append(*c, v)
	}
}

func (b *treeBuilder) Null()       { b.add(nil) }
func (b *treeBuilder) Bool(v bool) { b.add(v) }
func (b *treeBuilder) String(s string) {
	b.add(s)
}
func (b *treeBuilder) Number(lit string) error { b.add(json.Number(lit)); return nil }
func (b *treeBuilder) Name(n string)           { b.names[len(b.names)-1] = n }
func (b *treeBuilder) BeginObject() {
	b.stack = append(b.stack, map[string]any{})
	b.names = append(b.names, "")
}
func (b *treeBuilder) EndObject() {
	m := b.stack[len(b.stack)-1]
	b.stack, b.names = b.stack[:len(b.stack)-1], b.names[:len(b.names)-1]
	b.add(m)
}
func (b *treeBuilder) BeginArray() {
	a := []any{}
	b.stack = append(b.stack, &a)
	b.names = append(b.names, "")
}
func (b *treeBuilder) EndArray() {
	a := b.stack[len(b.stack)-1].(*[]any)
	b.stack, b.names = b.stack[:len(b.stack)-1], b.names[:len(b.names)-1]
	b.add(*a)
}
