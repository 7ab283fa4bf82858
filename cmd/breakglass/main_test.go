package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	sampleSnap   = "../../testdata/sample/snapshot.json"
	sampleConfig = "../../testdata/sample/breakglass.yaml"
)

// run executes the CLI in-process and returns exit code, stdout, stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := newRootCmd()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	code := exitCode(&errOut, cmd.Execute())
	return code, out.String(), errOut.String()
}

func TestScanExitCodes(t *testing.T) {
	dir := t.TempDir()
	badJSON := filepath.Join(dir, "bad.json")
	os.WriteFile(badJSON, []byte("{\n  \"schemaVersion\": 1,\n  oops\n}"), 0o644)
	badConfig := filepath.Join(dir, "bad.yaml")
	os.WriteFile(badConfig, []byte("accounts:\n  - id: nope\n"), 0o644)
	badPolicy := filepath.Join(dir, "policy")
	os.Mkdir(badPolicy, 0o755)
	os.WriteFile(filepath.Join(badPolicy, "broken.rego"), []byte("package breakglass.rules.acme\n\nx := \n"), 0o644)
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"ok", []string{"scan", sampleSnap, "-c", sampleConfig}, 0, "results:"},
		{"fail-on high trips on the CA004 lockout", []string{"scan", sampleSnap, "-c", sampleConfig, "--fail-on", "high"}, 1, ""},
		{"fail-on critical passes", []string{"scan", sampleSnap, "-c", sampleConfig, "--fail-on", "critical"}, 0, ""},
		{"missing snapshot", []string{"scan", filepath.Join(dir, "none.json")}, 2, "cannot read snapshot"},
		{"invalid JSON names the line", []string{"scan", badJSON}, 2, "bad.json:3:"},
		{"bad config names the line", []string{"scan", sampleSnap, "-c", badConfig}, 2, "bad.yaml:2:"},
		{"a bad snapshot is reported before a bad policy compiled alongside it", []string{"scan", badJSON, "-p", badPolicy}, 2, "bad.json:3:"},
		{"a bad policy is reported when the snapshot is fine", []string{"scan", sampleSnap, "-p", badPolicy}, 2, "broken.rego:4:"},
		{"unknown format", []string{"scan", sampleSnap, "-f", "pdf"}, 2, "unknown format"},
		{"bad fail-on", []string{"scan", sampleSnap, "--fail-on", "urgent"}, 2, "--fail-on"},
		{"two formats on stdout", []string{"scan", sampleSnap, "-f", "json", "-f", "text"}, 2, "stdout"},
		{"unwritable output", []string{"scan", sampleSnap, "-f", "sarif", "-o", filepath.Join(dir, "no", "x.sarif")}, 2, "does not exist"},
		{"no argument", []string{"scan"}, 2, "arg"},
		{"two outputs for one format", []string{"scan", sampleSnap, "-f", "json", "-o", filepath.Join(dir, "a"), "-o", filepath.Join(dir, "b")}, 2, "already has an --output"},
		{"unknown flag", []string{"scan", sampleSnap, "--nope"}, 2, "unknown flag"},
		{"bad timeout", []string{"scan", sampleSnap, "--timeout", "0s"}, 2, "--timeout"},
		{"a rule failing at run time is an error result, not exit 2", []string{"scan", sampleSnap, "-c", sampleConfig, "-p", "../../testdata/policies/conflict", "--fail-on", "critical"}, 0, "ACME-BG-900"},
		{"its error trips --fail-on at its severity", []string{"scan", sampleSnap, "-c", sampleConfig, "-p", "../../testdata/policies/conflict", "--fail-on", "high"}, 1, "rule evaluation failed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := run(t, c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.code, out, errOut)
			}
			if c.want != "" && !strings.Contains(out+errOut, c.want) {
				t.Errorf("output does not mention %q:\n%s%s", c.want, out, errOut)
			}
		})
	}
}

func TestScanWritesEachFormatToItsOutput(t *testing.T) {
	dir := t.TempDir()
	sarifPath, jsonPath := filepath.Join(dir, "r.sarif"), filepath.Join(dir, "r.json")
	code, out, errOut := run(t, "scan", sampleSnap, "-c", sampleConfig, "-f", "text", "-f", "sarif", "-o", sarifPath, "-f", "json", "-o", jsonPath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "BG-CA-002") {
		t.Errorf("text summary missing from stdout: %s", out)
	}
	var doc map[string]any
	for _, p := range []string{sarifPath, jsonPath} {
		raw, err := os.ReadFile(p)
		if err != nil || json.Unmarshal(raw, &doc) != nil {
			t.Errorf("%s: not written as JSON: %v", p, err)
		}
	}
	if strings.Contains(string(mustRead(t, jsonPath)), dir) {
		t.Error("report leaks an absolute path")
	}
}

