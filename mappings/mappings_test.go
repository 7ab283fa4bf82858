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
