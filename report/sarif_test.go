package report_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/breakglass-dev/breakglass/config"
	"github.com/breakglass-dev/breakglass/policies/engine"
	"github.com/breakglass-dev/breakglass/report"
)

// sarifLog is the part of a SARIF log these tests read.
type sarifLog struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID         string         `json:"id"`
					Properties map[string]any `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		OriginalURIBaseIDs map[string]any `json:"originalUriBaseIds"`
		Invocations        []struct {
			ExecutionSuccessful        bool `json:"executionSuccessful"`
			ToolExecutionNotifications []struct {
				Level   string `json:"level"`
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
			} `json:"toolExecutionNotifications"`
		} `json:"invocations"`
		Results []sarifResult `json:"results"`
	} `json:"runs"`
}

type sarifResult struct {
	RuleID  string `json:"ruleId"`
	Level   string `json:"level"`
	Message struct {
		Text string `json:"text"`
	} `json:"message"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Locations           []struct {
		PhysicalLocation *struct {
			ArtifactLocation struct {
				URI       string `json:"uri"`
				URIBaseID string `json:"uriBaseId"`
			} `json:"artifactLocation"`
			Region struct {
				StartLine int `json:"startLine"`
			} `json:"region"`
		} `json:"physicalLocation"`
		LogicalLocations []struct {
			FullyQualifiedName string `json:"fullyQualifiedName"`
		} `json:"logicalLocations"`
	} `json:"locations"`
}

func parseSARIF(t *testing.T, data []byte) sarifLog {
	t.Helper()
	var log sarifLog
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatalf("SARIF does not parse: %v", err)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(log.Runs))
	}
	return log
}

// checkLocations: GitHub rejects a whole upload when one result lacks a
// location; each must name a file and a line within it.
func checkLocations(t *testing.T, log sarifLog, lines map[string]int) {
	t.Helper()
	for _, res := range log.Runs[0].Results {
		if len(res.Locations) == 0 || res.Locations[0].PhysicalLocation == nil {
			t.Errorf("%s: no physical location", res.RuleID)
			continue
		}
		p := res.Locations[0].PhysicalLocation
		n, known := lines[p.ArtifactLocation.URI]
		if !known || p.Region.StartLine < 1 || p.Region.StartLine > n {
			t.Errorf("%s: location %s:%d is not a line of a known file", res.RuleID, p.ArtifactLocation.URI, p.Region.StartLine)
		}
	}
}

func lineCount(t *testing.T, path string) int {
	data, err := os.ReadFile(filepath.Join("..", path))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(data, []byte("\n")) + 1
}

// lineOf is the 1-based line of the first line of the file matching re.
func lineOf(t *testing.T, path, re string) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", path))
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(data), "\n") {
		if regexp.MustCompile(re).MatchString(l) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line matching %s", path, re)
	return 0
}

