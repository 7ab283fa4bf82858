package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const examplePolicies = "../../examples/policies"

// TestPolicyTestExamples runs `breakglass policy test` on the documented
// examples (CI runs them here), in text and JSON, with coverage.
func TestPolicyTestExamples(t *testing.T) {
	code, out, errOut := run(t, "policy", "test", examplePolicies, "--coverage")
	if code != 0 {
		t.Fatalf("policy test examples/policies: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "PASS: 16/16") || !strings.Contains(out, "Coverage: ") {
		t.Errorf("text output:\n%s", out)
	}

	code, out, errOut = run(t, "policy", "test", examplePolicies, "--format", "json", "--coverage", "--run", "two_members")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Tests []struct {
			Package, Name, File, Outcome string
			Row                          int
		}
		Summary  map[string]int
		Coverage struct {
			Files    map[string]any
			Coverage float64
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("JSON output: %v\n%s", err, out)
	}
	if len(doc.Tests) != 5 || doc.Summary["pass"] != 5 || doc.Summary["fail"] != 0 {
		t.Errorf("--run two_members: %+v", doc)
	}
	for _, tc := range doc.Tests {
		if tc.Outcome != "pass" || !strings.HasSuffix(tc.File, "exclusion_group_two_members_test.rego") || tc.Row == 0 ||
			tc.Package != "breakglass.rules.example_exclusion_group_two_members_test" {
			t.Errorf("test entry %+v", tc)
		}
	}
	// Coverage spans the three rule files; only the filtered tests ran, so
	// only exclusion_group_two_members.rego is (fully) covered.
	file, _ := doc.Coverage.Files[examplePolicies+"/exclusion_group_two_members.rego"].(map[string]any)
	if len(doc.Coverage.Files) != 3 || file == nil || file["coverage"].(float64) < 90 || doc.Coverage.Coverage <= 0 {
		t.Errorf("coverage %.1f%% over %v", doc.Coverage.Coverage, doc.Coverage.Files)
	}
}

// TestPolicyTestExitCodes: 1 for failing tests or none run, 2 for usage
// and policy errors (with file:line:col).
func TestPolicyTestExitCodes(t *testing.T) {
	failing := t.TempDir()
	src, err := os.ReadFile(filepath.Join(examplePolicies, "emergency_display_name.rego"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(failing, "rule.rego"), src, 0o644)
	os.WriteFile(filepath.Join(failing, "rule_test.rego"), []byte(`package breakglass.rules.example_emergency_display_name_test

import data.breakglass.rules.example_emergency_display_name as rule
import rego.v1

test_expects_a_result_for_nothing if count(rule.results) == 1 with input as {"config": {"accounts": []}}
`), 0o644)
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"failing test", []string{"policy", "test", failing}, 1, "FAIL: 1/1"},
		{"failing test verbose shows the expression", []string{"policy", "test", failing, "-v"}, 1, "count(rule.results)"},
		{"no test matches --run", []string{"policy", "test", examplePolicies, "--run", "^nothing$"}, 1, `no test name matches --run "^nothing$"`},
		{"no tests in dir", []string{"policy", "test", "../../testdata/policies/noverdict"}, 1, "no test ran"},
		{"malicious policy", []string{"policy", "test", "../../testdata/policies/malicious"}, 2, "exfiltrate.rego:20:10: builtin http.send is not allowed in the breakglass sandbox"},
		{"syntax error", []string{"policy", "test", "../../testdata/policies/bad/syntax-error"}, 2, "fx_syntax.rego:18:1: unexpected } token"},
		{"bad metadata", []string{"policy", "test", "../../testdata/policies/bad/unknown-control"}, 2, `fx_control.rego:1:1: rule ACME-BG-102: custom.controls: unknown iso27001-2022 control "A.99.99"`},
		{"missing dir", []string{"policy", "test", "../../testdata/policies/none"}, 2, "policy test ../../testdata/policies/none: no such directory"},
		{"no dir", []string{"policy", "test"}, 2, "requires at least 1 arg"},
		{"bad format", []string{"policy", "test", examplePolicies, "--format", "xml"}, 2, "--format"},
		{"bad regex", []string{"policy", "test", examplePolicies, "--run", "("}, 2, "--run"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := run(t, c.args...)
			if code != c.code || !strings.Contains(out+errOut, c.want) {
				t.Errorf("exit %d, want %d with %q\nstdout:\n%s\nstderr:\n%s", code, c.code, c.want, out, errOut)
			}
		})
	}
}

