package engine_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/breakglass-dev/breakglass/policies/engine"
)

// Custom-rule tests: fixtures live in testdata/policies (good, bad/*,
// malicious, noverdict); examples/policies has the documented examples.

var customPolicies = filepath.Join("..", "..", "testdata", "policies")

// customInput loads the sample snapshot and config afresh (callers may
// mutate the document).
func customInput(t *testing.T) engine.Input {
	t.Helper()
	snap, cfg := loadSample(t)
	return engine.Input{Document: snap.Doc, Config: cfg, Now: snap.CollectedAt}
}

func customScan(t *testing.T, in engine.Input, dirs ...string) (*engine.Engine, []engine.Result) {
	t.Helper()
	eng, err := engine.New(context.Background(), engine.Options{PolicyDirs: dirs})
	if err != nil {
		t.Fatalf("engine.New(%v): %v", dirs, err)
	}
	results, err := eng.Scan(context.Background(), in)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return eng, results
}

func resultsOf(results []engine.Result, ruleID string) map[string]engine.Result {
	out := map[string]engine.Result{}
	for _, r := range results {
		if r.RuleID == ruleID {
			out[r.Resource.ID] = r
		}
	}
	return out
}

// posRE: every policy error starts with file:line:col.
var posRE = regexp.MustCompile(`^(\S+\.rego):(\d+):(\d+): `)

// TestBadCustomPolicies: every fixture under testdata/policies/bad (and
// malicious) is rejected with a *PolicyError naming file:line:col and the
// problem. A new fixture directory without an expectation fails the test.
func TestBadCustomPolicies(t *testing.T) {
	want := map[string]struct{ file, line, msg string }{
		"bad-id":            {"fx_badid.rego", "1", `custom.id "acme_bg_1" must look like`},
		"missing-id":        {"fx_noid.rego", "1", "METADATA custom.id is missing (add id: ACME-BG-001 under custom:)"},
		"bad-severity":      {"fx_severity.rego", "1", `custom.severity "urgent" must be one of critical, high, medium, low`},
		"builtin-package":   {"fx_builtin_pkg.rego", "2", "package breakglass.rules.bg_ca_002.extra is a built-in package (breakglass.rules.bg_ca_002, declared by policies/rules/bg_ca_002.rego)"},
		"lib-override":      {"fx_lib.rego", "3", "package breakglass.lib.ca is reserved for the built-in library"},
		"outside-rules":     {"fx_outside.rego", "13", "package acme.breakglass is not under breakglass.rules.; the rule would never run"},
		"ref-head-override": {"fx_refhead.rego", "8", "rule lib.ca.waived would define breakglass.lib.ca.waived inside built-in package breakglass.lib"},
		"duplicate-id":      {"fx_dup_b.rego", "1", "rule id ACME-BG-106 is already defined in"},
		"missing-metadata":  {"fx_nometa.rego", "2", "has no package METADATA block with custom.id"},
		"net-lookup":        {"fx_net.rego", "17", "builtin net.lookup_ip_addr is not allowed in the breakglass sandbox"},
		"no-controls":       {"fx_nocontrols.rego", "1", "maps to no controls"},
		"no-results":        {"fx_noresults.rego", "11", "defines no `results contains {...} if` rule"},
		"opa-runtime":       {"fx_runtime.rego", "17", "builtin opa.runtime is not allowed in the breakglass sandbox"},
		"reserved-prefix":   {"fx_reserved.rego", "1", "the BG- prefix is reserved for built-in rules"},
		"syntax-error":      {"fx_syntax.rego", "18", "unexpected } token"},
		"type-error":        {"fx_type.rego", "17", "startswith: invalid argument(s)\n\thave: (number, string)"},
		"unknown-control":   {"fx_control.rego", "1", `unknown iso27001-2022 control "A.99.99"`},
		"unknown-framework": {"fx_framework.rego", "1", `unknown framework "cis-8" (known: iso27001-2022, nist-800-53r5, soc2-2017)`},
		"unknown-key":       {"fx_unknownkey.rego", "1", `unknown field "severty"`},
		"unknown-requires":  {"fx_requires.rego", "1", `custom.requires names unknown data set "fooBar"`},
		"unknown-resource":  {"fx_resource.rego", "1", `custom.resource "mailbox" must be one of`},
	}
	entries, err := os.ReadDir(filepath.Join(customPolicies, "bad"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := want[e.Name()]; !ok {
			t.Errorf("testdata/policies/bad/%s has no expectation in TestBadCustomPolicies", e.Name())
		}
	}
	for name, w := range want {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(customPolicies, "bad", name)
			_, err := engine.New(context.Background(), engine.Options{PolicyDirs: []string{dir}})
			if err == nil {
				t.Fatal("engine.New accepted the policy")
			}
			var pe *engine.PolicyError
			if !errors.As(err, &pe) {
				t.Errorf("error is %T, want *engine.PolicyError (exit 2)", err)
			}
			msg := err.Error()
			m := posRE.FindStringSubmatch(msg)
			if m == nil {
				t.Fatalf("error does not start with file:line:col:\n%s", msg)
			}
			if m[1] != filepath.ToSlash(filepath.Join(dir, w.file)) || m[2] != w.line {
				t.Errorf("error points at %s:%s, want %s:%s\n%s", m[1], m[2], w.file, w.line, msg)
			}
			if !strings.Contains(msg, w.msg) {
				t.Errorf("error does not say %q:\n%s", w.msg, msg)
			}
		})
	}
}

