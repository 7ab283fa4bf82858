package report_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/config"
	"github.com/breakglass-dev/breakglass/policies/engine"
	"github.com/breakglass-dev/breakglass/report"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const samplePath = "testdata/sample/snapshot.json" // as the user would type it at the repo root
const sampleConfig = "testdata/sample/breakglass.yaml"

// sampleReport scans the bundled sample tenant exactly as `make demo` does.
func sampleReport(t *testing.T) *report.Report {
	t.Helper()
	read := func(p string) []byte {
		data, err := os.ReadFile(filepath.Join("..", p))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	return scanReport(t, read(samplePath), read(sampleConfig))
}

// scanReport scans a snapshot with a config (given as bytes, named as the
// sample files) and builds the report the CLI would.
func scanReport(t *testing.T, snapData, cfgData []byte) *report.Report {
	t.Helper()
	snap, err := snapshot.Parse(samplePath, snapData)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(sampleConfig, cfgData)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	results, err := eng.Scan(context.Background(), engine.Input{Document: snap.Doc, Config: cfg, Now: snap.CollectedAt})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(cfgData)
	return &report.Report{
		Tool:     report.Tool{Name: "breakglass", Version: "0.1.0-test"},
		Snapshot: report.Snapshot{Path: samplePath, SHA256: snap.SHA256, TenantID: snap.TenantID, CollectedAt: snap.CollectedAt},
		Scan:     report.Scan{Now: snap.CollectedAt, Config: &report.File{Path: sampleConfig, SHA256: hex.EncodeToString(sum[:])}},
		Rules:    eng.Rules(), Results: results, Summary: engine.Summarize(results),
		Mappings: eng.Mappings(), IDLines: snapshot.IDLines(snap.Bytes),
		Source: &report.Source{Config: sampleConfig, ConfigLines: cfg.Lines(), Snapshot: samplePath},
	}
}

// snapshotReport is the sample scanned without a config file in the
// repository: SARIF points into the snapshot.
func snapshotReport(t *testing.T) *report.Report {
	r := sampleReport(t)
	r.Source = nil
	return r
}

func emptyReport(t *testing.T) *report.Report {
	r := sampleReport(t)
	r.Results = nil
	r.Summary = engine.Summarize(nil)
	return r
}

func render(t *testing.T, format string, r *report.Report) []byte {
	t.Helper()
	w, err := report.Get(format)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := w.Write(&buf, r); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return buf.Bytes()
}

var extension = map[string]string{"text": "txt", "json": "json", "sarif": "sarif", "junit": "xml", "markdown": "md", "html": "html"}

// TestGolden renders every format twice (byte-identical) and compares with
// testdata/golden; `go test ./report -update` rewrites the files.
func TestGolden(t *testing.T) {
	cases := map[string]*report.Report{"sample": sampleReport(t), "empty": emptyReport(t)}
	for name, rep := range cases {
		for _, format := range report.Formats() {
			t.Run(name+"/"+format, func(t *testing.T) {
				got := render(t, format, rep)
				if again := render(t, format, rep); !bytes.Equal(got, again) {
					t.Fatal("rendering twice gave different bytes")
				}
				path := filepath.Join("testdata", "golden", name+"."+extension[format])
				if *update {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./report -update)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from golden file; if the change is intended, run go test ./report -update and review the diff", path)
				}
			})
		}
	}
}

func TestJSONCarriesEveryResultAndSpecShape(t *testing.T) {
	rep := sampleReport(t)
	var doc struct {
		Tool     map[string]string `json:"tool"`
		Snapshot map[string]any    `json:"snapshot"`
		Results  []map[string]any  `json:"results"`
		Summary  map[string]int    `json:"summary"`
	}
	if err := json.Unmarshal(render(t, "json", rep), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Results) != len(rep.Results) {
		t.Fatalf("JSON has %d results, report %d: JSON must keep pass and not_applicable", len(doc.Results), len(rep.Results))
	}
	for _, k := range []string{"pass", "fail", "error", "manual", "not_applicable"} {
		if _, ok := doc.Summary[k]; !ok {
			t.Errorf("summary lacks %q", k)
		}
	}
	for _, k := range []string{"path", "sha256", "tenantId", "collectedAt"} {
		if doc.Snapshot[k] == nil {
			t.Errorf("snapshot lacks %q", k)
		}
	}
	for _, r := range doc.Results {
		for _, k := range []string{"ruleId", "status", "severity", "resource", "message", "controls"} {
			if r[k] == nil {
				t.Fatalf("result lacks %q: %v", k, r)
			}
		}
	}
}