// TestPolicyNewScaffoldsPassingRule: every template compiles, its test
// passes, it scans the sample, and existing files are never overwritten.
func TestPolicyNewScaffoldsPassingRule(t *testing.T) {
	dir := t.TempDir()
	for _, kind := range scaffoldKinds {
		sub := filepath.Join(dir, kind)
		code, out, errOut := run(t, "policy", "new", "acme "+kind+" check", "--dir", sub, "--resource", kind, "--severity", "high")
		if code != 0 {
			t.Fatalf("policy new --resource %s: exit %d\n%s%s", kind, code, out, errOut)
		}
		pkg := "acme_" + strings.ReplaceAll(kind, "-", "_") + "_check"
		for _, f := range []string{pkg + ".rego", pkg + "_test.rego"} {
			if _, err := os.Stat(filepath.Join(sub, f)); err != nil {
				t.Errorf("%s not created: %v", f, err)
			}
		}
		code, out, errOut = run(t, "policy", "test", sub)
		if code != 0 || !strings.Contains(out, "PASS: ") {
			t.Errorf("scaffolded %s rule: policy test exit %d\n%s%s", kind, code, out, errOut)
		}
		// The placeholders are flagged (stderr, METADATA position) until replaced.
		warn := filepath.ToSlash(filepath.Join(sub, pkg+".rego")) + `:1:1: warning: rule CUSTOM-ACME-`
		if !strings.Contains(errOut, warn) || !strings.Contains(errOut, `title, description and custom.remediation still hold the "TODO:" placeholder`) {
			t.Errorf("scaffolded %s rule: policy test does not warn about the TODO placeholders:\n%s", kind, errOut)
		}
		code, out, errOut = run(t, "scan", sampleSnap, "-c", sampleConfig, "--policy", sub, "-f", "json")
		if code != 0 || !strings.Contains(out, `"ruleId": "CUSTOM-ACME-`) {
			t.Errorf("scan with the scaffolded %s rule: exit %d\n%s", kind, code, errOut)
		}
	}
	rule := filepath.Join(dir, "account", "acme_account_check.rego")
	before, _ := os.ReadFile(rule)
	code, _, errOut := run(t, "policy", "new", "acme-account-check", "--dir", filepath.Join(dir, "account"))
	after, _ := os.ReadFile(rule)
	if code != 2 || !strings.Contains(errOut, "already exists") || string(before) != string(after) {
		t.Errorf("overwrite: exit %d %s", code, errOut)
	}
	if !strings.Contains(string(before), "id: CUSTOM-ACME-ACCOUNT-CHECK") || !strings.Contains(string(before), "severity: high") {
		t.Errorf("derived id / severity missing:\n%s", before)
	}
	if strings.Contains(string(before), "evidence pack") {
		t.Errorf("the scaffold mentions the evidence pack, which does not exist yet:\n%s", before)
	}
	// With the placeholders replaced, policy test no longer warns.
	finished := strings.NewReplacer(
		`"TODO: what every account must satisfy"`, "Display names are marked",
		"TODO: why this matters", "It matters",
		"TODO: how to fix", "How to fix").Replace(string(before))
	done := filepath.Join(dir, "done")
	os.MkdirAll(done, 0o755)
	os.WriteFile(filepath.Join(done, "acme_account_check.rego"), []byte(finished), 0o644)
	test, _ := os.ReadFile(filepath.Join(dir, "account", "acme_account_check_test.rego"))
	os.WriteFile(filepath.Join(done, "acme_account_check_test.rego"), test, 0o644)
	if code, out, errOut := run(t, "policy", "test", done); code != 0 || strings.Contains(errOut, "warning") {
		t.Errorf("finished rule: exit %d\n%s%s", code, out, errOut)
	}

	for _, c := range []struct{ args []string }{
		{[]string{"policy", "new", "x", "--dir", dir, "--id", "BG-X-001"}},
		{[]string{"policy", "new", "x", "--dir", dir, "--id", "lower-case"}},
		{[]string{"policy", "new", "x", "--dir", dir, "--severity", "urgent"}},
		{[]string{"policy", "new", "x", "--dir", dir, "--resource", "mailbox"}},
		{[]string{"policy", "new", "x", "--dir", dir, "--requires", "nope"}},
		{[]string{"policy", "new", "9lives", "--dir", dir}},
	} {
		if code, _, errOut := run(t, c.args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", c.args, code, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.rego")); err == nil {
		t.Error("a rejected policy new still wrote x.rego")
	}
}

