package snapshot

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

//go:embed schema.json
var schemaJSON []byte

// Schema returns the snapshot JSON Schema (draft 2020-12).
func Schema() []byte { return schemaJSON }

const schemaURL = "breakglass-snapshot.schema.json"

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	c, err := newCompiler()
	if err != nil {
		return nil, err
	}
	return c.Compile(schemaURL)
})

// newCompiler returns a compiler holding the embedded schema.
func newCompiler() (*jsonschema.Compiler, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, fmt.Errorf("embedded snapshot schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.RegisterFormat(&jsonschema.Format{Name: "date-time", Validate: validateDateTime})
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, err
	}
	return c, nil
}

var printer = message.NewPrinter(language.English)

// validateDateTime accepts exactly the RFC 3339 times the rules can read:
// what Go's time.Parse (and OPA's time.parse_rfc3339_ns) accepts, within
// the int64-nanosecond range. A time a rule cannot parse would silently
// drop out of a comparison (say, a sign-in outside any drill).
func validateDateTime(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil // not a string: the type keyword reports it
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("%q is not an RFC 3339 date-time like 2026-11-20T06:00:00Z", s)
	}
	if t.Year() < 1678 || t.Year() > 2261 {
		return fmt.Errorf("%q is outside the years 1678-2261 that time comparisons support", s)
	}
	return nil
}

// validate checks the document against the schema and reports the first
// violation (in document order) with its line.
func validate(path string, data []byte, doc any) error {
	sch, err := compiled()
	if err != nil {
		return err
	}
	err = sch.Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("%s: validate snapshot: %w", path, err)
	}
	leaves := leafErrors(ve)
	sort.SliceStable(leaves, func(i, j int) bool {
		return pointerOf(leaves[i].InstanceLocation) < pointerOf(leaves[j].InstanceLocation)
	})
	first := leaves[0]
	ptr := pointerOf(first.InstanceLocation)
	where := ptr
	if where == "" {
		where = "(document root)"
	}
	msg := fmt.Sprintf("does not match the snapshot schema at %s: %s", where, first.ErrorKind.LocalizedString(printer))
	if len(leaves) > 1 {
		msg += fmt.Sprintf(" (and %d more problem(s); `breakglass schema` prints the schema)", len(leaves)-1)
	}
	return &InputError{Path: path, Line: LineOf(data, ptr), Msg: msg}
}

func leafErrors(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leafErrors(c)...)
	}
	return out
}

func pointerOf(tokens []string) string {
	if len(tokens) == 0 {
		return ""
	}
	esc := make([]string, len(tokens))
	for i, t := range tokens {
		esc[i] = escapePointer(t)
	}
	return "/" + strings.Join(esc, "/")
}

// The split schema (ParseInto): each data set's part, and the document with
// the data sets' contents left out (their names are still checked).
var splitSchemas = sync.OnceValues(func() (*splitSchema, error) {
	c, err := newCompiler()
	if err != nil {
		return nil, err
	}
	out := &splitSchema{dataSets: map[string]*jsonschema.Schema{}}
	for _, name := range Names {
		if out.dataSets[name], err = c.Compile(schemaURL + "#/properties/dataSets/properties/" + name); err != nil {
			return nil, fmt.Errorf("embedded snapshot schema, data set %s: %w", name, err)
		}
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, fmt.Errorf("embedded snapshot schema: %w", err)
	}
	root, _ := doc.(map[string]any)
	props, _ := root["properties"].(map[string]any)
	sets, _ := props["dataSets"].(map[string]any)
	setProps, _ := sets["properties"].(map[string]any)
	if setProps == nil {
		return nil, fmt.Errorf("embedded snapshot schema: no properties.dataSets.properties")
	}
	for name := range setProps {
		setProps[name] = true // validated on its own
	}
	sc := jsonschema.NewCompiler()
	sc.AssertFormat()
	sc.RegisterFormat(&jsonschema.Format{Name: "date-time", Validate: validateDateTime})
	if err := sc.AddResource(schemaURL, doc); err != nil {
		return nil, err
	}
	if out.skeleton, err = sc.Compile(schemaURL); err != nil {
		return nil, err
	}
	return out, nil
})

type splitSchema struct {
	skeleton *jsonschema.Schema
	dataSets map[string]*jsonschema.Schema
}

// validDataSet reports whether one data set's tree matches its part of the
// schema. An unknown name is left to validSkeleton.
func validDataSet(name string, v any) bool {
	s, err := splitSchemas()
	if err != nil {
		return false
	}
	sch, ok := s.dataSets[name]
	return !ok || sch.Validate(v) == nil
}

// validSkeleton reports whether the document without its data sets'
// contents matches the schema.
func validSkeleton(doc map[string]any) bool {
	s, err := splitSchemas()
	return err == nil && s.skeleton.Validate(doc) == nil
}
