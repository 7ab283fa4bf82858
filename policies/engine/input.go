package engine

import (
	"encoding/json"
	"slices"

	"github.com/breakglass-dev/breakglass/collector/snapshot"

	"github.com/open-policy-agent/opa/v1/ast"
)

// ParseSnapshot parses and validates snapshot bytes (snapshot.ParseInto)
// and returns the snapshot as the OPA value the rules read, built in the
// same token pass: no generic tree of the whole snapshot, no second
// conversion. Put the value in Input.Snapshot (or Input.BaselineSnapshot).
// Errors are snapshot.Parse's.
func ParseSnapshot(path string, data []byte) (*snapshot.Loaded, ast.Object, error) {
	b := newValueBuilder()
	l, err := snapshot.ParseInto(path, data, b)
	if err != nil {
		return nil, nil, err
	}
	return l, b.object(), nil
}

// LoadSnapshot is ParseSnapshot of a file of at most maxSize bytes
// (snapshot.LoadLimit's limit and messages).
func LoadSnapshot(path string, maxSize int64) (*snapshot.Loaded, ast.Object, error) {
	b := newValueBuilder()
	l, err := snapshot.LoadInto(path, maxSize, b)
	if err != nil {
		return nil, nil, err
	}
	return l, b.object(), nil
}

// valueBuilder is a snapshot.Builder making the OPA value: the values
// ast.InterfaceToValue makes of the generic tree (ast.Number from the
// literal, strings, booleans, null), term by term. Terms are immutable
// in OPA (it shares its interned terms everywhere), so one term serves
// every occurrence of a member name or a short string: a snapshot repeats
// a few hundred names and a few string values (`#microsoft.graph.group`,
// `enabled`, the same group ids) hundreds of thousands of times.
type valueBuilder struct {
	// open holds the terms of the containers being read, innermost last
	// (an object's as name, value, name, value, ...); marks[i] is where
	// the i-th open container's terms start.
	open  []*ast.Term
	marks []int
	root  *ast.Term
	slab  []ast.Term // terms are allocated in blocks
	// shared holds the term of each member name and short string seen.
	shared map[string]*ast.Term
}

// Bounds of sharing: longer strings are rarely repeated, and a hostile
// snapshot must not grow the table without end.
const (
	maxSharedLen   = 64
	maxSharedTerms = 1 << 16
)

func newValueBuilder() *valueBuilder { return &valueBuilder{shared: map[string]*ast.Term{}} }

func (b *valueBuilder) term(v ast.Value) *ast.Term {
	if len(b.slab) == 0 {
		b.slab = make([]ast.Term, 1024)
	}
	t := &b.slab[0]
	b.slab = b.slab[1:]
	t.Value = v
	return t
}

func (b *valueBuilder) put(t *ast.Term) {
	if len(b.marks) == 0 {
		b.root = t
		return
	}
	b.open = append(b.open, t)
}

func (b *valueBuilder) add(v ast.Value) { b.put(b.term(v)) }

// stringTerm returns the (shared, where possible) term of s.
func (b *valueBuilder) stringTerm(s string) *ast.Term {
	if len(s) > maxSharedLen {
		return b.term(ast.String(s))
	}
	if t, ok := b.shared[s]; ok {
		return t
	}
	t := b.term(ast.InternedValue(s))
	if b.shared != nil && len(b.shared) < maxSharedTerms {
		b.shared[s] = t
	}
	return t
}

func (b *valueBuilder) Null()           { b.put(ast.InternedNullTerm) }
func (b *valueBuilder) Bool(v bool)     { b.put(ast.InternedTerm(v)) }
func (b *valueBuilder) String(s string) { b.put(b.stringTerm(s)) }
func (b *valueBuilder) Name(s string)   { b.open = append(b.open, b.stringTerm(s)) }

// Number converts the literal as ast.InterfaceToValue converts a
// json.Number (and fails where it fails).
func (b *valueBuilder) Number(lit string) error {
	if t := ast.InternedIntNumberTermFromString(lit); t != nil {
		b.put(t)
		return nil
	}
	v, err := ast.InterfaceToValue(json.Number(lit))
	if err != nil {
		return err
	}
	b.add(v)
	return nil
}

func (b *valueBuilder) BeginObject() { b.marks = append(b.marks, len(b.open)) }
func (b *valueBuilder) BeginArray()  { b.marks = append(b.marks, len(b.open)) }

func (b *valueBuilder) EndObject() {
	start := b.marks[len(b.marks)-1]
	kv := b.open[start:]
	pairs := make([][2]*ast.Term, len(kv)/2)
	for i := range pairs {
		pairs[i] = [2]*ast.Term{kv[2*i], kv[2*i+1]}
	}
	b.open, b.marks = b.open[:start], b.marks[:len(b.marks)-1]
	b.add(ast.NewObject(pairs...))
	if len(b.marks) == 0 {
		b.shared = nil // done: the table is garbage
	}
}

func (b *valueBuilder) EndArray() {
	start := b.marks[len(b.marks)-1]
	elems := slices.Clone(b.open[start:])
	b.open, b.marks = b.open[:start], b.marks[:len(b.marks)-1]
	b.add(ast.NewArray(elems...))
}

// object is the finished document (nil unless it is an object).
func (b *valueBuilder) object() ast.Object {
	if b.root == nil {
		return nil
	}
	obj, _ := b.root.Value.(ast.Object)
	return obj
}