// sampleFacts derives the examples' expected verdicts from the sample
// snapshot and config, so the test follows the sample data.
func sampleFacts(t *testing.T) (names map[string]string, apps map[string]int, groups map[string]int, accounts []string) {
	t.Helper()
	var snap struct {
		DataSets map[string]struct {
			Items []map[string]any `json:"items"`
		} `json:"dataSets"`
	}
	if err := json.Unmarshal(mustRead(t, sampleSnap), &snap); err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Accounts        []map[string]string `yaml:"accounts"`
		ExclusionGroups []string            `yaml:"exclusionGroups"`
	}
	if err := yaml.Unmarshal(mustRead(t, sampleConfig), &cfg); err != nil {
		t.Fatal(err)
	}
	byUPN := map[string]map[string]any{}
	for _, u := range snap.DataSets["users"].Items {
		byUPN[strings.ToLower(u["userPrincipalName"].(string))] = u
	}
	names, apps, groups = map[string]string{}, map[string]int{}, map[string]int{}
	for _, a := range cfg.Accounts {
		u := byUPN[strings.ToLower(a["userPrincipalName"])]
		id := u["id"].(string)
		accounts = append(accounts, id)
		names[id], _ = u["displayName"].(string)
		apps[id] = 0
	}
	for _, o := range snap.DataSets["ownedObjects"].Items {
		for _, obj := range o["ownedObjects"].([]any) {
			typ := obj.(map[string]any)["@odata.type"]
			if typ == "#microsoft.graph.application" || typ == "#microsoft.graph.servicePrincipal" {
				apps[o["id"].(string)]++
			}
		}
	}
	members := map[string]int{}
	for _, g := range snap.DataSets["groupMembers"].Items {
		members[strings.ToLower(g["id"].(string))] = len(g["members"].([]any))
	}
	for _, g := range cfg.ExclusionGroups {
		groups[strings.ToLower(g)] = members[strings.ToLower(g)]
	}
	return names, apps, groups, accounts
}

// TestScanWithExamplePolicies: `scan --policy examples/policies` on the
// sample reports the three example rules exactly like built-ins in every
// output: JSON results (status, severity, controls, fingerprint), SARIF
// rules (descriptions, help, control tags, security-severity) and results
// (ruleIndex, fingerprints), text, markdown and JUnit.
func TestScanWithExamplePolicies(t *testing.T) {
	names, apps, groups, accounts := sampleFacts(t)
	dir := t.TempDir()
	out := func(f string) string { return filepath.Join(dir, f) }
	code, _, errOut := run(t, "scan", sampleSnap, "-c", sampleConfig, "--policy", examplePolicies, "--include-pass",
		"-f", "json", "-o", out("r.json"), "-f", "sarif", "-o", out("r.sarif"), "-f", "text", "-o", out("r.txt"),
		"-f", "markdown", "-o", out("r.md"), "-f", "junit", "-o", out("r.xml"))
	if code != 0 {
		t.Fatalf("scan: exit %d: %s", code, errOut)
	}

	// JSON: one verdict per account (001, 002) and per exclusion group (003).
	var rep struct {
		Results []struct {
			RuleID, Status, Severity, Message, Fingerprint string
			Resource                                       struct{ Type, ID string }
			Controls                                       map[string][]string
		}
	}
	if err := json.Unmarshal(mustRead(t, out("r.json")), &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rep.Results {
		if !strings.HasPrefix(r.RuleID, "EXAMPLE-") {
			continue
		}
		got[r.RuleID+" "+r.Resource.ID] = r.Status
		if r.Fingerprint == "" || r.Message == "" || len(r.Controls["iso27001-2022"]) == 0 || len(r.Controls["nist-800-53r5"]) == 0 || len(r.Controls["soc2-2017"]) == 0 {
			t.Errorf("JSON result lacks fingerprint, message or controls: %+v", r)
		}
		if r.RuleID == "EXAMPLE-BG-001" && (r.Severity != "low" || !slices.Equal(r.Controls["iso27001-2022"], []string{"A.5.16"})) {
			t.Errorf("EXAMPLE-BG-001 severity/controls: %+v", r)
		}
	}
	want := map[string]string{}
	verdict := func(ok bool) string {
		if ok {
			return "pass"
		}
		return "fail"
	}
	for _, id := range accounts {
		want["EXAMPLE-BG-001 "+id] = verdict(strings.HasPrefix(names[id], "EMERGENCY-"))
		want["EXAMPLE-BG-002 "+id] = verdict(apps[id] == 0)
	}
	for gid, n := range groups {
		want["EXAMPLE-BG-003 "+gid] = verdict(n == 2)
	}
	if len(got) != len(want) {
		t.Errorf("example results:\n got %v\nwant %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}

	// SARIF: the custom rules are reportingDescriptors like the built-ins.
	var sarif struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID               string
						Name             string
						FullDescription  struct{ Text string }
						Help             struct{ Text, Markdown string }
						Properties       map[string]any
						ShortDescription struct{ Text string }
					}
				}
			}
			Results []struct {
				RuleID              string
				RuleIndex           int
				Level               string
				PartialFingerprints map[string]string
				Locations           []any
			}
		}
	}
	if err := json.Unmarshal(mustRead(t, out("r.sarif")), &sarif); err != nil {
		t.Fatal(err)
	}
	run0 := sarif.Runs[0]
	index := map[string]int{}
	for i, r := range run0.Tool.Driver.Rules {
		index[r.ID] = i
		if !strings.HasPrefix(r.ID, "EXAMPLE-") {
			continue
		}
		tags, _ := r.Properties["tags"].([]any)
		var tagStrs []string
		for _, tag := range tags {
			tagStrs = append(tagStrs, tag.(string))
		}
		if r.Name == "" || r.ShortDescription.Text == "" || r.FullDescription.Text == "" ||
			!strings.Contains(r.Help.Markdown, "### Remediation") || r.Properties["security-severity"] == nil ||
			!slices.Contains(tagStrs, "security") {
			t.Errorf("SARIF rule %s incomplete: %+v", r.ID, r)
		}
		if r.ID == "EXAMPLE-BG-003" && !(slices.Contains(tagStrs, "iso27001-2022:A.5.18") && slices.Contains(tagStrs, "nist-800-53r5:AC-3(10)") && slices.Contains(tagStrs, "soc2-2017:CC6.2")) {
			t.Errorf("EXAMPLE-BG-003 tags %v lack its controls", tagStrs)
		}
	}
	for _, id := range []string{"EXAMPLE-BG-001", "EXAMPLE-BG-002", "EXAMPLE-BG-003"} {
		if _, ok := index[id]; !ok {
			t.Errorf("SARIF rules lack %s", id)
		}
	}
	sarifResults := 0
	for _, r := range run0.Results {
		if !strings.HasPrefix(r.RuleID, "EXAMPLE-") {
			continue
		}
		sarifResults++
		if index[r.RuleID] != r.RuleIndex || len(r.PartialFingerprints) == 0 || len(r.Locations) == 0 {
			t.Errorf("SARIF result %+v: ruleIndex %d, want %d; needs fingerprints and locations", r, r.RuleIndex, index[r.RuleID])
		}
	}
	fails := 0 // SARIF never carries pass results, even with --include-pass
	for _, v := range want {
		if v == "fail" {
			fails++
		}
	}
	if sarifResults != fails {
		t.Errorf("SARIF has %d example results with --include-pass, want %d (the fails only)", sarifResults, fails)
	}

	// Text, Markdown, JUnit name the custom rules too.
	for _, f := range []string{"r.txt", "r.md", "r.xml"} {
		body := string(mustRead(t, out(f)))
		for _, id := range []string{"EXAMPLE-BG-001", "EXAMPLE-BG-002", "EXAMPLE-BG-003"} {
			if !strings.Contains(body, id) {
				t.Errorf("%s does not mention %s", f, id)
			}
		}
	}
	if txt := string(mustRead(t, out("r.txt"))); !strings.Contains(txt, `is named "`+names[accounts[0]]+`"`) {
		t.Errorf("text output lacks the EXAMPLE-BG-001 message:\n%s", txt)
	}
}

