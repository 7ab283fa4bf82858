package mappings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuiltinMappingsLoad(t *testing.T) {
	s, err := LoadBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Frameworks) != 3 {
		t.Fatalf("%d frameworks", len(s.Frameworks))
	}
	c := s.ControlsFor("BG-CA-002")
	if len(c["nist-800-53r5"]) == 0 || len(c["iso27001-2022"]) == 0 || len(c["soc2-2017"]) == 0 {
		t.Errorf("BG-CA-002 controls = %v", c)
	}
	if len(s.Rules()) < 32 {
		t.Errorf("%d mapped rules, the catalogue has 32", len(s.Rules()))
	}
}

func write(t *testing.T, body string) string {
	path := filepath.Join(t.TempDir(), "cis.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestUserFramework(t *testing.T) {
	s, _ := LoadBuiltin()
	path := write(t, "framework:\n  id: cis-azure-3.0\n  title: CIS\n  version: \"3.0\"\ncontrols:\n  - id: \"1.1.1\"\n    title: Emergency access accounts\nrules:\n  BG-INV-001:\n    cis-azure-3.0: [\"1.1.1\"]\n")
	if err := s.AddFile(path); err != nil {
		t.Fatal(err)
	}
	if got := s.ControlsFor("BG-INV-001")["cis-azure-3.0"]; len(got) != 1 || got[0] != "1.1.1" {
		t.Errorf("got %v", got)
	}
}

func TestRejections(t *testing.T) {
	cases := map[string]struct{ body, want string }{
		"duplicate control": {"framework:\n  id: x\n  title: X\ncontrols:\n  - id: \"1\"\n    title: a\n  - id: \"1\"\n    title: b\n", "duplicate control"},
		"unknown control":   {"framework:\n  id: x\n  title: X\ncontrols:\n  - id: \"1\"\n    title: a\nrules:\n  BG-INV-001:\n    x: [\"2\"]\n", "unknown x control"},
		"other framework":   {"framework:\n  id: x\n  title: X\ncontrols:\n  - id: \"1\"\n    title: a\nrules:\n  BG-INV-001:\n    y: [\"1\"]\n", "framework"},
		"unknown key":       {"framework:\n  id: x\n  title: X\n  owner: me\ncontrols: []\n", "owner"},
		"no controls":       {"framework:\n  id: x\n  title: X\n", "no controls"},
		"bad id":            {"framework:\n  id: X Y\n  title: X\ncontrols:\n  - id: \"1\"\n    title: a\n", "framework.id"},
		"builtin clash":     {"framework:\n  id: soc2-2017\n  title: X\ncontrols:\n  - id: \"1\"\n    title: a\n", "already loaded"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s, _ := LoadBuiltin()
			err := s.AddFile(write(t, c.body))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want mention of %q", err, c.want)
			}
		})
	}
}

func TestRuleFileRejectsUnknownControls(t *testing.T) {
	s, _ := LoadBuiltin()
	s2 := &Set{byID: s.byID, Frameworks: s.Frameworks, rules: map[string]map[string][]string{}}
	err := s2.addRuleMappings("rules.yaml", []byte("BG-X-001:\n  nist-800-53r5: [\"ZZ-99\"]\n"))
	if err == nil || !strings.Contains(err.Error(), "rules.yaml:2") {
		t.Errorf("got %v", err)
	}
	err = s2.addRuleMappings("rules.yaml", []byte("BG-X-001:\n  nist-800-53r5: [\"AC-2\"]\nBG-X-001:\n  nist-800-53r5: [\"AC-2\"]\n"))
	if err == nil {
		t.Error("duplicate rule accepted")
	}
}

const cisHead = "framework:\n  id: cis-azure-3.0\n  title: CIS\n  version: \"3.0\"\ncontrols:\n  - id: \"1.1.1\"\n    title: Emergency access accounts\n  - id: \"1.1.2\"\n    title: Conditional Access\nrules:\n"

