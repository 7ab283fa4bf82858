package report_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/breakglass-dev/breakglass/config"
	"github.com/breakglass-dev/breakglass/policies/engine"
	"github.com/breakglass-dev/breakglass/report"
	"github.com/yuin/goldmark"
	gmext "github.com/yuin/goldmark/extension"
)

// Fuzz targets: each writer on arbitrary tenant strings (object names,
// messages, ids, subject names). Seeds are in testdata/fuzz/<target>;
// `make fuzz` runs each for a few seconds. Every target checks that
// the writer does not fail or panic and that its output is still what its
// consumers expect.

var (
	fuzzConfigOnce sync.Once
	fuzzConfig     *config.Config
	fuzzConfigErr  error
)

// fuzzReport puts the strings everywhere tenant data reaches a report: a
// result of every status, resource and subject names and ids, messages,
// the tenant id and the snapshot path.
func fuzzReport(t *testing.T, name, message, id, subject string) *report.Report {
	fuzzConfigOnce.Do(func() {
		fuzzConfig, fuzzConfigErr = config.Parse("breakglass.yaml", []byte("accounts:\n  - userPrincipalName: bg-01@contoso.onmicrosoft.com\nexclusionGroups: [9e0c1a55-0000-4000-8000-0000000e0001]\n"))
	})
	if fuzzConfigErr != nil {
		t.Fatal(fuzzConfigErr)
	}
	cfg := fuzzConfig
	controls := map[string][]string{"iso27001-2022": {"A.5.15"}, "nist-800-53r5": {"AC-3"}, "soc2-2017": {"CC6.1"}}
	rule := &engine.Rule{ID: "BG-CA-002", Title: "Conditional Access policy cannot lock out a break-glass account", Description: "d", Severity: "high", Remediation: "r", Controls: controls, Builtin: true}
	results := []engine.Result{
		{Status: engine.StatusFail, Resource: engine.Ref{Type: "conditionalAccessPolicy", ID: id, Name: name}, Subject: &engine.Ref{Type: "user", ID: id, Name: subject}},
		{Status: engine.StatusError, Resource: engine.Ref{Type: "user", ID: id, Name: name}},
		{Status: engine.StatusManual, Resource: engine.Ref{Type: "group", ID: id, Name: subject}},
		{Status: engine.StatusNotApplicable, Resource: engine.Ref{Type: "keyVault", ID: id, Name: name}},
		{Status: engine.StatusPass, Resource: engine.Ref{Type: "tenant", ID: id}},
	}
	for i := range results {
		results[i].RuleID, results[i].Severity, results[i].Message, results[i].Controls = rule.ID, rule.Severity, message, controls
		results[i].Fingerprint = strings.Repeat(string(rune('a'+i)), 64)
	}
	return &report.Report{
		Tool:        report.Tool{Name: "breakglass", Version: "fuzz"},
		Snapshot:    report.Snapshot{Path: name, SHA256: strings.Repeat("0", 64), TenantID: id, CollectedAt: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)},
		Rules:       []*engine.Rule{rule},
		Results:     results,
		Summary:     engine.Summarize(results),
		Source:      &report.Source{Config: "breakglass.yaml", ConfigLines: cfg.Lines(), Snapshot: "snapshot.json"},
		IncludePass: true,
	}
}

func fuzzRender(t *testing.T, format string, r *report.Report) []byte {
	t.Helper()
	w, err := report.Get(format)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := w.Write(&buf, r); err != nil {
		t.Fatalf("%s writer failed: %v", format, err)
	}
	return buf.Bytes()
}

// unsafeRune: control characters (other than the writer's own line
// breaks) and bidirectional controls must never reach SARIF, JUnit, text or
// Markdown.
func unsafeRune(r rune) bool {
	return r < 0x20 && r != '\n' || r >= 0x7f && r < 0xa0 || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 ||
		r == 0x200e || r == 0x200f || r == 0x061c || r == 0x2028 || r == 0x2029
}

func checkSafeText(t *testing.T, what, s string) {
	t.Helper()
	if i := strings.IndexFunc(s, unsafeRune); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		t.Fatalf("%s carries %U at byte %d: %q", what, r, i, s)
	}
}

func FuzzJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, name, message, id, subject string) {
		rep := fuzzReport(t, name, message, id, subject)
		var doc struct {
			Results []engine.Result `json:"results"`
		}
		if err := json.Unmarshal(fuzzRender(t, "json", rep), &doc); err != nil {
			t.Fatalf("JSON does not parse: %v", err)
		}
		if len(doc.Results) != len(rep.Results) {
			t.Fatalf("%d results, want %d", len(doc.Results), len(rep.Results))
		}
		// JSON is the full record: valid UTF-8 round-trips exactly.
		if utf8.ValidString(message) && doc.Results[0].Message != message {
			t.Fatalf("message %q came back as %q", message, doc.Results[0].Message)
		}
		if utf8.ValidString(name) && doc.Results[0].Resource.Name != name {
			t.Fatalf("name %q came back as %q", name, doc.Results[0].Resource.Name)
		}
	})
}

