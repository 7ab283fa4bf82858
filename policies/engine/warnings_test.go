package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/breakglass-dev/breakglass/mappings"
	"github.com/breakglass-dev/breakglass/policies/engine"
)

const cisMappings = `framework:
  id: cis-azure-3.0
  title: CIS Microsoft Azure Foundations
controls:
  - id: "1.1.1"
    title: Emergency access accounts
rules:
  "BG-INV-001":
    cis-azure-3.0: ["1.1.1"]
  "%s":
    cis-azure-3.0: ["1.1.1"]
`

func userMappings(t *testing.T, rule string) (*mappings.Set, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cis.yaml")
	if err := os.WriteFile(path, []byte(strings.Replace(cisMappings, "%s", rule, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := mappings.LoadBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddFile(path); err != nil {
		t.Fatal(err)
	}
	return s, path
}

// A --mappings file may only map rules that are loaded: a typo is an error
// at its line with the nearest rule id, not a control "not assessed".
func TestMappingsFileNamesOnlyLoadedRules(t *testing.T) {
	ctx := context.Background()
	s, path := userMappings(t, "BG-CA-01")
	_, err := engine.New(ctx, engine.Options{Mappings: s})
	want := path + ":10: rules.BG-CA-01: no such rule (did you mean BG-CA-001?)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}

	// A custom rule is a loaded rule when its --policy directory is given.
	good := filepath.Join(customPolicies, "good")
	s, _ = userMappings(t, "ACME-BG-001")
	eng, err := engine.New(ctx, engine.Options{Mappings: s, PolicyDirs: []string{good}})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := eng.Rule("ACME-BG-001")
	if got := r.Controls["cis-azure-3.0"]; len(got) != 1 || got[0] != "1.1.1" {
		t.Errorf("ACME-BG-001 cis controls = %v", got)
	}
	s, _ = userMappings(t, "ACME-BG-001")
	_, err = engine.New(ctx, engine.Options{Mappings: s})
	if err == nil || !strings.Contains(err.Error(), ":10: rules.ACME-BG-001: no such rule (breakglass rules lists the rule ids; a custom rule needs its --policy directory)") {
		t.Errorf("custom rule mapped without its --policy directory: %v", err)
	}
}

// The built-in rules.yaml maps only built-in rules (engine.New checks it).
func TestBuiltinMappingsNameOnlyBuiltinRules(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range eng.Rules() {
		ids = append(ids, r.ID)
	}
	if err := eng.Mappings().CheckRules(ids); err != nil {
		t.Error(err)
	}
}

const placeholderRule = `# METADATA
# title: "TODO: what every account must satisfy"
# description: |
#   TODO: why this matters.
# custom:
#   id: ACME-BG-900
#   severity: low
#   resource: tenant
#   requires: []
#   remediation: |
#     TODO: how to fix a failure.
#   controls:
#     iso27001-2022: [A.5.15]
package breakglass.rules.acme_placeholder

import data.breakglass.lib
import rego.v1

results contains {"status": "pass", "resource": lib.tenant_resource, "message": "ok"}
`

// Warnings flags custom rules whose METADATA still holds the policy new
// placeholders; finished rules and built-in rules give none.
func TestPlaceholderWarnings(t *testing.T) {
	ctx := context.Background()
	eng, err := engine.New(ctx, engine.Options{PolicyDirs: []string{filepath.Join(customPolicies, "good")}})
	if err != nil {
		t.Fatal(err)
	}
	if w := eng.Warnings(); len(w) != 0 {
		t.Errorf("finished rules warn: %q", w)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "placeholder.rego"), []byte(placeholderRule), 0o644)
	eng, err = engine.New(ctx, engine.Options{PolicyDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	w := eng.Warnings()
	want := filepath.ToSlash(filepath.Join(dir, "placeholder.rego")) + `:1:1: warning: rule ACME-BG-900: METADATA title, description and custom.remediation still hold the "TODO:" placeholder`
	if len(w) != 1 || !strings.HasPrefix(w[0], want) {
		t.Errorf("warnings = %q\nwant one starting %s", w, want)
	}
	os.WriteFile(filepath.Join(dir, "placeholder_test.rego"), []byte("package breakglass.rules.acme_placeholder_test\n\nimport rego.v1\n\ntest_ok if true\n"), 0o644)
	rep, err := engine.RunTests(ctx, []string{dir}, engine.TestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) != 1 || !strings.HasPrefix(rep.Warnings[0], want) {
		t.Errorf("RunTests warnings = %q", rep.Warnings)
	}
}

// A missing directory is named the way the user gave it.
func TestMissingPolicyDirMessage(t *testing.T) {
	ctx := context.Background()
	_, err := engine.New(ctx, engine.Options{PolicyDirs: []string{"/nope"}})
	if err == nil || err.Error() != "--policy /nope: no such directory" {
		t.Errorf("engine.New: %v", err)
	}
	_, err = engine.RunTests(ctx, []string{"/nope"}, engine.TestOptions{})
	if err == nil || err.Error() != "policy test /nope: no such directory" {
		t.Errorf("RunTests: %v", err)
	}
}