// Errors in a user file's rules: section name the line of the offending
// rule, framework or control id.
func TestUserRulesSectionLines(t *testing.T) {
	cases := map[string]struct{ rules, want string }{
		"unknown control":      {"  BG-INV-001:\n    cis-azure-3.0: [\"1.1.1\",\n      \"9.9\"]\n", `cis.yaml:13: rules.BG-INV-001: unknown cis-azure-3.0 control "9.9"`},
		"other framework":      {"  BG-INV-001:\n    cis-azure-3.0: [\"1.1.1\"]\n  BG-CA-002:\n    cis-8: [\"1.1.1\"]\n", `cis.yaml:14: rules.BG-CA-002 names framework "cis-8"; this file defines "cis-azure-3.0"`},
		"mapped twice":         {"  BG-INV-001:\n    cis-azure-3.0: [\"1.1.1\"]\n  BG-INV-001:\n    cis-azure-3.0: [\"1.1.2\"]\n", "cis.yaml:13: rules.BG-INV-001 is mapped twice (first at line 11)"},
		"not a list":           {"  BG-INV-001:\n    cis-azure-3.0: \"1.1.1\"\n", "cis.yaml:12: rules.BG-INV-001: cis-azure-3.0 must be a list"},
		"not a mapping":        {"  BG-INV-001: [\"1.1.1\"]\n", "cis.yaml:11: rules.BG-INV-001 must map the framework id"},
		"control listed twice": {"  BG-INV-001:\n    cis-azure-3.0: [\"1.1.1\", \"1.1.1\"]\n", `cis.yaml:12: rules.BG-INV-001: control "1.1.1" listed twice`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s, _ := LoadBuiltin()
			err := s.AddFile(write(t, cisHead+c.rules))
			if err == nil || !strings.HasSuffix(err.Error(), c.want) && !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v\nwant %s", err, c.want)
			}
		})
	}
}

// CheckRules: a rule id a mapping file names must be a loaded rule; the
// error points at the line and suggests the nearest id.
func TestCheckRules(t *testing.T) {
	s, err := LoadBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	builtin := s.Rules()
	if err := s.CheckRules(builtin); err != nil {
		t.Fatalf("built-in rules.yaml against its own ids: %v", err)
	}
	path := write(t, cisHead+"  BG-INV-001:\n    cis-azure-3.0: [\"1.1.1\"]\n  BG-CA-01:\n    cis-azure-3.0: [\"1.1.2\"]\n  ACME-NOTHING-LIKE-IT:\n    cis-azure-3.0: [\"1.1.2\"]\n")
	if err := s.AddFile(path); err != nil {
		t.Fatal(err)
	}
	err = s.CheckRules(builtin)
	if err == nil {
		t.Fatal("a mapping of a rule that does not exist was accepted")
	}
	for _, want := range []string{
		path + ":13: rules.BG-CA-01: no such rule (did you mean BG-CA-001?)",
		path + ":15: rules.ACME-NOTHING-LIKE-IT: no such rule (breakglass rules lists",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	// rules.yaml is checked too: drop a built-in rule from the loaded set.
	err = s.CheckRules(builtin[1:])
	if err == nil || !strings.Contains(err.Error(), "mappings/rules.yaml:") || !strings.Contains(err.Error(), "rule "+builtin[0]+": no such rule") {
		t.Errorf("rules.yaml naming an unloaded rule: %v", err)
	}
}

func TestClosest(t *testing.T) {
	ids := []string{"ACME-BG-001", "BG-CA-001", "BG-CA-002", "BG-INV-001"}
	for in, want := range map[string]string{
		"BG-CA-01": "BG-CA-001", "bg-ca-002": "BG-CA-002", "BG-INV-01": "BG-INV-001",
		"ACME-BG-01": "ACME-BG-001", "XYZ": "", "CONTOSO-RULE-42": "",
	} {
		if got := closest(in, ids); got != want {
			t.Errorf("closest(%q) = %q, want %q", in, got, want)
		}
	}
}

// The example in README.md loads and maps only existing built-in rules.
func TestReadmeExample(t *testing.T) {
	doc, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```yaml\n")
	example, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README.md has no ```yaml example")
	}
	s, _ := LoadBuiltin()
	builtin := s.Rules()
	if err := s.AddFile(write(t, example)); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckRules(builtin); err != nil {
		t.Error(err)
	}
	if got := s.ControlsFor("BG-CA-002")["cis-azure-3.0"]; len(got) != 1 {
		t.Errorf("BG-CA-002 cis controls = %v", got)
	}
}
