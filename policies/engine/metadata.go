package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/open-policy-agent/opa/v1/ast"
)

// RulePackagePrefix is where every rule (built-in or custom) lives.
const RulePackagePrefix = "data.breakglass.rules."

// Rule is a rule's catalogue entry, read from its package METADATA.
type Rule struct {
	ID          string              `json:"id"`
	Title       string              `json:"title"`
	Description string              `json:"description"`
	Severity    string              `json:"severity"`
	Remediation string              `json:"remediation"`
	Resource    string              `json:"resource"`
	Requires    []string            `json:"requires"`
	Controls    map[string][]string `json:"controls"`
	Builtin     bool                `json:"builtin"`
	Package     string              `json:"package"`
	File        string              `json:"file"`

	loc *ast.Location // of the METADATA block, for warnings
}

// customFields is the `custom:` block of a rule's METADATA. Unknown keys are
// rejected so that a typo (say `severty`) cannot silently drop a field.
type customFields struct {
	ID          string              `json:"id"`
	Severity    string              `json:"severity"`
	Resource    string              `json:"resource"`
	Requires    []string            `json:"requires"`
	Remediation string              `json:"remediation"`
	Controls    map[string][]string `json:"controls"`
}

var ruleIDRE = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$`)

// ResourceKinds are the values of custom.resource. Closed kinds are
// enumerable: the engine checks each enumerated resource got a verdict and
// fans out `error` per resource when data is missing.
var ResourceKinds = map[string]struct {
	Closed bool
	Needs  []string // data sets the enumeration itself needs
}{
	"tenant":                     {Closed: true},
	"account":                    {Closed: true},
	"enabled-policy-account":     {Closed: true, Needs: []string{snapshot.ConditionalAccessPolicies}},
	"report-only-policy-account": {Closed: true, Needs: []string{snapshot.ConditionalAccessPolicies}},
	"exclusion-group":            {Closed: true, Needs: []string{snapshot.ConditionalAccessPolicies, snapshot.TransitiveMemberOf}}, // unlisted exclusion groups are found through them
	"subscription":               {Closed: true},
	"key-vault":                  {Closed: true},
	"candidate":                  {},
	"policy-reference":           {},
	"object":                     {},
}

func ruleFromAnnotations(a *ast.Annotations, pkg string, builtin bool) (*Rule, error) {
	loc := a.Location
	where := func(format string, args ...any) error {
		return fmt.Errorf("%s:%d:%d: %s", loc.File, loc.Row, loc.Col, fmt.Sprintf(format, args...))
	}
	raw, err := json.Marshal(a.Custom)
	if err != nil {
		return nil, where("METADATA custom block: %v", err)
	}
	var c customFields
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, where("METADATA custom block: %v (allowed keys: id, severity, resource, requires, remediation, controls)", err)
	}
	r := &Rule{
		ID: c.ID, Title: a.Title, Description: strings.TrimSpace(a.Description), Severity: c.Severity,
		Remediation: strings.TrimSpace(c.Remediation), Resource: c.Resource, Requires: c.Requires,
		Controls: c.Controls, Builtin: builtin, Package: pkg, File: loc.File, loc: loc,
	}
	switch {
	case r.ID == "":
		return nil, where("METADATA custom.id is missing (add id: ACME-BG-001 under custom:)")
	case !ruleIDRE.MatchString(r.ID):
		return nil, where("METADATA custom.id %q must look like BG-CA-001 or ACME-BG-001 (upper-case words joined by dashes)", r.ID)
	case builtin != strings.HasPrefix(r.ID, "BG-"):
		return nil, where("rule id %q: the BG- prefix is reserved for built-in rules; prefix custom rules with your organisation (e.g. ACME-BG-001)", r.ID)
	case r.Title == "":
		return nil, where("rule %s: METADATA needs a title", r.ID)
	case r.Description == "":
		return nil, where("rule %s: METADATA needs a description", r.ID)
	case SeverityRank(r.Severity) == 0:
		return nil, where("rule %s: custom.severity %q must be one of %s", r.ID, r.Severity, strings.Join(Severities, ", "))
	case r.Remediation == "":
		return nil, where("rule %s: custom.remediation is required: tell the user how to fix a failure", r.ID)
	}
	if _, ok := ResourceKinds[r.Resource]; !ok {
		return nil, where("rule %s: custom.resource %q must be one of %s", r.ID, r.Resource, strings.Join(sortedKinds(), ", "))
	}
	for _, ds := range r.Requires {
		if !slices.Contains(snapshot.Names, ds) {
			return nil, where("rule %s: custom.requires names unknown data set %q (known: %s)", r.ID, ds, strings.Join(snapshot.Names, ", "))
		}
	}
	if r.Requires == nil {
		r.Requires = []string{}
	}
	return r, nil
}

func sortedKinds() []string {
	kinds := make([]string, 0, len(ResourceKinds))
	for k := range ResourceKinds {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	return kinds
}

// PlaceholderMarker starts every placeholder that `breakglass policy new`
// writes into a rule's METADATA (title, description, remediation).
const PlaceholderMarker = "TODO:"

// Warnings lists what does not stop a scan but should not ship: custom rules
// whose title, description or remediation still hold a `policy new`
// placeholder, which would otherwise appear verbatim in SARIF and the
// reports. Each warning starts with file:line:col of the METADATA block.
func (e *Engine) Warnings() []string {
	var out []string
	for _, r := range e.rules {
		if r.Builtin {
			continue
		}
		var fields []string
		for _, f := range []struct{ name, text string }{
			{"title", r.Title}, {"description", r.Description}, {"custom.remediation", r.Remediation},
		} {
			if strings.Contains(f.text, PlaceholderMarker) {
				fields = append(fields, f.name)
			}
		}
		if len(fields) == 0 {
			continue
		}
		where := r.File
		if r.loc != nil {
			where = fmt.Sprintf("%s:%d:%d", r.loc.File, r.loc.Row, r.loc.Col)
		}
		out = append(out, fmt.Sprintf("%s: warning: rule %s: METADATA %s still hold%s the %q placeholder from breakglass policy new; replace it, or it is shown in SARIF and the reports",
			where, r.ID, joinAnd(fields), map[bool]string{true: "s", false: ""}[len(fields) == 1], PlaceholderMarker))
	}
	return out
}

// joinAnd joins words as "a", "a and b", "a, b and c".
func joinAnd(words []string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