// TestMaliciousPolicyFailsToCompile: a rule that would POST the scanner's
// environment (opa.runtime().env: cloud credentials) to an attacker with
// http.send never compiles, and the error names both builtins and the
// sandbox. Neither the scan engine nor the tester runs it.
func TestMaliciousPolicyFailsToCompile(t *testing.T) {
	dir := filepath.Join(customPolicies, "malicious")
	_, err := engine.New(context.Background(), engine.Options{PolicyDirs: []string{dir}})
	if err == nil {
		t.Fatal("the exfiltration policy compiled")
	}
	file := filepath.ToSlash(filepath.Join(dir, "exfiltrate.rego"))
	for _, want := range []string{
		file + ":20:10: builtin http.send is not allowed in the breakglass sandbox",
		file + ":23:10: builtin opa.runtime is not allowed in the breakglass sandbox",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if _, err := engine.RunTests(context.Background(), []string{dir}, engine.TestOptions{}); err == nil || !strings.Contains(err.Error(), "http.send is not allowed") {
		t.Errorf("policy test on the malicious policy: err = %v, want the sandbox error", err)
	}
}

// TestSandboxForbiddenBuiltinMessages: each forbidden builtin is named as
// "not allowed in the breakglass sandbox" (not a bare "undefined
// function"), a genuinely unknown function keeps OPA's message, and the
// pinned time.now_ns stays available. (print is not in the list: with print
// statements disabled the compiler erases print calls, so they do nothing.)
func TestSandboxForbiddenBuiltinMessages(t *testing.T) {
	cases := map[string]string{
		`x := http.send({"method": "GET", "url": "https://example.com"})`: "builtin http.send is not allowed",
		`x := net.lookup_ip_addr("example.com")`:                          "builtin net.lookup_ip_addr is not allowed",
		`x := net.cidr_contains("10.0.0.0/8", "10.1.1.1")`:                "builtin net.cidr_contains is not allowed",
		`x := opa.runtime()`:         "builtin opa.runtime is not allowed",
		`x := rand.intn("seed", 10)`: "builtin rand.intn is not allowed",
		`x := uuid.rfc4122("seed")`:  "builtin uuid.rfc4122 is not allowed",
		`x if trace("debug")`:        "builtin trace is not allowed",
		`x := no_such.function(1)`:   "undefined function no_such.function",
		`x := time.now_ns()`:         "",
	}
	for body, want := range cases {
		t.Run(body, func(t *testing.T) {
			dir := t.TempDir()
			src := "package breakglass.custom.sandbox\n\nimport rego.v1\n\n" + body + "\n"
			if err := os.WriteFile(filepath.Join(dir, "p.rego"), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			modules, err := engine.LoadModules([]string{dir}, false)
			if err != nil {
				t.Fatal(err)
			}
			_, err = engine.Compile(modules)
			switch {
			case want == "" && err != nil:
				t.Fatalf("compile failed: %v", err)
			case want == "":
			case err == nil:
				t.Fatalf("compiled; want %q", want)
			case !strings.Contains(err.Error(), want) || !posRE.MatchString(err.Error()):
				t.Errorf("error = %v\nwant file:line:col and %q", err, want)
			case strings.HasPrefix(want, "undefined") && strings.Contains(err.Error(), "sandbox"):
				t.Errorf("an unknown function is blamed on the sandbox: %v", err)
			}
		})
	}
}

// TestCustomRuleInCatalogue: a custom rule's METADATA becomes a catalogue
// entry with its controls resolved against the framework catalogues.
func TestCustomRuleInCatalogue(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{PolicyDirs: []string{filepath.Join(customPolicies, "good")}})
	if err != nil {
		t.Fatal(err)
	}
	r, ok := eng.Rule("ACME-BG-001")
	if !ok {
		t.Fatal("ACME-BG-001 not in the catalogue")
	}
	if r.Builtin || r.Severity != "medium" || r.Resource != "account" || r.Package != "data.breakglass.rules.acme_display_name" ||
		!slices.Equal(r.Requires, []string{"users"}) || !strings.HasPrefix(r.Remediation, "Rename") {
		t.Errorf("catalogue entry = %+v", r)
	}
	if !slices.Equal(r.Controls["iso27001-2022"], []string{"A.5.15"}) || !slices.Equal(r.Controls["nist-800-53r5"], []string{"AC-2"}) {
		t.Errorf("controls = %v", r.Controls)
	}
	if _, ok := eng.Rule("BG-INV-001"); !ok {
		t.Error("built-in rules missing beside the custom rule")
	}
}

// TestCustomRuleResults: the custom rule judges each declared account of the
// sample, with the rule's severity, controls and a fingerprint.
func TestCustomRuleResults(t *testing.T) {
	_, results := customScan(t, customInput(t), filepath.Join(customPolicies, "good"))
	got := resultsOf(results, "ACME-BG-001")
	if len(got) != 2 {
		t.Fatalf("ACME-BG-001 results = %v, want one per declared account", got)
	}
	for _, id := range []string{"b9a1e001-0000-4000-8000-00000000b001", "b9a1e001-0000-4000-8000-00000000b002"} {
		r := got[id]
		if r.Status != engine.StatusPass || r.Severity != "medium" || r.Resource.Type != "user" || r.Fingerprint == "" ||
			!slices.Equal(r.Controls["iso27001-2022"], []string{"A.5.15"}) {
			t.Errorf("%s: %+v", id, r)
		}
	}
}

// TestCustomRuleWithoutVerdictIsError: a rule of a closed resource kind
// (account) that stays silent for an account yields `error` for it.
func TestCustomRuleWithoutVerdictIsError(t *testing.T) {
	_, results := customScan(t, customInput(t), filepath.Join(customPolicies, "noverdict"))
	got := resultsOf(results, "ACME-BG-201")
	if got["b9a1e001-0000-4000-8000-00000000b001"].Status != engine.StatusPass {
		t.Errorf("judged account: %+v", got["b9a1e001-0000-4000-8000-00000000b001"])
	}
	silent := got["b9a1e001-0000-4000-8000-00000000b002"]
	if silent.Status != engine.StatusError || silent.Severity != "high" || !strings.Contains(silent.Message, "produced no verdict") {
		t.Errorf("unjudged account: %+v, want error", silent)
	}
}

// TestCustomRuleMissingDataIsError: when a data set a custom rule requires
// is not ok, the engine reports `error` per resource, never the rule's pass.
func TestCustomRuleMissingDataIsError(t *testing.T) {
	in := customInput(t)
	users := in.Document["dataSets"].(map[string]any)["users"].(map[string]any)
	users["status"] = "forbidden"
	users["message"] = "403: User.Read.All not granted"
	_, results := customScan(t, in, filepath.Join(customPolicies, "good"))
	got := resultsOf(results, "ACME-BG-001")
	if len(got) != 2 {
		t.Fatalf("results = %v, want one error per declared account", got)
	}
	for id, r := range got {
		if r.Status != engine.StatusError || !strings.Contains(r.Message, "users is forbidden (403: User.Read.All not granted)") {
			t.Errorf("%s: %+v", id, r)
		}
	}
}

// TestRunTestsCustomDir: `policy test` on a directory runs only its tests
// (not the built-ins'), with coverage of its rule files only.
func TestRunTestsCustomDir(t *testing.T) {
	dir := filepath.Join(customPolicies, "good")
	rep, err := engine.RunTests(context.Background(), []string{dir}, engine.TestOptions{Coverage: true})
	if err != nil {
		t.Fatal(err)
	}
	pass, fail, errored, skip := rep.Counts()
	if pass != 3 || fail+errored+skip != 0 {
		t.Errorf("counts = %d pass %d fail %d error %d skip, want 3 pass", pass, fail, errored, skip)
	}
	for _, r := range rep.Results {
		if !strings.HasPrefix(r.Location.File, filepath.ToSlash(dir)) {
			t.Errorf("ran a test outside %s: %s", dir, r.Location.File)
		}
	}
	if len(rep.Coverage.Files) != 1 || rep.Coverage.Percent != 100 {
		t.Errorf("coverage = %.1f%% over %v, want 100%% of acme_display_name.rego", rep.Coverage.Percent, rep.Coverage.Files)
	}

	rep, err = engine.RunTests(context.Background(), []string{dir}, engine.TestOptions{Run: "fails$"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 1 || rep.Results[0].Name != "test_other_name_fails" {
		t.Errorf("--run fails$ ran %v", rep.Results)
	}
}

// TestRunTestsReportsFailuresAndErrors: a failing test and a test whose
// evaluation errors are both reported; neither aborts the run.
func TestRunTestsReportsFailuresAndErrors(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(customPolicies, "good", "acme_display_name.rego"))
	if err != nil {
		t.Fatal(err)
	}
	tests := `package breakglass.rules.acme_display_name_test

import data.breakglass.rules.acme_display_name
import rego.v1

test_wrong_expectation if {
	count(acme_display_name.results) == 99 with input as {"config": {"accounts": []}}
}

conflict := 1 if true

conflict := 2 if true

test_conflict if conflict == 1

test_ok if true
`
	for name, data := range map[string][]byte{"rule.rego": src, "rule_test.rego": []byte(tests)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := engine.RunTests(context.Background(), []string{dir}, engine.TestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pass, fail, errored, _ := rep.Counts()
	if pass != 1 || fail != 1 || errored != 1 || !rep.Failed() {
		t.Errorf("counts = %d pass %d fail %d error, want 1/1/1", pass, fail, errored)
	}
}

// TestCustomModuleNamespaces: a custom module may not join or extend the
// built-in library or a built-in rule's package (Rego would merge it in),
// nor reach into them with a ref head; a rule outside breakglass.rules. is
// an error because it would never run. Own packages are fine.
func TestCustomModuleNamespaces(t *testing.T) {
	const meta = "# METADATA\n# title: T\n# description: D\n# custom:\n#   id: ACME-BG-901\n#   severity: low\n#   resource: tenant\n#   remediation: R\n#   controls:\n#     iso27001-2022: [A.5.15]\n"
	const results = "\nresults contains {\"status\": \"pass\", \"resource\": data.breakglass.lib.tenant_resource, \"message\": \"ok\"}\n"
	cases := []struct{ name, src, want string }{
		{"lib root", "package breakglass.lib\n\nx := 1\n", "package breakglass.lib is reserved for the built-in library"},
		{"lib new subpackage", "package breakglass.lib.acme\n\nx := 1\n", "package breakglass.lib.acme is reserved for the built-in library"},
		{"lib existing subpackage", "package breakglass.lib.ca\n\nwaived(_) if true\n", "package breakglass.lib.ca is reserved for the built-in library"},
		{"built-in rule package", "package breakglass.rules.bg_ca_002\n\nx := 1\n", "package breakglass.rules.bg_ca_002 is a built-in package"},
		{"built-in rule subpackage", "package breakglass.rules.bg_ca_002.x\n\nx := 1\n", "is a built-in package (breakglass.rules.bg_ca_002"},
		{"ref head into a rule", "package breakglass.rules\n\nbg_ca_002.results contains \"x\" if true\n", "would define breakglass.rules.bg_ca_002.results inside built-in package breakglass.rules.bg_ca_002"},
		{"ref head over the library", "package breakglass\n\nlib[x] := 1 if some x in [\"a\"]\n", "inside built-in package breakglass.lib"},
		{"rule metadata outside rules", meta + "package acme.breakglass\n" + results, "package acme.breakglass is not under breakglass.rules.; the rule would never run"},
		{"results outside rules", "package acme.breakglass\n" + results, "package acme.breakglass is not under breakglass.rules.; the rule would never run"},
		{"rule metadata in breakglass.rules itself", meta + "package breakglass.rules\n" + results, "package breakglass.rules is not under breakglass.rules.; the rule would never run"},
		{"own rule package", meta + "package breakglass.rules.acme_bg_901\n" + results, ""},
		{"name sharing a built-in prefix", meta + "package breakglass.rules.bg_ca_002_acme\n" + results, ""},
		{"own helper package", "package acme.helpers\n\nx := 1\n", ""},
		{"helper under breakglass", "package breakglass.acme\n\nx := 1\n", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "p.rego"), []byte(c.src), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := engine.New(context.Background(), engine.Options{PolicyDirs: []string{dir}})
			if c.want == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			var pe *engine.PolicyError
			if err == nil || !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *PolicyError saying %q", err, c.want)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), filepath.ToSlash(filepath.Join(dir, "p.rego"))+":") || !posRE.MatchString(err.Error()) {
				t.Errorf("error = %v\nwant file:line:col and %q", err, c.want)
			}
		})
	}
}

// TestLibraryOverrideRejectedNotApplied: the reviewer's repro. Before the
// namespace check, this module merged into breakglass.lib.ca and turned
// every BG-CA-002/003 result into not_applicable.
func TestLibraryOverrideRejectedNotApplied(t *testing.T) {
	dir := filepath.Join(customPolicies, "bad", "lib-override")
	if _, err := engine.New(context.Background(), engine.Options{PolicyDirs: []string{dir}}); err == nil {
		t.Fatal("a module in package breakglass.lib.ca was accepted")
	}
	if _, err := engine.RunTests(context.Background(), []string{dir}, engine.TestOptions{}); err == nil {
		t.Fatal("policy test accepted a module in package breakglass.lib.ca")
	}
}

// TestBuiltinDecidedByEmbedding: a --policy directory whose path starts
// with policies/rules/ holds custom rules, not built-in ones: a custom id is
// accepted (not "BG- prefix reserved") and a BG- id is still refused.
func TestBuiltinDecidedByEmbedding(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(customPolicies, "good", "acme_display_name.rego"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	if err := os.MkdirAll(filepath.Join("policies", "rules", "acme"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("policies", "rules", "acme", "acme_display_name.rego"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(context.Background(), engine.Options{PolicyDirs: []string{"policies/rules/acme"}})
	if err != nil {
		t.Fatalf("custom rule under a policies/rules/ path rejected: %v", err)
	}
	r, ok := eng.Rule("ACME-BG-001")
	if !ok || r.Builtin || r.File != "policies/rules/acme/acme_display_name.rego" {
		t.Errorf("ACME-BG-001 = %+v, want a custom rule from policies/rules/acme/acme_display_name.rego", r)
	}
	if b, ok := eng.Rule("BG-CA-002"); !ok || !b.Builtin || b.File != "policies/rules/bg_ca_002.rego" {
		t.Errorf("BG-CA-002 = %+v, want built-in from policies/rules/bg_ca_002.rego", b)
	}

	bg := strings.ReplaceAll(strings.ReplaceAll(string(src), "ACME-BG-001", "BG-EVIL-001"), "acme_display_name", "evil")
	if err := os.WriteFile(filepath.Join("policies", "rules", "acme", "acme_display_name.rego"), []byte(bg), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = engine.New(context.Background(), engine.Options{PolicyDirs: []string{"policies/rules/acme"}})
	if err == nil || !strings.Contains(err.Error(), "the BG- prefix is reserved for built-in rules") {
		t.Errorf("a BG- rule under policies/rules/ passed as built-in: err = %v", err)
	}
}