// TestScanDumpInput: --dump-input writes the document the rules see, with
// the config merged in, for `opa eval -i`.
func TestScanDumpInput(t *testing.T) {
	path := filepath.Join(t.TempDir(), "input.json")
	if code, _, errOut := run(t, "scan", sampleSnap, "-c", sampleConfig, "--dump-input", path); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc map[string]any
	if err := json.Unmarshal(mustRead(t, path), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schemaVersion", "metadata", "dataSets", "config"} {
		if doc[k] == nil {
			t.Errorf("input lacks %q", k)
		}
	}
	if accts, _ := doc["config"].(map[string]any)["accounts"].([]any); len(accts) == 0 {
		t.Errorf("config.accounts missing from the dumped input")
	}
	if code, _, errOut := run(t, "scan", sampleSnap, "--dump-input", filepath.Join(t.TempDir(), "no", "x.json")); code != 2 {
		t.Errorf("unwritable --dump-input: exit %d %s", code, errOut)
	}
}

// A --mappings file that maps a rule id no loaded rule has is a usage error
// naming the file, the line and the nearest rule id (here for controls and
// policy test; scan loads the engine the same way).
func TestMappingsFileWithUnknownRule(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cis.yaml")
	os.WriteFile(path, []byte("framework:\n  id: cis-azure-3.0\n  title: CIS\ncontrols:\n  - id: \"1.1.1\"\n    title: Emergency access accounts\nrules:\n  \"BG-CA-01\":\n    cis-azure-3.0: [\"1.1.1\"]\n"), 0o644)
	want := path + ":8: rules.BG-CA-01: no such rule (did you mean BG-CA-001?)"
	for _, args := range [][]string{
		{"controls", "--mappings", path},
		{"policy", "test", examplePolicies, "--mappings", path},
	} {
		if code, _, errOut := run(t, args...); code != 2 || !strings.Contains(errOut, want) {
			t.Errorf("%v: exit %d, want 2 with %q\n%s", args, code, want, errOut)
		}
	}
}