var sarifEscapes = regexp.MustCompile(`\\[\\\[\]]`)

func FuzzSARIF(f *testing.F) {
	f.Fuzz(func(t *testing.T, name, message, id, subject string) {
		log := parseSARIF(t, fuzzRender(t, "sarif", fuzzReport(t, name, message, id, subject)))
		if n := len(log.Runs[0].Results); n != 3 {
			t.Fatalf("%d SARIF results, want fail, error and manual", n)
		}
		for _, res := range log.Runs[0].Results {
			if len(res.Locations) == 0 || res.Locations[0].PhysicalLocation == nil {
				t.Fatal("a result without a physical location: GitHub rejects the upload")
			}
			p := res.Locations[0].PhysicalLocation
			if p.ArtifactLocation.URI != "breakglass.yaml" || p.Region.StartLine < 1 || p.ArtifactLocation.URIBaseID != report.SourceRoot {
				t.Fatalf("location %+v", p)
			}
			checkSafeText(t, "SARIF message", res.Message.Text)
			checkSafeText(t, "SARIF logical location", res.Locations[0].LogicalLocations[0].FullyQualifiedName)
			// No embedded link ("[text](target)") from tenant text.
			if strings.Contains(sarifEscapes.ReplaceAllString(res.Message.Text, ""), "](") {
				t.Fatalf("SARIF message has an embedded link: %q", res.Message.Text)
			}
			if len(res.PartialFingerprints[report.FingerprintKey]) != 64 {
				t.Fatal("no fingerprint")
			}
		}
	})
}

func FuzzJUnit(f *testing.F) {
	f.Fuzz(func(t *testing.T, name, message, id, subject string) {
		out := fuzzRender(t, "junit", fuzzReport(t, name, message, id, subject))
		dec := xml.NewDecoder(bytes.NewReader(out))
		cases := 0
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("JUnit does not parse as XML: %v\n%s", err, out)
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				if tok.Name.Local == "testcase" {
					cases++
				}
				for _, a := range tok.Attr {
					checkSafeText(t, "JUnit attribute "+a.Name.Local, a.Value)
				}
			case xml.CharData:
				checkSafeText(t, "JUnit text", strings.TrimSpace(string(tok)))
			}
		}
		if cases != 5 {
			t.Fatalf("%d test cases, want 5", cases)
		}
	})
}

func FuzzText(f *testing.F) {
	benign := 0
	f.Fuzz(func(t *testing.T, name, message, id, subject string) {
		if benign == 0 {
			benign = bytes.Count(fuzzRender(t, "text", fuzzReport(t, "n", "m", "i", "s")), []byte("\n"))
		}
		out := string(fuzzRender(t, "text", fuzzReport(t, name, message, id, subject)))
		checkSafeText(t, "text", out)
		// Tenant text cannot add or remove lines.
		if n := strings.Count(out, "\n"); n != benign {
			t.Fatalf("text has %d lines, a benign report %d:\n%s", n, benign, out)
		}
	})
}

var (
	gfm          = goldmark.New(goldmark.WithExtensions(gmext.GFM))
	forbiddenTag = regexp.MustCompile(`<(a|img|em|strong|del|input|h[2-6]|blockquote|ul|ol|li|pre|hr|br)[\s>/]|raw HTML omitted`)
)

// FuzzMarkdown renders the report with a GitHub-flavoured Markdown engine
// (tables, autolinks, strikethrough): tenant text may create no HTML, link,
// image, emphasis, code or table cell.
func FuzzMarkdown(f *testing.F) {
	f.Fuzz(func(t *testing.T, name, message, id, subject string) {
		out := fuzzRender(t, "markdown", fuzzReport(t, name, message, id, subject))
		checkSafeText(t, "markdown", string(out))
		var html bytes.Buffer
		if err := gfm.Convert(out, &html); err != nil {
			t.Fatal(err)
		}
		h := html.String()
		if m := forbiddenTag.FindString(h); m != "" {
			t.Fatalf("tenant text became %q in the rendered Markdown:\n%s\n---\n%s", m, out, h)
		}
		// Our own markup only: one heading, two tables (1 + 5 rows: six
		// status counts, six columns), three code spans in the heading paragraph.
		for tag, want := range map[string]int{"<h1>": 1, "<table>": 2, "<td": 6 + 5*6, "<code>": 3, "<p>": 1} {
			if n := strings.Count(h, tag); n != want {
				t.Fatalf("%d %s in the rendered Markdown, want %d:\n%s\n---\n%s", n, tag, want, out, h)
			}
		}
	})
}
