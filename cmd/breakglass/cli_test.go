package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// Every command a user can reach shows at least one example in --help.
func TestEveryCommandHasAnExample(t *testing.T) {
	var visit func(c *cobra.Command)
	seen := 0
	visit = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		seen++
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%s has no Example", c.CommandPath())
		}
		args := append(strings.Fields(c.CommandPath())[1:], "--help")
		code, out, _ := run(t, args...)
		if code != 0 || !strings.Contains(out, "Examples:\n") {
			t.Errorf("%s --help: exit %d, no examples:\n%s", c.CommandPath(), code, out)
		}
		for _, sub := range c.Commands() {
			visit(sub)
		}
	}
	visit(newRootCmd())
	// root, collect, scan, rules, controls, schema, version, completion,
	// policy, policy test, policy new at least
	if seen < 11 {
		t.Errorf("visited %d commands", seen)
	}
}

func TestCompletion(t *testing.T) {
	for shell, marker := range map[string]string{
		"bash":       "__start_breakglass",
		"zsh":        "#compdef breakglass",
		"fish":       "complete -c breakglass",
		"powershell": "Register-ArgumentCompleter -CommandName 'breakglass'",
	} {
		code, out, errOut := run(t, "completion", shell)
		if code != 0 || !strings.Contains(out, marker) || errOut != "" {
			t.Errorf("completion %s: exit %d, marker %q missing or stderr %q", shell, code, marker, errOut)
		}
	}
	for _, args := range [][]string{{"completion"}, {"completion", "tcsh"}, {"completion", "bash", "zsh"}} {
		if code, _, errOut := run(t, args...); code != 2 || !strings.Contains(errOut, "bash, zsh, fish or powershell") {
			t.Errorf("%v: exit %d, %s", args, code, errOut)
		}
	}
	// What the scripts call: the completions must name real commands and flags.
	_, out, _ := run(t, "__complete", "")
	for _, want := range []string{"scan\t", "collect\t", "completion\t", "policy\t"} {
		if !strings.Contains(out, want) {
			t.Errorf("completing a command does not offer %q:\n%s", want, out)
		}
	}
	_, out, _ = run(t, "__complete", "scan", "--fa")
	if !strings.Contains(out, "--fail-on") {
		t.Errorf("completing scan --fa does not offer --fail-on:\n%s", out)
	}
	_, out, _ = run(t, "__complete", "completion", "")
	if !strings.Contains(out, "powershell") {
		t.Errorf("completing completion does not offer the shells:\n%s", out)
	}
}

// breakglass writes no colour and no terminal escape sequences anywhere, so
// NO_COLOR (https://no-color.org) holds without a --no-color flag. This
// test keeps it that way: a writer that adds colour must honour NO_COLOR
// and add --no-color.
func TestNoColourOrEscapeSequences(t *testing.T) {
	t.Setenv("TERM", "xterm-256color")
	t.Setenv("CLICOLOR_FORCE", "1")
	dir := t.TempDir()
	for _, args := range [][]string{
		{"scan", sampleSnap, "-c", sampleConfig, "--include-pass"},
		{"scan", sampleSnap, "-c", sampleConfig, "-f", "markdown"},
		{"scan", sampleSnap, "-c", sampleConfig, "--fail-on", "low"},
		{"scan", filepath.Join(dir, "missing.json")},
		{"rules"}, {"controls"}, {"version"}, {"--help"}, {"scan", "--help"},
		{"policy", "test", "../../examples/policies", "-v"},
		{"collect", "--auth", "token", "-o", filepath.Join(dir, "s.json")},
	} {
		_, out, errOut := run(t, args...)
		if strings.ContainsRune(out+errOut, '\x1b') {
			t.Errorf("%v writes an escape sequence", args)
		}
	}
}

// --quiet silences notes on stderr, never errors, and never changes a report.
func TestQuiet(t *testing.T) {
	// A snapshot without a recorded config and no --config: scan notes
	// that it runs in discovery mode.
	snap := filepath.Join(t.TempDir(), "no-config.json")
	if err := os.WriteFile(snap, mustRead(t, sampleSnap), 0o600); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(mustRead(t, snap), &doc); err != nil || doc["config"] != nil {
		t.Fatalf("the sample snapshot records a config (%v): this test needs one without", err)
	}

	code, loud, loudErr := run(t, "scan", snap, "-f", "json")
	if code != 0 || !strings.Contains(loudErr, "discovery mode") {
		t.Fatalf("without --quiet: exit %d, stderr %q", code, loudErr)
	}
	for _, q := range []string{"--quiet", "-q"} {
		code, out, errOut := run(t, "scan", snap, "-f", "json", q)
		if code != 0 || errOut != "" {
			t.Errorf("scan %s: exit %d, stderr %q", q, code, errOut)
		}
		if out != loud {
			t.Errorf("scan %s changed the report", q)
		}
	}
	// Before the subcommand too: the flag is the root's.
	if code, _, errOut := run(t, "-q", "scan", snap, "-f", "json"); code != 0 || errOut != "" {
		t.Errorf("breakglass -q scan: exit %d, stderr %q", code, errOut)
	}

	// Errors always print.
	if code, _, errOut := run(t, "scan", "-q", filepath.Join(t.TempDir(), "missing.json")); code != 2 || !strings.Contains(errOut, "missing.json") {
		t.Errorf("scan -q on a missing file: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := run(t, "scan", "-q", sampleSnap, "-c", sampleConfig, "--fail-on", "high"); code != 1 || !strings.Contains(errOut, "at or above --fail-on high") {
		t.Errorf("scan -q --fail-on high: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := run(t, "collect", "-q", "-v"); code != 2 || !strings.Contains(errOut, "contradict") {
		t.Errorf("collect -q -v: exit %d, stderr %q", code, errOut)
	}
	for _, c := range []string{"rules", "controls", "schema", "version", "policy"} {
		if code, _, errOut := run(t, c, "--quiet"); code != 0 || errOut != "" {
			t.Errorf("%s --quiet: exit %d, stderr %q", c, code, errOut)
		}
	}
}
