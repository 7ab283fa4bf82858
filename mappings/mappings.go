// Package mappings loads the control catalogues (one per framework) and the
// mapping from rule IDs to control IDs. Built-in catalogues are embedded;
// users add frameworks with --mappings FILE.
package mappings

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"github.com/agnivade/levenshtein"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/breakglass-dev/breakglass/internal/fileerr"
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
	refs       []ruleRef                      // where mapping files name rules, in load order
}

// ruleRef is a rule id named by a mapping file (rules.yaml or a user file's
// rules: section), kept so that CheckRules can point at it.
type ruleRef struct {
	path, label, rule string
	line              int
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

// Error is a mapping file problem at a position. It is the same type as
// config.Error (fileerr.Error).
type Error = fileerr.Error

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
	Framework Framework   `yaml:"framework"`
	Controls  []yaml.Node `yaml:"controls"`
	Rules     yaml.Node   `yaml:"rules"` // decoded by hand for line numbers
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
	return s.addRulesSection(path, fw.ID, &f.Rules)
}

// addRulesSection reads a user file's `rules:` section: rule id → {this
// file's framework id: [control ids]}. Every error names the line.
func (s *Set) addRulesSection(path, fwID string, rules *yaml.Node) error {
	if rules.Kind == 0 || rules.Tag == "!!null" {
		return nil
	}
	if rules.Kind != yaml.MappingNode {
		return &Error{Path: path, Line: rules.Line, Msg: fmt.Sprintf("rules: must map rule ids to {%s: [control ids]}", fwID)}
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(rules.Content); i += 2 {
		key, body := rules.Content[i], rules.Content[i+1]
		rule, label := key.Value, "rules."+key.Value
		if prev, dup := seen[rule]; dup {
			return &Error{Path: path, Line: key.Line, Msg: fmt.Sprintf("%s is mapped twice (first at line %d)", label, prev)}
		}
		seen[rule] = key.Line
		s.refs = append(s.refs, ruleRef{path: path, label: label, rule: rule, line: key.Line})
		if body.Kind != yaml.MappingNode {
			return &Error{Path: path, Line: body.Line, Msg: fmt.Sprintf("%s must map the framework id to a list of control ids, e.g. %s: [\"1.1\"]", label, fwID)}
		}
		for j := 0; j+1 < len(body.Content); j += 2 {
			fwKey := body.Content[j]
			if fwKey.Value != fwID {
				return &Error{Path: path, Line: fwKey.Line, Msg: fmt.Sprintf("%s names framework %q; this file defines %q", label, fwKey.Value, fwID)}
			}
			if j > 0 {
				return &Error{Path: path, Line: fwKey.Line, Msg: fmt.Sprintf("%s: framework %s is listed twice", label, fwID)}
			}
			if err := s.addRuleNode(path, label, rule, fwKey, body.Content[j+1]); err != nil {
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
		label := "rule " + rule.Value
		if _, dup := s.rules[rule.Value]; dup {
			return &Error{Path: path, Line: rule.Line, Msg: fmt.Sprintf("rule %s is mapped twice", rule.Value)}
		}
		s.refs = append(s.refs, ruleRef{path: path, label: label, rule: rule.Value, line: rule.Line})
		if body.Kind != yaml.MappingNode {
			return &Error{Path: path, Line: body.Line, Msg: label + " must map framework ids to lists of control ids"}
		}
		seen := map[string]bool{}
		for j := 0; j+1 < len(body.Content); j += 2 {
			fw := body.Content[j]
			if seen[fw.Value] {
				return &Error{Path: path, Line: fw.Line, Msg: fmt.Sprintf("%s: framework %s is listed twice", label, fw.Value)}
			}
			seen[fw.Value] = true
			if err := s.addRuleNode(path, label, rule.Value, fw, body.Content[j+1]); err != nil {
				return err
			}
		}
		s.rules[rule.Value] = nonNil(s.rules[rule.Value])
	}
	return nil
}

// addRuleNode checks and records one `framework: [control ids]` entry of
// a mapping file, with the line of the offending framework or control id.
func (s *Set) addRuleNode(path, label, rule string, fwKey, list *yaml.Node) error {
	fw, ok := s.byID[fwKey.Value]
	if !ok {
		return &Error{Path: path, Line: fwKey.Line, Msg: fmt.Sprintf("%s: unknown framework %q (known: %s)", label, fwKey.Value, strings.Join(s.frameworkIDs(), ", "))}
	}
	if list.Kind != yaml.SequenceNode {
		return &Error{Path: path, Line: list.Line, Msg: fmt.Sprintf("%s: %s must be a list of control ids, e.g. [\"%s\"]", label, fw.ID, fw.Controls[0].ID)}
	}
	ids := make([]string, 0, len(list.Content))
	seen := map[string]bool{}
	for _, n := range list.Content {
		if n.Kind != yaml.ScalarNode {
			return &Error{Path: path, Line: n.Line, Msg: fmt.Sprintf("%s: %s: a control id is a string", label, fw.ID)}
		}
		if _, ok := fw.Control(n.Value); !ok {
			return &Error{Path: path, Line: n.Line, Msg: fmt.Sprintf("%s: unknown %s control %q", label, fw.ID, n.Value)}
		}
		if seen[n.Value] {
			return &Error{Path: path, Line: n.Line, Msg: fmt.Sprintf("%s: control %q listed twice", label, n.Value)}
		}
		seen[n.Value] = true
		ids = append(ids, n.Value)
	}
	return s.addRule(path, list.Line, rule, fw.ID, ids)
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

// CheckRules reports every rule id that a mapping file names (the built-in
// rules.yaml or a user file's rules: section) but that is not among ids,
// the rules actually loaded, with the closest loaded id as a suggestion.
// Without it a typo (BG-CA-01) would leave its controls "not assessed".
func (s *Set) CheckRules(ids []string) error {
	loaded := map[string]bool{}
	for _, id := range ids {
		loaded[id] = true
	}
	sorted := slices.Sorted(maps.Keys(loaded))
	var errs []error
	for _, r := range s.refs {
		if loaded[r.rule] {
			continue
		}
		msg := fmt.Sprintf("%s: no such rule", r.label)
		if near := closest(r.rule, sorted); near != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", near)
		} else {
			msg += " (breakglass rules lists the rule ids; a custom rule needs its --policy directory)"
		}
		errs = append(errs, &Error{Path: r.path, Line: r.line, Msg: msg})
	}
	return errors.Join(errs...)
}

// closest returns the id nearest to s by edit distance (ignoring case), or
// "" when none is near enough to be a likely typo.
func closest(s string, ids []string) string {
	best, bestD := "", -1
	for _, id := range ids {
		if d := levenshtein.ComputeDistance(strings.ToUpper(s), strings.ToUpper(id)); bestD < 0 || d < bestD {
			best, bestD = id, d
		}
	}
	if bestD < 0 || bestD > max(2, len(s)/3) {
		return ""
	}
	return best
}

// CheckControls validates control references supplied by a custom rule.
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