func TestSARIFShape(t *testing.T) {
	var doc struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID         string         `json:"id"`
						Help       map[string]any `json:"help"`
						Properties map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			AutomationDetails map[string]string `json:"automationDetails"`
			Results           []struct {
				RuleID              string            `json:"ruleId"`
				Kind                string            `json:"kind"`
				Level               string            `json:"level"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
				Locations           []struct {
					PhysicalLocation struct {
						ArtifactLocation map[string]string `json:"artifactLocation"`
						Region           map[string]int    `json:"region"`
					} `json:"physicalLocation"`
					LogicalLocations []map[string]string `json:"logicalLocations"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	rep := snapshotReport(t)
	if err := json.Unmarshal(render(t, "sarif", rep), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(doc.Runs))
	}
	run := doc.Runs[0]
	if !strings.Contains(run.AutomationDetails["id"], rep.Snapshot.TenantID) {
		t.Errorf("automationDetails.id %q does not distinguish the tenant", run.AutomationDetails["id"])
	}
	if len(run.Tool.Driver.Rules) != len(rep.Rules) {
		t.Errorf("%d SARIF rules, catalogue has %d", len(run.Tool.Driver.Rules), len(rep.Rules))
	}
	for _, r := range run.Tool.Driver.Rules {
		tags, _ := r.Properties["tags"].([]any)
		if r.Help["markdown"] == nil || r.Properties["security-severity"] == nil || len(tags) < 3 || tags[0] != "security" {
			t.Errorf("rule %s lacks help, security-severity or tags", r.ID)
		}
	}
	if len(run.Results) == 0 {
		t.Fatal("the sample has findings; SARIF has none")
	}
	for _, res := range run.Results {
		if len(res.PartialFingerprints[report.FingerprintKey]) != 64 {
			t.Errorf("%s: no stable fingerprint", res.RuleID)
		}
		loc := res.Locations[0]
		if loc.PhysicalLocation.ArtifactLocation["uri"] != samplePath || loc.PhysicalLocation.Region["startLine"] < 2 {
			t.Errorf("%s: physical location %+v does not point into the snapshot", res.RuleID, loc.PhysicalLocation)
		}
		if len(loc.LogicalLocations) == 0 {
			t.Errorf("%s: no logical location", res.RuleID)
		}
		if res.Kind != "fail" && res.Kind != "review" || res.Kind == "review" && res.Level != "none" {
			t.Errorf("%s: kind %q level %q; SARIF carries only fail/error (kind fail) and manual (kind review, level none)", res.RuleID, res.Kind, res.Level)
		}
	}

	// A user result points at the user object (its id inside the users
	// data set), not at the first "id" with that value, which is the
	// user's authenticationMethods entry (data sets are sorted by name).
	data, err := os.ReadFile(filepath.Join("..", samplePath))
	if err != nil {
		t.Fatal(err)
	}
	users := 0
	for _, res := range run.Results {
		fqn := res.Locations[0].LogicalLocations[0]["fullyQualifiedName"]
		id, ok := strings.CutPrefix(fqn, "user/")
		if !ok {
			continue
		}
		users++
		want := itemLine(t, data, "users", id)
		if got := res.Locations[0].PhysicalLocation.Region["startLine"]; got != want {
			t.Errorf("%s on %s: startLine %d, want %d (the user's id in dataSets.users)", res.RuleID, fqn, got, want)
		}
		if first := snapshot.IDLines(data).First(id); first == want {
			t.Fatalf("fixture no longer exercises the bug: %s first occurs in the users data set", id)
		}
	}
	if users == 0 {
		t.Fatal("the sample SARIF has no user result to check")
	}
}

