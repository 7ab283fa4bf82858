// Package mappings loads the control catalogues (one per framework) and the
// mapping from rule IDs to control IDs. Built-in catalogues are embedded;
// users add frameworks with --mappings FILE.
package mappings

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed *.yaml
var builtin embed.FS

// Built-in framework keys, in report order.
var BuiltinFrameworks = []string{"iso27001-2022", "nist-800-53r5", "soc2-2017"}

// Framework is one control catalogue.
type Framework struct {
	ID       string    `yaml:"id" json:"id"`
	Title    string    `yaml:"title" json:"title"`
	Version  string    `yaml:"version" json:"version"`
	Controls []Control `yaml:"-" json:"controls"`
	index    map[string]int
}

// Control is a control ID with a short title in our own words.
type Control struct {
	ID    string `yaml:"id" json:"id"`
	Title string `yaml:"title" json:"title"`
}

// Control looks up a control by ID.
func (f *Framework) Control(id string) (Control, bool) {
	i, ok := f.index[id]
	if !ok {
		return Control{}, false
	}
	return f.Controls[i], true
}

// Order returns a control's position in its catalogue (for sorting).
func (f *Framework) Order(id string) int { return f.index[id] }

// Set is every framework and the rule → controls mapping.
type Set struct {
	Frameworks []*Framework // built-ins first, then user frameworks in load order
	byID       map[string]*Framework
	rules      map[string]map[string][]string // rule → framework → control IDs
}

// Framework returns a framework by key.
func (s *Set) Framework(id string) (*Framework, bool) {
	f, ok := s.byID[id]
	return f, ok
}

// ControlsFor returns the controls a rule maps to, per framework, each list
// in catalogue order. Never nil.
func (s *Set) ControlsFor(ruleID string) map[string][]string {
	out := map[string][]string{}
	for fw, ids := range s.rules[ruleID] {
		out[fw] = append([]string(nil), ids...)
	}
	return out
}

// HasRule reports whether a rule has a mapping.
func (s *Set) HasRule(ruleID string) bool { _, ok := s.rules[ruleID]; return ok }

// Error is a mapping file problem at a position.
type Error struct {
	Path string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// LoadBuiltin loads the embedded catalogues and rule mapping.
func LoadBuiltin() (*Set, error) {
	s := &Set{byID: map[string]*Framework{}, rules: map[string]map[string][]string{}}
	for _, fw := range BuiltinFrameworks {
		name := fw + ".yaml"
		data, err := builtin.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("embedded mappings: %w", err)
		}
		if err := s.addFile("mappings/"+name, data); err != nil {
			return nil, err
		}
	}
	data, err := builtin.ReadFile("rules.yaml")
	if err != nil {
		return nil, fmt.Errorf("embedded mappings: %w", err)
	}
	if err := s.addRuleMappings("mappings/rules.yaml", data); err != nil {
		return nil, err
	}
	return s, nil
}

// AddFile loads a user mapping file: a framework catalogue and, optionally,
// a `rules:` section mapping rule IDs to its controls.
func (s *Set) AddFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return &Error{Path: path, Msg: fmt.Sprintf("cannot read mappings: %v", errors.Unwrap(err))}
	}
	return s.addFile(path, data)
}

type catalogueFile struct {
	Framework Framework                      `yaml:"framework"`
	Controls  []yaml.Node                    `yaml:"controls"`
	Rules     map[string]map[string][]string `yaml:"rules"`
}

var controlIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.()\-_ ]*$`)
var frameworkIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.\-]*$`)

func (s *Set) addFile(path string, data []byte) error {
	var f catalogueFile
	if err := strictDecode(path, data, &f); err != nil {
		return err
	}
	fw := f.Framework
	if !frameworkIDRE.MatchString(fw.ID) {
		return &Error{Path: path, Msg: fmt.Sprintf("framework.id %q must be lower-case letters, digits, dots and dashes (e.g. cis-azure-2.1)", fw.ID)}
	}
	if _, dup := s.byID[fw.ID]; dup {
		return &Error{Path: path, Msg: fmt.Sprintf("framework %q is already loaded", fw.ID)}
	}
	if len(f.Controls) == 0 {
		return &Error{Path: path, Msg: "no controls: a framework needs a `controls:` list of {id, title}"}
	}
	fw.index = map[string]int{}
	for _, n := range f.Controls {
		var c Control
		if n.Kind != yaml.MappingNode {
			return &Error{Path: path, Line: n.Line, Msg: "a control is a mapping with id and title"}
		}
		if err := n.Decode(&c); err != nil {
			return &Error{Path: path, Line: n.Line, Msg: err.Error()}
		}
		if !controlIDRE.MatchString(c.ID) || c.Title == "" {
			return &Error{Path: path, Line: n.Line, Msg: fmt.Sprintf("control %q needs an id (letters, digits, . ( ) -) and a title", c.ID)}
		}
		if _, dup := fw.index[c.ID]; dup {
			return &Error{Path: path, Line: n.Line, Msg: fmt.Sprintf("duplicate control id %q", c.ID)}
		}
		fw.index[c.ID] = len(fw.Controls)
		fw.Controls = append(fw.Controls, c)
	}
	s.byID[fw.ID] = &fw
	s.Frameworks = append(s.Frameworks, &fw)
	for rule, byFw := range f.Rules {
		for fwID, ids := range byFw {
			if fwID != fw.ID {
				return &Error{Path: path, Msg: fmt.Sprintf("rules.%s names framework %q; this file defines %q", rule, fwID, fw.ID)}
			}
			if err := s.addRule(path, 0, rule, fwID, ids); err != nil {
				return err
			}
		}
	}
	return nil
}

