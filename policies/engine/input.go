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
// ast.InterfaceToValue makes of the generic tree (interned strings and
// small integers, ast.Number from the literal), term by term.
type valueBuilder struct {
	// open holds the terms of the containers being read, innermost last
	// (an object's as name, value, name, value, ...); marks[i] is where
	// the i-th open container's terms start.
	open  []*ast.Term
	marks []int
	root  *ast.Term
	slab  []ast.Term // terms are allocated in blocks
}

func newValueBuilder() *valueBuilder { return &valueBuilder{} }

func (b *valueBuilder) term(v ast.Value) *ast.Term {
	if len(b.slab) == 0 {
		b.slab = make([]ast.Term, 1024)
	}
	t := &b.slab[0]
	b.slab = b.slab[1:]
	t.Value = v
	return t
}

func (b *valueBuilder) add(v ast.Value) {
	t := b.term(v)
	if len(b.marks) == 0 {
		b.root = t
		return
	}
	b.open = append(b.open, t)
}

func (b *valueBuilder) Null()           { b.add(ast.NullValue) }
func (b *valueBuilder) Bool(v bool)     { b.add(ast.InternedValue(v)) }
func (b *valueBuilder) String(s string) { b.add(ast.InternedValue(s)) }
func (b *valueBuilder) Name(s string)   { b.open = append(b.open, b.term(ast.InternedValue(s))) }

// Number converts the literal as ast.InterfaceToValue converts a
// json.Number (and fails where it fails).
func (b *valueBuilder) Number(lit string) error {
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