// itemLine is the line of the "id" member of the item with this id in a
// data set, found by decoding the document.
func itemLine(t *testing.T, data []byte, set, id string) int {
	t.Helper()
	var doc struct {
		DataSets map[string]struct {
			Items []map[string]any `json:"items"`
		} `json:"dataSets"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for n, item := range doc.DataSets[set].Items {
		if item["id"] == id {
			return snapshot.LineOf(data, fmt.Sprintf("/dataSets/%s/items/%d/id", set, n))
		}
	}
	t.Fatalf("dataSets.%s has no item %s", set, id)
	return 0
}

// TestSARIFNeverCarriesPassOrNotApplicable: GitHub ignores result.kind, so
// a pass or not_applicable result in SARIF would be an open alert, and a
// fixed finding's pass (same fingerprint) would keep its alert open. With
// --include-pass they appear in text and markdown, never in SARIF; JSON
// always has them.
func TestSARIFNeverCarriesPassOrNotApplicable(t *testing.T) {
	rep := sampleReport(t)
	rep.IncludePass = true
	want := map[string]int{}
	hidden := 0
	for _, r := range rep.Results {
		switch r.Status {
		case engine.StatusPass, engine.StatusNotApplicable:
			hidden++
		default:
			want[r.Status]++
		}
	}
	if hidden == 0 || rep.Summary[engine.StatusPass] == 0 || rep.Summary[engine.StatusNotApplicable] == 0 {
		t.Fatalf("the sample needs pass and not_applicable results: %v", rep.Summary)
	}
	var doc struct {
		Runs []struct {
			Results []struct {
				Kind       string         `json:"kind"`
				Level      string         `json:"level"`
				Properties map[string]any `json:"properties"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(render(t, "sarif", rep), &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, r := range doc.Runs[0].Results {
		status, _ := r.Properties["status"].(string)
		got[status]++
		if status == engine.StatusManual && (r.Kind != "review" || r.Level != "none") {
			t.Errorf("manual result: kind %q level %q, want review/none", r.Kind, r.Level)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("SARIF with IncludePass carries %v, want only %v", got, want)
	}
	for _, format := range []string{"text", "markdown"} {
		if out := string(render(t, format, rep)); !strings.Contains(strings.ToLower(out), "pass") || !strings.Contains(strings.ToLower(out), "not_applicable") {
			t.Errorf("%s with IncludePass lacks pass/not_applicable results", format)
		}
	}
}

// TestSubjectLabel: a user subject is an "account", anything else (a
// directory object, a group) an "object", in SARIF and text alike.
func TestSubjectLabel(t *testing.T) {
	rep := sampleReport(t)
	base := engine.Result{RuleID: "BG-CA-002", Status: engine.StatusFail, Severity: "high", Message: "m",
		Resource: engine.Ref{Type: "conditionalAccessPolicy", ID: "c0000001-0000-4000-8000-00000000ca04"}, Fingerprint: strings.Repeat("a", 64)}
	user, group := base, base
	user.Subject = &engine.Ref{Type: "user", ID: "u1", Name: "bg-01@contoso.com"}
	group.Subject = &engine.Ref{Type: "group", ID: "g1", Name: "BG exclusions"}
	group.Fingerprint = strings.Repeat("b", 64)
	rep.Results = []engine.Result{user, group}
	rep.Summary = engine.Summarize(rep.Results)
	sarif, text := string(render(t, "sarif", rep)), string(render(t, "text", rep))
	for _, want := range []string{"; account user bg-01@contoso.com (u1)]", "; object group BG exclusions (g1)]"} {
		if !strings.Contains(sarif, want) {
			t.Errorf("SARIF lacks %q", want)
		}
	}
	if strings.Contains(sarif, "account group") {
		t.Error("SARIF calls a group subject an account")
	}
	for _, want := range []string{"account: user bg-01@contoso.com (u1)", "object: group BG exclusions (g1)"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
}

// TestSARIFLocationByResourceType: each resource type resolves in its own
// data set; a tenant falls back to metadata.tenantId when the organization
// data set lacks it; an unknown id gets line 1.
func TestSARIFLocationByResourceType(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", samplePath))
	if err != nil {
		t.Fatal(err)
	}
	rep := snapshotReport(t)
	tenant := rep.Snapshot.TenantID
	cases := []struct {
		ref  engine.Ref
		want int
	}{
		{engine.Ref{Type: "user", ID: "b9a1e001-0000-4000-8000-00000000b001"}, itemLine(t, data, "users", "b9a1e001-0000-4000-8000-00000000b001")},
		{engine.Ref{Type: "conditionalAccessPolicy", ID: "c0000001-0000-4000-8000-00000000ca04"}, itemLine(t, data, "conditionalAccessPolicies", "c0000001-0000-4000-8000-00000000ca04")},
		{engine.Ref{Type: "tenant", ID: tenant}, itemLine(t, data, "organization", tenant)},
		{engine.Ref{Type: "user", ID: "no-such-id"}, 1},
	}
	for i, c := range cases {
		rep.Results = []engine.Result{{RuleID: "BG-INV-001", Status: engine.StatusFail, Severity: "high", Message: "m", Resource: c.ref, Fingerprint: fmt.Sprintf("%064d", i)}}
		var doc struct {
			Runs []struct {
				Results []struct {
					Locations []struct {
						PhysicalLocation struct {
							Region map[string]int `json:"region"`
						} `json:"physicalLocation"`
					} `json:"locations"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal(render(t, "sarif", rep), &doc); err != nil {
			t.Fatal(err)
		}
		if got := doc.Runs[0].Results[0].Locations[0].PhysicalLocation.Region["startLine"]; got != c.want {
			t.Errorf("%s/%s: startLine %d, want %d", c.ref.Type, c.ref.ID, got, c.want)
		}
	}
	// Without an organization item the tenant points at metadata.tenantId.
	noOrg := strings.Replace(string(data), `"id": "`+tenant+`"`, `"id": "elsewhere"`, 1)
	rep.IDLines = snapshot.IDLines([]byte(noOrg))
	rep.Results = []engine.Result{{RuleID: "BG-INV-001", Status: engine.StatusFail, Severity: "high", Message: "m", Resource: engine.Ref{Type: "tenant", ID: tenant}, Fingerprint: strings.Repeat("c", 64)}}
	if out := string(render(t, "sarif", rep)); !strings.Contains(out, fmt.Sprintf(`"startLine": %d,`, snapshot.LineOf([]byte(noOrg), "/metadata/tenantId"))) {
		t.Error("tenant result does not fall back to metadata.tenantId")
	}
	rep.IDLines = nil
	if out := string(render(t, "sarif", rep)); !strings.Contains(out, `"startLine": 1,`) {
		t.Error("without an index a result does not point at line 1")
	}
}

// TestSARIFValidatesWithMultitool runs Microsoft's SARIF Multitool (make
// sarif-multitool installs it; `make test` sets SARIF_MULTITOOL) with the
// GitHub and SARIF rule sets and requires zero errors and warnings.
func TestSARIFValidatesWithMultitool(t *testing.T) {
	tool := os.Getenv("SARIF_MULTITOOL")
	if tool == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("SARIF_MULTITOOL is not set in CI: run the suite with `make test`")
		}
		t.Skip("SARIF_MULTITOOL not set; `make test` installs and sets it")
	}
	dir := t.TempDir()
	truncated := sampleReport(t)
	var truncatedSARIF bytes.Buffer
	if err := (report.SARIF{MaxResults: 2}).Write(&truncatedSARIF, truncated); err != nil {
		t.Fatal(err)
	}
	// One Multitool run over every file (it starts slowly): the sample
	// anchored to the config, the empty report, the snapshot-anchored
	// fallback and a report truncated to GitHub's limits.
	files := map[string][]byte{
		"sample": render(t, "sarif", sampleReport(t)), "empty": render(t, "sarif", emptyReport(t)),
		"snapshot-anchored": render(t, "sarif", snapshotReport(t)), "truncated": truncatedSARIF.Bytes(),
	}
	args := []string{"validate", "--rule-kind", "Gh;Sarif", "--output", filepath.Join(dir, "validation.sarif")}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name+".sarif"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, name+".sarif")
	}
	sort.Strings(args[5:])
	cmd := exec.Command(tool, args...)
	cmd.Dir = dir
	output, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("multitool failed: %v\n%s", err, output)
	}
	if !strings.Contains(string(output), fmt.Sprintf("%d files scanned", len(files))) {
		t.Fatalf("multitool did not validate all %d files:\n%s", len(files), output)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID  string `json:"ruleId"`
				Level   string `json:"level"`
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "validation.sarif"))
	if err != nil {
		t.Fatalf("no validation log: %v\n%s", err, output)
	}
	if err := json.Unmarshal(raw, &log); err != nil {
		t.Fatal(err)
	}
	for _, run := range log.Runs {
		for _, r := range run.Results {
			if r.Level == "error" || r.Level == "warning" || r.Level == "" {
				file := "?"
				if len(r.Locations) > 0 {
					file = r.Locations[0].PhysicalLocation.ArtifactLocation.URI
				}
				t.Errorf("%s: %s %s: %s", file, r.Level, r.RuleID, r.Message.Text)
			}
		}
	}
}

// Tenant-controlled names cannot forge lines, colours or table cells.
func TestTenantTextIsSanitised(t *testing.T) {
	rep := sampleReport(t)
	rep.Results = append([]engine.Result(nil), rep.Results...)
	for i := range rep.Results {
		if rep.Results[i].Status == engine.StatusFail {
			rep.Results[i].Resource.Name = "evil\r\nFAIL critical BG-FAKE\x1b[31m\u202e|x\\|"
			rep.Results[i].Message = "msg\x00\x07"
			break
		}
	}
	text := string(render(t, "text", rep))
	for _, bad := range []string{"\r", "\x1b", "\u202e", "\x00", "\x07", "\nFAIL critical BG-FAKE"} {
		if strings.Contains(text, bad) {
			t.Errorf("text output contains %q", bad)
		}
	}
	md := string(render(t, "markdown", rep))
	for _, line := range strings.Split(md, "\n") {
		if strings.Contains(line, "evil") && strings.Count(strings.ReplaceAll(line, "\\|", ""), "|") != 7 {
			t.Errorf("markdown row has a forged cell: %q", line)
		}
	}
	// SARIF messages and JUnit carry no control or bidi characters either.
	for _, res := range parseSARIF(t, render(t, "sarif", rep)).Runs[0].Results {
		if strings.ContainsAny(res.Message.Text, "\r\n\x1b\u202e\x00\x07") {
			t.Errorf("SARIF message %q", res.Message.Text)
		}
	}
	if junit := string(render(t, "junit", rep)); strings.ContainsAny(junit, "\x1b\u202e\x00\x07") || strings.Contains(junit, "&#xD;") {
		t.Error("JUnit output carries control or bidi characters")
	}
}

// TestMarkdownTenantTextIsInert: what GitHub renders from tenant text is
// the text, never HTML, a link, an image, code or emphasis.
func TestMarkdownTenantTextIsInert(t *testing.T) {
	rep := sampleReport(t)
	rep.IncludePass = true
	rep.Results = append([]engine.Result(nil), rep.Results[:1]...)
	for _, evil := range []string{
		`<img src=x onerror=alert(1)>`, `<script>alert(1)</script>`, `[click](https://evil.example)`,
		`![x](https://evil.example/x.png)`, `<https://evil.example>`, `https://evil.example/a`, `www.evil.example`,
		`WWW.evil.example`, `mailto:a@evil.example`, `someone@evil.example`, "`code`", `*em* _em_ **b** ~~del~~`,
		`&lt;b&gt;`, `$\huge{x}$`, `a | b`, `\| c`, `[ref]: https://evil.example`,
	} {
		rep.Results[0].Resource.Name = evil
		rep.Results[0].Message = "message " + evil
		md := render(t, "markdown", rep)
		var html bytes.Buffer
		if err := gfm.Convert(md, &html); err != nil {
			t.Fatal(err)
		}
		if m := forbiddenTag.FindString(html.String()); m != "" {
			t.Errorf("%q rendered as %q", evil, m)
		}
		if n := strings.Count(html.String(), "<code>"); n != 3 {
			t.Errorf("%q: %d code spans, want the heading's 3", evil, n)
		}
		if n := strings.Count(html.String(), "<td"); n != 6+6 {
			t.Errorf("%q: %d table cells, want 12 (6 summary counts, 6 columns of the one result)", evil, n)
		}
	}
	rep.Results[0].Message = `message \| c`
	if got, want := string(render(t, "markdown", rep)), "message \\\\\\| c"; !strings.Contains(got, want) {
		t.Errorf("backslash and pipe not escaped: want %q in\n%s", want, got)
	}
}
