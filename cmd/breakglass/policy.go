package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/mappings"
	"github.com/breakglass-dev/breakglass/policies/engine"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/spf13/cobra"
)

func newPolicyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Write and test custom Rego rules",
		Long: `Write and test custom Rego rules for breakglass scan --policy.

See docs/custom-rules.md for the input document, the METADATA schema and the
helper library (data.breakglass.lib).`,
		Example: `  breakglass policy new display_name_prefix --dir policies-acme --id ACME-BG-001
  breakglass policy test policies-acme
  breakglass scan snapshot.json --policy policies-acme`,
	}
	cmd.AddCommand(newPolicyTestCmd(), newPolicyNewCmd())
	return cmd
}

// --- policy test ---------------------------------------------------------------

type policyTestOptions struct {
	verbose  bool
	run      string
	coverage bool
	format   string
	timeout  time.Duration
	mappings []string
}

func newPolicyTestCmd() *cobra.Command {
	var o policyTestOptions
	cmd := &cobra.Command{
		Use:   "test DIR...",
		Short: "Run the Rego unit tests (test_ rules) of custom policies",
		Long: `Run the test_ rules of every .rego file under DIR with OPA's tester, the way
opa test does, on the same compiler as breakglass scan: the built-in helper
library (data.breakglass.lib) and rules are on the load path, the sandbox
applies, and each custom rule's METADATA is checked.

Exit codes: 0 every test passed; 1 a test failed or errored, or no test ran;
2 usage error, or a policy does not parse, compile or declare valid METADATA.`,
		Example: `  breakglass policy test ./policies-acme
  breakglass policy test ./policies-acme -v --run 'display_name'
  breakglass policy test ./policies-acme --coverage --format json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPolicyTest(cmd, args, o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.verbose, "verbose", "v", false, "print every test and, for failures, the failing expression")
	f.StringVarP(&o.run, "run", "r", "", "run only tests whose name matches this regular expression")
	f.BoolVar(&o.coverage, "coverage", false, "report line coverage of the policy files (test files excluded)")
	f.StringVarP(&o.format, "format", "f", "text", "output format: text, json")
	f.DurationVar(&o.timeout, "timeout", engine.DefaultTestTimeout, "time limit for each test")
	f.StringArrayVar(&o.mappings, "mappings", nil, "extra control framework file the rules map to (repeatable, as for scan)")
	return cmd
}

func runPolicyTest(cmd *cobra.Command, dirs []string, o policyTestOptions) error {
	if o.format != "text" && o.format != "json" {
		return usageError("--format %q: use text or json", o.format)
	}
	if o.run != "" {
		if _, err := regexp.Compile(o.run); err != nil {
			return usageError("--run %q: %v", o.run, err)
		}
	}
	maps, err := mappings.LoadBuiltin()
	if err != nil {
		return err
	}
	for _, path := range o.mappings {
		if err := maps.AddFile(path); err != nil {
			return err
		}
	}
	rep, err := engine.RunTests(cmd.Context(), dirs, engine.TestOptions{
		Run: o.run, Trace: o.verbose, Coverage: o.coverage, Timeout: o.timeout, Mappings: maps,
	})
	if err != nil {
		return err
	}
	for _, w := range rep.Warnings {
		fmt.Fprintln(cmd.ErrOrStderr(), w)
	}
	out := cmd.OutOrStdout()
	if o.format == "json" {
		err = writeTestJSON(out, rep)
	} else {
		err = writeTestText(out, rep, o.verbose)
	}
	if err != nil {
		return err
	}
	if len(rep.Results) == 0 {
		msg := "no test ran: add test_ rules in *_test.rego files under " + strings.Join(dirs, ", ")
		if o.run != "" {
			msg = fmt.Sprintf("no test name matches --run %q", o.run)
		}
		return &exitError{code: exitFindings, err: errors.New(msg)}
	}
	if rep.Failed() {
		return &exitError{code: exitFindings}
	}
	return nil
}

func writeTestText(w io.Writer, rep *engine.TestReport, verbose bool) error {
	ch := make(chan *tester.Result, len(rep.Results))
	for _, r := range rep.Results {
		ch <- r
	}
	close(ch)
	pr := tester.PrettyReporter{Output: w, Verbose: verbose, FailureLine: verbose, LocalVars: verbose}
	if err := pr.Report(ch); err != nil {
		return err
	}
	if c := rep.Coverage; c != nil {
		fmt.Fprintf(w, "Coverage: %.2f%% (%d of %d lines in %d policy files)\n",
			c.Percent, c.CoveredLines, c.CoveredLines+c.NotCoveredLines, len(c.Files))
		if verbose {
			for _, name := range slices.Sorted(maps.Keys(c.Files)) {
				f := c.Files[name]
				fmt.Fprintf(w, "  %s: %.2f%%", name, f.Coverage)
				for _, r := range f.NotCovered {
					if r.Start.Row == r.End.Row {
						fmt.Fprintf(w, " -%d", r.Start.Row)
					} else {
						fmt.Fprintf(w, " -%d..%d", r.Start.Row, r.End.Row)
					}
				}
				fmt.Fprintln(w)
			}
		}
	}
	return nil
}

// testJSON is the --format json document: one entry per test plus the
// summary (and coverage with --coverage).
type testJSON struct {
	Tests    []testCaseJSON   `json:"tests"`
	Summary  map[string]int   `json:"summary"`
	Coverage *engine.Coverage `json:"coverage,omitempty"`
}

type testCaseJSON struct {
	Package    string `json:"package"`
	Name       string `json:"name"`
	File       string `json:"file"`
	Row        int    `json:"row"`
	Outcome    string `json:"outcome"` // pass, fail, error, skip
	DurationNs int64  `json:"duration_ns"`
	Error      string `json:"error,omitempty"`
	FailedAt   string `json:"failed_at,omitempty"`
	Output     string `json:"output,omitempty"`
}

func writeTestJSON(w io.Writer, rep *engine.TestReport) error {
	pass, fail, errored, skip := rep.Counts()
	doc := testJSON{
		Tests:    make([]testCaseJSON, 0, len(rep.Results)),
		Summary:  map[string]int{"pass": pass, "fail": fail, "error": errored, "skip": skip},
		Coverage: rep.Coverage,
	}
	for _, r := range rep.Results {
		tc := testCaseJSON{
			Package: strings.TrimPrefix(r.Package, "data."), Name: r.Name,
			File: r.Location.File, Row: r.Location.Row, DurationNs: r.Duration.Nanoseconds(),
			Output: string(r.Output),
		}
		switch {
		case r.Skip:
			tc.Outcome = "skip"
		case r.Error != nil:
			tc.Outcome, tc.Error = "error", r.Error.Error()
		case r.Fail:
			tc.Outcome = "fail"
			if r.FailedAt != nil {
				tc.FailedAt = fmt.Sprintf("%s:%d: %s", r.FailedAt.Location.File, r.FailedAt.Location.Row, r.FailedAt.String())
			}
		default:
			tc.Outcome = "pass"
		}
		doc.Tests = append(doc.Tests, tc)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// --- policy new ----------------------------------------------------------------

type policyNewOptions struct {
	dir      string
	id       string
	title    string
	severity string
	resource string
	requires []string
}

func newPolicyNewCmd() *cobra.Command {
	var o policyNewOptions
	cmd := &cobra.Command{
		Use:   "new NAME",
		Short: "Scaffold a custom rule and its test",
		Long: `Write NAME.rego and NAME_test.rego (in the current directory, or --dir): a
custom rule with complete METADATA and a unit test that both pass
breakglass policy test as generated. Edit the check, the messages, the
remediation and the controls, then run breakglass policy test DIR.

NAME becomes the Rego package breakglass.rules.NAME (lower case, '-' and
spaces become '_'). Existing files are never overwritten.`,
		Example: `  breakglass policy new display_name_prefix --dir policies-acme --id ACME-BG-001
  breakglass policy new exclusion-group-size --resource exclusion-group --requires groupMembers --severity high`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPolicyNew(cmd, args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.dir, "dir", "d", ".", "directory to write the files into (created if missing)")
	f.StringVar(&o.id, "id", "", "rule id, e.g. ACME-BG-001 (default: CUSTOM- plus NAME in upper case)")
	f.StringVar(&o.title, "title", "", "rule title (default: a placeholder to edit)")
	f.StringVar(&o.severity, "severity", "medium", "severity: "+strings.Join(engine.Severities, ", "))
	f.StringVar(&o.resource, "resource", "account", "what the rule judges: "+strings.Join(scaffoldKinds, ", "))
	f.StringSliceVar(&o.requires, "requires", nil, "data sets the rule needs (comma-separated; default: what the template reads)")
	return cmd
}

// scaffoldKinds are the resource kinds policy new has templates for.
var scaffoldKinds = []string{"account", "tenant", "exclusion-group"}

var (
	policyNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	ruleIDRE     = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$`)
)