// addRuleMappings reads the built-in rule → controls file.
func (s *Set) addRuleMappings(path string, data []byte) error {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return &Error{Path: path, Msg: err.Error()}
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return &Error{Path: path, Msg: "expected a mapping of rule IDs"}
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		rule, body := m.Content[i], m.Content[i+1]
		if _, dup := s.rules[rule.Value]; dup {
			return &Error{Path: path, Line: rule.Line, Msg: fmt.Sprintf("rule %s is mapped twice", rule.Value)}
		}
		var byFw map[string][]string
		if err := body.Decode(&byFw); err != nil {
			return &Error{Path: path, Line: body.Line, Msg: err.Error()}
		}
		for _, fw := range slices.Sorted(maps.Keys(byFw)) {
			if err := s.addRule(path, body.Line, rule.Value, fw, byFw[fw]); err != nil {
				return err
			}
		}
		s.rules[rule.Value] = nonNil(s.rules[rule.Value])
	}
	return nil
}

func nonNil(m map[string][]string) map[string][]string {
	if m == nil {
		return map[string][]string{}
	}
	return m
}

func (s *Set) addRule(path string, line int, rule, fwID string, ids []string) error {
	fw, ok := s.byID[fwID]
	if !ok {
		return &Error{Path: path, Line: line, Msg: fmt.Sprintf("rule %s: unknown framework %q (known: %s)", rule, fwID, strings.Join(s.frameworkIDs(), ", "))}
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if _, ok := fw.Control(id); !ok {
			return &Error{Path: path, Line: line, Msg: fmt.Sprintf("rule %s: unknown %s control %q", rule, fwID, id)}
		}
		if seen[id] {
			return &Error{Path: path, Line: line, Msg: fmt.Sprintf("rule %s: control %q listed twice", rule, id)}
		}
		seen[id] = true
	}
	sorted := append([]string(nil), ids...)
	sort.SliceStable(sorted, func(i, j int) bool { return fw.Order(sorted[i]) < fw.Order(sorted[j]) })
	if s.rules[rule] == nil {
		s.rules[rule] = map[string][]string{}
	}
	s.rules[rule][fwID] = sorted
	return nil
}

// CheckFrameworkIDs validates control references supplied by a custom rule.
func (s *Set) CheckControls(controls map[string][]string) error {
	for _, fwID := range slices.Sorted(maps.Keys(controls)) {
		fw, ok := s.byID[fwID]
		if !ok {
			return fmt.Errorf("unknown framework %q (known: %s)", fwID, strings.Join(s.frameworkIDs(), ", "))
		}
		for _, id := range controls[fwID] {
			if _, ok := fw.Control(id); !ok {
				return fmt.Errorf("unknown %s control %q", fwID, id)
			}
		}
	}
	return nil
}

// SetRule records the controls of a custom rule (already checked).
func (s *Set) SetRule(rule string, controls map[string][]string) {
	for _, fw := range slices.Sorted(maps.Keys(controls)) {
		_ = s.addRule("", 0, rule, fw, controls[fw])
	}
	s.rules[rule] = nonNil(s.rules[rule])
}

func (s *Set) frameworkIDs() []string {
	ids := make([]string, 0, len(s.Frameworks))
	for _, f := range s.Frameworks {
		ids = append(ids, f.ID)
	}
	return ids
}

// Rules returns every mapped rule ID, sorted.
func (s *Set) Rules() []string { return slices.Sorted(maps.Keys(s.rules)) }

func strictDecode(path string, data []byte, out any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(out); err != nil && !errors.Is(err, io.EOF) {
		return &Error{Path: path, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	return nil
}