func mustRead(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCatalogueCommands(t *testing.T) {
	code, out, _ := run(t, "rules", "--format", "json")
	var rules []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &rules) != nil || len(rules) < 9 {
		t.Fatalf("rules --format json: exit %d, %d rules", code, len(rules))
	}
	code, out, _ = run(t, "controls")
	if code != 0 || !strings.Contains(out, "AC-3(10)") || !strings.Contains(out, "BG-CA-002") {
		t.Errorf("controls: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "schema")
	if code != 0 || !strings.Contains(out, `"$schema"`) {
		t.Errorf("schema: exit %d", code)
	}
	code, out, _ = run(t, "version")
	if code != 0 || !strings.Contains(out, "OPA") {
		t.Errorf("version: %s", out)
	}
	code, out, _ = run(t, "--help")
	if code != 0 || !strings.Contains(out, "scan") {
		t.Errorf("help: %s", out)
	}
}

// docs/rules.md is generated from the catalogue; regenerate with
// `go run ./cmd/breakglass rules --format markdown > docs/rules.md`.
func TestRulesDocIsCurrent(t *testing.T) {
	code, out, errOut := run(t, "rules", "--format", "markdown")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	doc, err := os.ReadFile("../../docs/rules.md")
	if err != nil || string(doc) != out {
		t.Fatal("docs/rules.md is out of date: go run ./cmd/breakglass rules --format markdown > docs/rules.md")
	}
}

func TestOutputBelongsToThePrecedingFormat(t *testing.T) {
	dir := t.TempDir()
	textPath := filepath.Join(dir, "summary.txt")
	if code, _, errOut := run(t, "scan", sampleSnap, "-c", sampleConfig, "-o", textPath); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(string(mustRead(t, textPath)), "results:") {
		t.Error("--output alone should receive the default text format")
	}
	sarifPath := filepath.Join(dir, "r.sarif")
	code, out, _ := run(t, "scan", sampleSnap, "-c", sampleConfig, "-f", "sarif", "-o", sarifPath, "-f", "text")
	if code != 0 || !strings.Contains(out, "results:") || !strings.Contains(string(mustRead(t, sarifPath)), `"version": "2.1.0"`) {
		t.Errorf("sarif should go to the file and text to stdout (exit %d)", code)
	}
}

func TestScanUserMistakes(t *testing.T) {
	dir := t.TempDir()
	// --output without --format: the extension decides.
	sarifPath := filepath.Join(dir, "r.sarif")
	if code, _, errOut := run(t, "scan", sampleSnap, "-c", sampleConfig, "-o", sarifPath); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(string(mustRead(t, sarifPath)), `"version": "2.1.0"`) {
		t.Error("--output r.sarif alone should write SARIF")
	}
	// --fail-on explains the exit code, in any case.
	code, _, errOut := run(t, "scan", sampleSnap, "-c", sampleConfig, "-f", "sarif", "-o", sarifPath, "--fail-on", "HIGH")
	if code != 1 || !strings.Contains(errOut, "at or above --fail-on high") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	// A baseline newer than the snapshot is a swapped pair.
	scen := "../../testdata/scenarios/drift-since-baseline/"
	code, _, errOut = run(t, "scan", scen+"baseline.json", "-c", scen+"breakglass.yaml", "--baseline", scen+"snapshot.json")
	if code != 2 || !strings.Contains(errOut, "did you swap them") {
		t.Errorf("swapped baseline: exit %d, %q", code, errOut)
	}
	// The JSON report records what was evaluated.
	jsonPath := filepath.Join(dir, "r.json")
	if code, _, errOut := run(t, "scan", scen+"snapshot.json", "-c", scen+"breakglass.yaml", "--baseline", scen+"baseline.json", "-o", jsonPath); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Scan struct {
			Now      string            `json:"now"`
			Config   map[string]string `json:"config"`
			Baseline map[string]string `json:"baseline"`
		} `json:"scan"`
	}
	if err := json.Unmarshal(mustRead(t, jsonPath), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Scan.Now == "" || len(doc.Scan.Config["sha256"]) != 64 || len(doc.Scan.Baseline["sha256"]) != 64 {
		t.Errorf("scan record incomplete: %+v", doc.Scan)
	}
	// No snapshot argument: say what to run.
	if code, _, errOut := run(t, "scan"); code != 2 || !strings.Contains(errOut, "breakglass collect") {
		t.Errorf("no argument: exit %d, %q", code, errOut)
	}
}

func TestScanRefusesToOverwriteItsInputs(t *testing.T) {
	dir := t.TempDir()
	snap := filepath.Join(dir, "snap.json")
	if err := os.WriteFile(snap, mustRead(t, sampleSnap), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := run(t, "scan", snap, "-c", sampleConfig, "-f", "json", "-o", snap)
	if code != 2 || !strings.Contains(errOut, "would overwrite the SNAPSHOT file") {
		t.Errorf("exit %d, %q", code, errOut)
	}
	if string(mustRead(t, snap)) != string(mustRead(t, sampleSnap)) {
		t.Error("the snapshot was modified")
	}
}