type scaffold struct {
	Package, ID, Title, Severity, Resource string
	Requires                               string
}

func runPolicyNew(cmd *cobra.Command, name string, o policyNewOptions) error {
	pkg := strings.ToLower(strings.NewReplacer("-", "_", " ", "_", ".", "_").Replace(strings.TrimSuffix(name, ".rego")))
	if !policyNameRE.MatchString(pkg) {
		return usageError("NAME %q: use letters, digits, '_' or '-', starting with a letter (it becomes the package breakglass.rules.%s)", name, pkg)
	}
	s := scaffold{Package: pkg, ID: o.id, Title: o.title, Severity: o.severity, Resource: o.resource}
	if s.ID == "" {
		s.ID = "CUSTOM-" + strings.ToUpper(strings.ReplaceAll(pkg, "_", "-"))
	}
	switch {
	case !ruleIDRE.MatchString(s.ID):
		return usageError("--id %q must look like ACME-BG-001 (upper-case words joined by dashes)", s.ID)
	case strings.HasPrefix(s.ID, "BG-"):
		return usageError("--id %q: the BG- prefix is reserved for built-in rules; prefix custom rules with your organisation (e.g. ACME-BG-001)", s.ID)
	case engine.SeverityRank(s.Severity) == 0:
		return usageError("--severity %q: use one of %s", s.Severity, strings.Join(engine.Severities, ", "))
	case !slices.Contains(scaffoldKinds, s.Resource):
		return usageError("--resource %q: policy new has templates for %s; for other kinds start from one of them and change custom.resource (see docs/custom-rules.md)", s.Resource, strings.Join(scaffoldKinds, ", "))
	}
	requires := o.requires
	if requires == nil {
		requires = []string{"users"}
		if s.Resource == "exclusion-group" {
			requires = []string{"groupMembers"}
		}
	}
	for _, ds := range requires {
		if !slices.Contains(snapshot.Names, ds) {
			return usageError("--requires %q is not a data set (known: %s)", ds, strings.Join(snapshot.Names, ", "))
		}
	}
	s.Requires = "[" + strings.Join(requires, ", ") + "]"
	if s.Title == "" {
		s.Title = engine.PlaceholderMarker + " what every " + strings.ReplaceAll(s.Resource, "-", " ") + " must satisfy"
	}

	files := map[string]*template.Template{pkg + ".rego": ruleTemplates[s.Resource], pkg + "_test.rego": testTemplates[s.Resource]}
	rendered := map[string][]byte{}
	for file, tpl := range files {
		var buf bytes.Buffer
		if err := tpl.Execute(&buf, s); err != nil {
			return err
		}
		rendered[file] = buf.Bytes()
	}
	for file := range rendered {
		path := filepath.Join(o.dir, file)
		if _, err := os.Lstat(path); err == nil {
			return usageError("%s already exists: policy new never overwrites; choose another NAME or --dir", path)
		}
	}
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return usageError("--dir %s: %v", o.dir, err)
	}
	var written []string
	for _, file := range []string{pkg + ".rego", pkg + "_test.rego"} {
		path := filepath.Join(o.dir, file)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			for _, p := range written {
				_ = os.Remove(p)
			}
			return usageError("%s: %v", path, err)
		}
		_, werr := f.Write(rendered[file])
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("write %s: %w", path, werr)
		}
		written = append(written, path)
	}
	w := cmd.OutOrStdout()
	for _, p := range written {
		fmt.Fprintf(w, "created %s\n", p)
	}
	fmt.Fprintf(w, "rule %s (package breakglass.rules.%s): edit the check and replace every %s in METADATA, then run\n  breakglass policy test %s\n  breakglass scan SNAPSHOT --policy %s\n", s.ID, pkg, engine.PlaceholderMarker, o.dir, o.dir)
	return nil
}