// TestSARIFAnchorsToConfig: with a config file every result points at the
// breakglass.yaml in the repository (against %SRCROOT%), at the line that
// declares what the finding is about.
func TestSARIFAnchorsToConfig(t *testing.T) {
	rep := sampleReport(t)
	log := parseSARIF(t, render(t, "sarif", rep))
	run := log.Runs[0]
	if _, ok := run.OriginalURIBaseIDs[report.SourceRoot]; !ok {
		t.Errorf("originalUriBaseIds lacks %s: %v", report.SourceRoot, run.OriginalURIBaseIDs)
	}
	if len(run.Results) == 0 {
		t.Fatal("the sample has findings; SARIF has none")
	}
	checkLocations(t, log, map[string]int{sampleConfig: lineCount(t, sampleConfig)})
	accounts := lineOf(t, sampleConfig, `^accounts:`)
	for _, res := range run.Results {
		p := res.Locations[0].PhysicalLocation
		if p.ArtifactLocation.URIBaseID != report.SourceRoot {
			t.Errorf("%s: uriBaseId %q", res.RuleID, p.ArtifactLocation.URIBaseID)
		}
		fqn := res.Locations[0].LogicalLocations[0].FullyQualifiedName
		want := accounts // tenant-level and undeclared objects
		if upn := regexp.MustCompile(`(bg-0\d@contoso\.onmicrosoft\.com)`).FindString(res.Message.Text); upn != "" && (strings.HasPrefix(fqn, "user/") || res.RuleID == "BG-CA-002") {
			want = lineOf(t, sampleConfig, `userPrincipalName: `+regexp.QuoteMeta(upn))
		}
		if p.Region.StartLine != want {
			t.Errorf("%s on %s: line %d, want %d", res.RuleID, fqn, p.Region.StartLine, want)
		}
	}

	// Each kind of declaration, on synthetic results.
	const policy = "c0000001-0000-4000-8000-00000000ca04"
	cfgText := `tenantId: 7c3f8a2e-5b1d-4e6f-9a0b-1c2d3e4f5a6b
accounts:
  - userPrincipalName: bg-01@contoso.onmicrosoft.com
    vaultSecret: https://kv-contoso-bg.vault.azure.net/secrets/bg-01
  - id: b9a1e001-0000-4000-8000-00000000b002
exclusionGroups:
  - 9e0c1a55-0000-4000-8000-0000000e0001
subscriptions: [5a5c41b0-0000-4000-8000-000000000001]
caAllowedPolicies: [` + policy + `]
runbook:
  uri: https://wiki.contoso.com/bg
`
	cfg, err := config.Parse("breakglass.yaml", []byte(cfgText))
	if err != nil {
		t.Fatal(err)
	}
	rep.Source = &report.Source{Config: "infra/breakglass.yaml", ConfigLines: cfg.Lines()}
	user := func(id, name string) *engine.Ref { return &engine.Ref{Type: "user", ID: id, Name: name} }
	cases := []struct {
		rule     string
		resource engine.Ref
		subject  *engine.Ref
		want     int
	}{
		{"BG-ISO-001", *user("b9a1e001-0000-4000-8000-00000000b001", "BG-01@contoso.onmicrosoft.com"), nil, 3},
		{"BG-ISO-001", *user("b9a1e001-0000-4000-8000-00000000b002", "bg-02@contoso.onmicrosoft.com"), nil, 5},
		{"BG-CRED-003", *user("b9a1e001-0000-4000-8000-00000000b001", "bg-01@contoso.onmicrosoft.com"), nil, 4},
		{"BG-CRED-004", engine.Ref{Type: "keyVault", ID: "/subscriptions/5a5c41b0-0000-4000-8000-000000000001/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-contoso-bg", Name: "kv-contoso-bg"}, nil, 4},
		{"BG-CRED-004", engine.Ref{Type: "keyVault", ID: "https://kv-contoso-bg.vault.azure.net/"}, nil, 4},
		{"BG-CA-004", engine.Ref{Type: "group", ID: "9e0c1a55-0000-4000-8000-0000000e0001"}, nil, 7},
		{"BG-PRIV-004", engine.Ref{Type: "subscription", ID: "/subscriptions/5a5c41b0-0000-4000-8000-000000000001"}, nil, 8},
		{"BG-CA-002", engine.Ref{Type: "conditionalAccessPolicy", ID: "c0000001-0000-4000-8000-00000000ca01"}, user("b9a1e001-0000-4000-8000-00000000b002", ""), 5},
		{"BG-CA-006", engine.Ref{Type: "conditionalAccessPolicy", ID: policy}, &engine.Ref{Type: "directoryObject", ID: "0bad0000-0000-4000-8000-000000000000"}, 9},
		{"BG-CA-006", engine.Ref{Type: "conditionalAccessPolicy", ID: "c0000001-0000-4000-8000-00000000ca01"}, &engine.Ref{Type: "directoryObject", ID: "9e0c1a55-0000-4000-8000-0000000e0001"}, 7},
		{"BG-PROC-001", engine.Ref{Type: "tenant", ID: "7c3f8a2e-5b1d-4e6f-9a0b-1c2d3e4f5a6b"}, nil, 10},
		{"BG-INV-001", engine.Ref{Type: "tenant", ID: "7c3f8a2e-5b1d-4e6f-9a0b-1c2d3e4f5a6b"}, nil, 2},
		{"BG-INV-004", *user("a11ce000-0000-4000-8000-0000000a0001", "alice@contoso.com"), nil, 2},
		{"BG-CUSTOM-001", engine.Ref{Type: "servicePrincipal", ID: "x"}, nil, 2},
	}
	for i, c := range cases {
		rep.Results = []engine.Result{{RuleID: c.rule, Status: engine.StatusFail, Severity: "high", Message: "m", Resource: c.resource, Subject: c.subject, Fingerprint: fmt.Sprintf("%064d", i)}}
		res := parseSARIF(t, render(t, "sarif", rep)).Runs[0].Results[0]
		p := res.Locations[0].PhysicalLocation
		if p.ArtifactLocation.URI != "infra/breakglass.yaml" || p.Region.StartLine != c.want {
			t.Errorf("%s %s/%s: %s:%d, want infra/breakglass.yaml:%d", c.rule, c.resource.Type, c.resource.ID, p.ArtifactLocation.URI, p.Region.StartLine, c.want)
		}
	}

	// A config without accounts (discovery) anchors to its first key.
	cfg, err = config.Parse("breakglass.yaml", []byte("# discovery\n\nminAccounts: 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	rep.Source = &report.Source{Config: "breakglass.yaml", ConfigLines: cfg.Lines()}
	rep.Results = []engine.Result{{RuleID: "BG-INV-004", Status: engine.StatusFail, Severity: "medium", Message: "m", Resource: *user("u", "u@x"), Fingerprint: strings.Repeat("d", 64)}}
	if got := parseSARIF(t, render(t, "sarif", rep)).Runs[0].Results[0].Locations[0].PhysicalLocation.Region.StartLine; got != 3 {
		t.Errorf("discovery config: line %d, want 3 (its first key)", got)
	}
}

// TestSARIFFallsBackToSnapshot: without a config file results point into
// the snapshot, against %SRCROOT% when the CLI knows its repository path.
func TestSARIFFallsBackToSnapshot(t *testing.T) {
	rep := sampleReport(t)
	rep.Source = &report.Source{Snapshot: "audit/snapshot.json"}
	log := parseSARIF(t, render(t, "sarif", rep))
	checkLocations(t, log, map[string]int{"audit/snapshot.json": lineCount(t, samplePath)})
	for _, res := range log.Runs[0].Results {
		if b := res.Locations[0].PhysicalLocation.ArtifactLocation.URIBaseID; b != report.SourceRoot {
			t.Errorf("%s: uriBaseId %q", res.RuleID, b)
		}
	}
}

// TestSARIFEveryResultHasALocation over every kind of report the writer
// sees, including unknown resource types and empty ids.
func TestSARIFEveryResultHasALocation(t *testing.T) {
	odd := sampleReport(t)
	odd.Results = append(append([]engine.Result(nil), odd.Results...),
		engine.Result{RuleID: "BG-X-001", Status: engine.StatusError, Severity: "low", Resource: engine.Ref{}, Fingerprint: strings.Repeat("e", 64)},
		engine.Result{RuleID: "BG-X-002", Status: engine.StatusManual, Severity: "", Resource: engine.Ref{Type: "alien", ID: "?"}, Fingerprint: strings.Repeat("f", 64)})
	noLines := sampleReport(t)
	noLines.Source.ConfigLines = nil
	for name, c := range map[string]struct {
		rep   *report.Report
		files map[string]int
	}{
		"config":       {sampleReport(t), map[string]int{sampleConfig: lineCount(t, sampleConfig)}},
		"snapshot":     {snapshotReport(t), map[string]int{samplePath: lineCount(t, samplePath)}},
		"odd results":  {odd, map[string]int{sampleConfig: lineCount(t, sampleConfig)}},
		"config lines": {noLines, map[string]int{sampleConfig: lineCount(t, sampleConfig)}},
	} {
		t.Run(name, func(t *testing.T) {
			log := parseSARIF(t, render(t, "sarif", c.rep))
			want := 0
			for _, r := range c.rep.Results {
				if r.Status != engine.StatusPass && r.Status != engine.StatusNotApplicable {
					want++
				}
			}
			if len(log.Runs[0].Results) != want || want == 0 {
				t.Fatalf("%d results, want %d (> 0)", len(log.Runs[0].Results), want)
			}
			checkLocations(t, log, c.files)
		})
	}
}

// manyResults builds n fail results with severities cycling low → critical.
func manyResults(n int, message string) []engine.Result {
	out := make([]engine.Result, n)
	for i := range out {
		out[i] = engine.Result{
			RuleID: "BG-INV-004", Status: engine.StatusFail, Severity: engine.Severities[3-i%4],
			Resource: engine.Ref{Type: "user", ID: fmt.Sprintf("u%05d", i)}, Message: message, Fingerprint: fmt.Sprintf("%064x", i),
		}
	}
	return out
}

// TestSARIFLimits: beyond GitHub's result or size limit the least severe
// results are dropped, deterministically, and the run and stderr say so.
func TestSARIFLimits(t *testing.T) {
	rep := sampleReport(t)
	rep.Results = manyResults(10, "m")
	var stderr bytes.Buffer
	rep.Log = &stderr
	write := func(w report.SARIF) []byte {
		var buf bytes.Buffer
		if err := w.Write(&buf, rep); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	out := write(report.SARIF{MaxResults: 5})
	if again := write(report.SARIF{MaxResults: 5}); !bytes.Equal(out, again) {
		t.Fatal("truncated SARIF differs between two renderings")
	}
	log := parseSARIF(t, out)
	run := log.Runs[0]
	if len(run.Results) != 5 {
		t.Fatalf("%d results, want 5", len(run.Results))
	}
	levels := map[string]int{}
	for _, r := range run.Results {
		levels[r.Level]++
	}
	// 10 results: critical ×2 (i=3,7), high ×2, medium ×3, low ×3; keep the
	// two critical, two high and one medium.
	if levels["error"] != 4 || levels["warning"] != 1 || levels["note"] != 0 {
		t.Errorf("kept levels %v, want the most severe", levels)
	}
	if len(run.Invocations) != 1 || !run.Invocations[0].ExecutionSuccessful || len(run.Invocations[0].ToolExecutionNotifications) != 1 ||
		!strings.Contains(run.Invocations[0].ToolExecutionNotifications[0].Message.Text, "5 of 10 results") {
		t.Errorf("the run does not say results were dropped: %+v", run.Invocations)
	}
	if !strings.Contains(stderr.String(), "5 of 10 results") || !strings.Contains(stderr.String(), "2 medium, 3 low") {
		t.Errorf("stderr does not say what was dropped: %q", stderr.String())
	}

	// Within the limits: no invocation, no warning.
	stderr.Reset()
	if log := parseSARIF(t, write(report.SARIF{})); len(log.Runs[0].Invocations) != 0 || stderr.Len() != 0 || len(log.Runs[0].Results) != 10 {
		t.Errorf("a report within the limits was changed: %d results, stderr %q", len(log.Runs[0].Results), stderr.String())
	}

	// Size: incompressible messages force results out until the gzipped
	// log fits.
	// The limit is what the rules alone take plus room for some of the
	// results, so the test does not depend on the catalogue's size.
	rep.Results = nil
	limit := gzipLen(write(report.SARIF{})) + 8<<10
	stderr.Reset()
	rep.Results = manyResults(200, "")
	for i := range rep.Results {
		rep.Results[i].Message = fmt.Sprintf("%x", sha256Hex(i))
	}
	out = write(report.SARIF{MaxGzipBytes: limit})
	if size := gzipLen(out); size > limit {
		t.Errorf("gzipped SARIF is %d bytes, limit %d", size, limit)
	}
	if n := len(parseSARIF(t, out).Runs[0].Results); n == 0 || n == 200 {
		t.Errorf("%d results kept under a %d-byte limit", n, limit)
	}
	if !strings.Contains(stderr.String(), "of 200 results") {
		t.Errorf("stderr does not say results were dropped for size: %q", stderr.String())
	}
}

func sha256Hex(i int) string {
	var b strings.Builder
	for j := 0; j < 8; j++ {
		fmt.Fprintf(&b, "%016x", uint64(i*7919+j)*0x9E3779B97F4A7C15)
	}
	return b.String()
}

func gzipLen(data []byte) int {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	return buf.Len()
}

// TestSARIFTagLimit: GitHub rejects a rule with more than 20 tags; a rule
// mapped to many controls keeps 20, with each framework represented.
func TestSARIFTagLimit(t *testing.T) {
	rep := sampleReport(t)
	rule := *rep.Rules[0]
	rule.Controls = map[string][]string{}
	var frameworks []string
	for _, fw := range rep.Mappings.Frameworks {
		frameworks = append(frameworks, fw.ID)
		for i := 0; i < 15; i++ {
			rule.Controls[fw.ID] = append(rule.Controls[fw.ID], fmt.Sprintf("C-%02d", i))
		}
	}
	rep.Rules = []*engine.Rule{&rule}
	log := parseSARIF(t, render(t, "sarif", rep))
	tags, _ := log.Runs[0].Tool.Driver.Rules[0].Properties["tags"].([]any)
	if len(tags) != 20 || tags[0] != "security" {
		t.Fatalf("%d tags (%v), want 20 starting with security", len(tags), tags)
	}
	for _, fw := range frameworks {
		if !strings.Contains(fmt.Sprint(tags[:11]), fw+":C-00") {
			t.Errorf("framework %s missing from the first tags GitHub shows: %v", fw, tags)
		}
	}
}

// TestPartialFingerprintsStable: the fingerprint GitHub tracks an alert by
// survives unrelated tenant changes, renamed objects (other messages) and
// shifted lines in the snapshot and the config, and changes with the
// subject.
func TestPartialFingerprintsStable(t *testing.T) {
	read := func(p string) string {
		data, err := os.ReadFile(filepath.Join("..", p))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	snap, cfg := read(samplePath), read(sampleConfig)
	fingerprints := func(snap, cfg string) (map[string]string, []string) {
		log := parseSARIF(t, render(t, "sarif", scanReport(t, []byte(snap), []byte(cfg))))
		fps := map[string]string{}
		var where []string
		for _, r := range log.Runs[0].Results {
			loc := r.Locations[0]
			key := r.RuleID + " " + loc.LogicalLocations[0].FullyQualifiedName + " " + r.Message.Text
			fp := r.PartialFingerprints[report.FingerprintKey]
			if len(r.PartialFingerprints) != 2 || r.PartialFingerprints["primaryLocationLineHash"] != fp[:16]+":1" {
				t.Fatalf("%s: partialFingerprints %v: want %s and a primaryLocationLineHash derived from it, so that upload-sarif does not hash the config line", key, r.PartialFingerprints, report.FingerprintKey)
			}
			fps[fp] = key
			where = append(where, fmt.Sprintf("%s:%d %s", loc.PhysicalLocation.ArtifactLocation.URI, loc.PhysicalLocation.Region.StartLine, r.Message.Text))
		}
		sort.Strings(where)
		return fps, where
	}
	base, baseWhere := fingerprints(snap, cfg)
	if len(base) < 3 {
		t.Fatalf("the sample needs several findings, has %d", len(base))
	}

	// Unrelated data and shifted lines: an extra user at the head of the
	// users data set, a renamed CA policy, comment lines atop the config.
	const extra = `{"accountEnabled": true, "displayName": "Zed", "id": "2ed00000-0000-4000-8000-00000000ed01", "userPrincipalName": "zed@contoso.com", "userType": "Member"},
`
	usersAt := strings.Index(snap, "\n    \"users\": {")
	itemsAt := usersAt + strings.Index(snap[usersAt:], `"items": [`) + len(`"items": [`)
	changedSnap := snap[:itemsAt] + "\n" + extra + snap[itemsAt:]
	changedSnap = strings.Replace(changedSnap, "Compliant device for administrators", "Admins must use a compliant device", 1)
	changedCfg := "# moved\n# down\n\n" + cfg
	for name, c := range map[string][2]string{"snapshot": {changedSnap, cfg}, "config": {snap, changedCfg}, "both": {changedSnap, changedCfg}} {
		got, where := fingerprints(c[0], c[1])
		if fmt.Sprint(where) == fmt.Sprint(baseWhere) {
			t.Fatalf("%s: the change moved no location and changed no message; the test proves nothing", name)
		}
		if len(got) != len(base) {
			t.Errorf("%s: %d fingerprints, want %d", name, len(got), len(base))
		}
		for fp, key := range base {
			if _, ok := got[fp]; !ok {
				t.Errorf("%s: fingerprint of %s changed", name, key)
			}
		}
	}

	// A different subject: bg-02 deleted and re-created (a new object id).
	const oldID, newID = "b9a1e001-0000-4000-8000-00000000b002", "b9a1e001-0000-4000-8000-00000000b0ff"
	got, _ := fingerprints(strings.ReplaceAll(snap, oldID, newID), cfg)
	changed := 0
	for fp, key := range base {
		_, kept := got[fp]
		about := strings.Contains(key, oldID)
		if about && kept {
			t.Errorf("fingerprint of %s did not change with the subject", key)
		}
		if !about && !kept {
			t.Errorf("fingerprint of %s changed though its subject did not", key)
		}
		if about {
			changed++
		}
	}
	if changed == 0 {
		t.Fatal("no finding is about bg-02; the test proves nothing")
	}
}