// --- templates ----------------------------------------------------------------
// Delimiters are <% %> so that Rego's braces need no escaping.

func scaffoldTemplate(name, text string) *template.Template {
	return template.Must(template.New(name).Delims("<%", "%>").Parse(text))
}

const metadataTemplate = `# METADATA
# title: <% printf "%q" .Title %>
# description: |
#   TODO: why this matters for emergency access, and exactly what passes.
#   Shown in SARIF (fullDescription) and the reports.
# custom:
#   id: <% .ID %>
#   severity: <% .Severity %>
#   resource: <% .Resource %>
#   requires: <% .Requires %>
#   remediation: |
#     TODO: how to fix a failure (portal path, PowerShell or Graph call).
#   controls:
#     iso27001-2022: [A.5.15]
#     nist-800-53r5: [AC-2]
#     soc2-2017: [CC6.1]
package breakglass.rules.<% .Package %>

import data.breakglass.lib
import rego.v1
`

var ruleTemplates = map[string]*template.Template{
	"account": scaffoldTemplate("account", metadataTemplate+`
# compliant is the check, for one declared account a (an element of
# lib.accounts: a.id, a.upn, a.user = the Graph user object). TODO: replace.
compliant(a) if a.user.accountEnabled == true

# Every declared account gets exactly one verdict: the engine reports
# "error" for any account a rule of resource "account" leaves unjudged.
results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("%s: TODO say why it passes", [a.upn]),
} if {
	some a in lib.accounts
	a.exists
	compliant(a)
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("%s: TODO say what is wrong", [a.upn]),
} if {
	some a in lib.accounts
	a.exists
	not compliant(a)
}
`),
	"tenant": scaffoldTemplate("tenant", metadataTemplate+`
# compliant is the tenant-wide check. TODO: replace.
compliant if count(lib.accounts) >= 2

results contains {
	"status": "pass",
	"resource": lib.tenant_resource,
	"message": sprintf("TODO say why it passes (%d declared accounts)", [count(lib.accounts)]),
} if compliant

results contains {
	"status": "fail",
	"resource": lib.tenant_resource,
	"message": sprintf("TODO say what is wrong (%d declared accounts)", [count(lib.accounts)]),
} if not compliant
`),
	"exclusion-group": scaffoldTemplate("exclusion-group", metadataTemplate+`
# compliant is the check for one exclusion group (object id gid, members
# from the groupMembers data set). TODO: replace.
compliant(gid) if count(lib.group_members(gid)) > 0

# Every exclusion group in breakglass.yaml gets exactly one verdict.
results contains {
	"status": "pass",
	"resource": lib.group_resource(gid),
	"message": sprintf("exclusion group %s: TODO say why it passes", [lib.group_resource(gid).name]),
} if {
	some gid in lib.exclusion_groups
	compliant(gid)
}

results contains {
	"status": "fail",
	"resource": lib.group_resource(gid),
	"message": sprintf("exclusion group %s: TODO say what is wrong", [lib.group_resource(gid).name]),
} if {
	some gid in lib.exclusion_groups
	not compliant(gid)
}
`),
}

const testHeader = `# Unit tests for <% .ID %>: run with
#   breakglass policy test DIR
package breakglass.rules.<% .Package %>_test

import data.breakglass.rules.<% .Package %>
import rego.v1

tenant := "00000000-0000-4000-8000-000000000000"

bg1 := "00000000-0000-4000-8000-0000000000b1"

# statuses maps each result's resource id to its status.
statuses(results) := {r.resource.id: r.status | some r in results}
`

var testTemplates = map[string]*template.Template{
	"account": scaffoldTemplate("account_test", testHeader+`
# doc is a minimal snapshot: one declared account. Extend it with the data
# sets your rule reads (see docs/custom-rules.md, "The input document").
doc(user) := {
	"metadata": {"tenantId": tenant, "collectedAt": "2026-11-20T06:00:00Z"},
	"config": {"accounts": [{"id": bg1}]},
	"dataSets": {"users": {"status": "ok", "items": [user]}},
}

good_user := {"id": bg1, "userPrincipalName": "bg-01@contoso.onmicrosoft.com", "accountEnabled": true}

test_compliant_account_passes if {
	statuses(<% .Package %>.results) == {bg1: "pass"} with input as doc(good_user)
}

test_noncompliant_account_fails if {
	statuses(<% .Package %>.results) == {bg1: "fail"} with input as doc(object.union(good_user, {"accountEnabled": false}))
}

test_missing_account_is_not_applicable if {
	statuses(<% .Package %>.results) == {bg1: "not_applicable"} with input as doc({"id": "someone-else", "userPrincipalName": "x@contoso.com"})
}
`),
	"tenant": scaffoldTemplate("tenant_test", testHeader+`
doc(accounts) := {
	"metadata": {"tenantId": tenant, "collectedAt": "2026-11-20T06:00:00Z"},
	"config": {"accounts": accounts},
	"dataSets": {"users": {"status": "ok", "items": []}},
}

test_two_accounts_pass if {
	statuses(<% .Package %>.results) == {tenant: "pass"} with input as doc([{"id": bg1}, {"id": "b2"}])
}

test_one_account_fails if {
	statuses(<% .Package %>.results) == {tenant: "fail"} with input as doc([{"id": bg1}])
}
`),
	"exclusion-group": scaffoldTemplate("exclusion-group_test", testHeader+`
group := "00000000-0000-4000-8000-0000000000e1"

doc(members) := {
	"metadata": {"tenantId": tenant, "collectedAt": "2026-11-20T06:00:00Z"},
	"config": {"exclusionGroups": [group]},
	"dataSets": {"groupMembers": {"status": "ok", "items": [{"id": group, "members": members}]}},
}

test_group_with_members_passes if {
	statuses(<% .Package %>.results) == {group: "pass"} with input as doc([{"@odata.type": "#microsoft.graph.user", "id": bg1}])
}

test_empty_group_fails if {
	statuses(<% .Package %>.results) == {group: "fail"} with input as doc([])
}
`),
}
