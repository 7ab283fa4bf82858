package report_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/config"
	"github.com/breakglass-dev/breakglass/policies/engine"
	"github.com/breakglass-dev/breakglass/report"
)

// scenarioReport scans a snapshot with a config (waivers applied) and
// records its provenance, as `breakglass scan` does.
func scenarioReport(t *testing.T, snapPath, cfgPath string) *report.Report {
	t.Helper()
	snap, err := snapshot.Load(snapPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
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
	results, _ = engine.ApplyWaivers(results, engine.WaiverOptions{Waivers: cfg.Waivers, Path: "breakglass.yaml", Now: snap.CollectedAt})
	prov, err := report.NewProvenance(snap.Bytes, "v0.0.0-test", strings.Repeat("0", 64), nil)
	if err != nil {
		t.Fatal(err)
	}
	return &report.Report{
		Tool:     report.Tool{Name: "breakglass", Version: "0.1.0-test"},
		Snapshot: report.Snapshot{Path: "snapshot.json", SHA256: snap.SHA256, TenantID: snap.TenantID, CollectedAt: snap.CollectedAt},
		Scan:     report.Scan{Now: snap.CollectedAt, Config: &report.File{Path: "breakglass.yaml", SHA256: fileSHA256(t, cfgPath)}},
		Rules:    eng.Rules(), Results: results, Summary: engine.Summarize(results),
		Mappings: eng.Mappings(), IDLines: snapshot.IDLines(snap.Bytes), Provenance: prov,
	}
}

func renderOSCAL(t *testing.T, rep *report.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (report.OSCAL{}).Write(&buf, rep); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// waivedReport is the sample with one active and one expired waiver.
func waivedReport(t *testing.T) *report.Report {
	return scenarioReport(t, filepath.Join("..", samplePath), filepath.Join("evidence", "testdata", "breakglass.yaml"))
}

// forbiddenReport has error results (forbidden and unlicensed data sets).
func forbiddenReport(t *testing.T) *report.Report {
	dir := filepath.Join("..", "testdata", "scenarios", "unlicensed-forbidden")
	return scenarioReport(t, filepath.Join(dir, "snapshot.json"), filepath.Join(dir, "breakglass.yaml"))
}

// TestOSCALValidates validates assessment-results.json against NIST's
// OSCAL 1.1.3 schema (../shared/oscal, read at test time) with the Ajv
// script there. `make test` installs ajv into .tools and sets
// AJV_NODE_MODULES; CI requires it.
func TestOSCALValidates(t *testing.T) {
	shared := filepath.Join("..", "..", "shared", "oscal")
	schema := filepath.Join(shared, "oscal_assessment-results_schema_1.1.3.json")
	script := filepath.Join(shared, "validate.js")
	modules := os.Getenv("AJV_NODE_MODULES")
	node, nodeErr := exec.LookPath("node")
	_, schemaErr := os.Stat(schema)
	if modules == "" || nodeErr != nil || schemaErr != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the OSCAL validator is required in CI (AJV_NODE_MODULES=%q, node: %v, schema: %v): run the suite with `make test`", modules, nodeErr, schemaErr)
		}
		t.Skip("OSCAL validator not available (AJV_NODE_MODULES unset, no node, or no ../shared/oscal); `make test` sets it up")
	}
	dir := t.TempDir()
	cases := map[string]*report.Report{"sample": sampleReport(t), "waived": waivedReport(t), "forbidden": forbiddenReport(t)}
	for name, rep := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out := renderOSCAL(t, rep)
			file := filepath.Join(dir, name+".json")
			if err := os.WriteFile(file, out, 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(node, script, schema, file)
			cmd.Env = append(os.Environ(), "AJV_NODE_MODULES="+modules)
			res, err := cmd.CombinedOutput()
			if err != nil || strings.TrimSpace(string(res)) != "valid" {
				t.Fatalf("OSCAL validation failed: %v\n%s", err, res)
			}
		})
	}
}

// The validator must be able to fail: an AR without import-ap is invalid.
func TestOSCALValidatorRejects(t *testing.T) {
	shared := filepath.Join("..", "..", "shared", "oscal")
	modules := os.Getenv("AJV_NODE_MODULES")
	node, err := exec.LookPath("node")
	if modules == "" || err != nil {
		t.Skip("OSCAL validator not available")
	}
	var doc map[string]map[string]any
	if err := json.Unmarshal(renderOSCAL(t, sampleReport(t)), &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc["assessment-results"], "import-ap")
	raw, _ := json.Marshal(doc)
	file := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(file, raw, 0o600)
	cmd := exec.Command(node, filepath.Join(shared, "validate.js"), filepath.Join(shared, "oscal_assessment-results_schema_1.1.3.json"), file)
	cmd.Env = append(os.Environ(), "AJV_NODE_MODULES="+modules)
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "import-ap") {
		t.Fatalf("the validator accepted a document without import-ap: %v\n%s", err, out)
	}
}

type oscalDoc struct {
	AR struct {
		UUID    string `json:"uuid"`
		Results []struct {
			Observations []struct {
				UUID     string `json:"uuid"`
				Subjects []struct {
					UUID string `json:"subject-uuid"`
					Type string `json:"type"`
				} `json:"subjects"`
				Props []struct{ Name, Value string } `json:"props"`
			} `json:"observations"`
			Findings []struct {
				Title  string `json:"title"`
				Target struct {
					TargetID string `json:"target-id"`
					Status   struct {
						State, Reason, Remarks string
					} `json:"status"`
				} `json:"target"`
				Props   []struct{ Name, Value, Class string } `json:"props"`
				Related []struct {
					UUID string `json:"observation-uuid"`
				} `json:"related-observations"`
			} `json:"findings"`
			LocalDefinitions struct {
				InventoryItems []struct {
					UUID string `json:"uuid"`
				} `json:"inventory-items"`
			} `json:"local-definitions"`
		} `json:"results"`
	} `json:"assessment-results"`
}

// OSCAL semantics: one observation per result, subjects defined, findings
// per NIST control, error results never satisfied.
func TestOSCALContent(t *testing.T) {
	for name, rep := range map[string]*report.Report{"waived": waivedReport(t), "forbidden": forbiddenReport(t)} {
		t.Run(name, func(t *testing.T) {
			raw := renderOSCAL(t, rep)
			if again := renderOSCAL(t, rep); string(again) != string(raw) {
				t.Fatal("two renders differ")
			}
			var doc oscalDoc
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			res := doc.AR.Results[0]
			if len(res.Observations) != len(rep.Results) {
				t.Fatalf("%d observations for %d results", len(res.Observations), len(rep.Results))
			}
			items := map[string]bool{}
			for _, it := range res.LocalDefinitions.InventoryItems {
				items[it.UUID] = true
			}
			obs := map[string]string{} // uuid → status
			for _, o := range res.Observations {
				for _, s := range o.Subjects {
					if !items[s.UUID] || s.Type != "inventory-item" {
						t.Errorf("observation %s: subject %s is not a defined inventory item", o.UUID, s.UUID)
					}
				}
				for _, p := range o.Props {
					if p.Name == "status" {
						obs[o.UUID] = p.Value
					}
				}
			}
			if len(res.Findings) == 0 {
				t.Fatal("no findings")
			}
			for _, f := range res.Findings {
				if !strings.HasSuffix(f.Target.TargetID, "_obj") || strings.ToLower(f.Target.TargetID) != f.Target.TargetID {
					t.Errorf("%s: target-id %q is not a NIST objective id", f.Title, f.Target.TargetID)
				}
				statuses := map[string]bool{}
				for _, r := range f.Related {
					st, ok := obs[r.UUID]
					if !ok {
						t.Errorf("%s: related observation %s does not exist", f.Title, r.UUID)
					}
					statuses[st] = true
				}
				satisfied := f.Target.Status.State == "satisfied"
				if satisfied && (statuses["fail"] || statuses["error"] || statuses["manual"] || statuses["waived"]) {
					t.Errorf("%s is satisfied with linked statuses %v", f.Title, statuses)
				}
				if !satisfied && !statuses["fail"] && (statuses["error"] || statuses["manual"]) && (f.Target.Status.Reason != "other" || !strings.Contains(f.Target.Status.Remarks, "Not determined")) {
					t.Errorf("%s: an unverified control needs reason other with a remark, got %+v", f.Title, f.Target.Status)
				}
			}
			if name == "forbidden" {
				undetermined := 0
				for _, f := range res.Findings {
					if strings.Contains(f.Target.Status.Remarks, "Not determined") {
						undetermined++
					}
				}
				if undetermined == 0 {
					t.Error("the forbidden scenario has error results but no not-determined control")
				}
			}
		})
	}
	if report.NISTControlID("AC-2(12)") != "ac-2.12" || report.NISTControlID("AU-6") != "au-6" {
		t.Error("NIST control ids are not converted to OSCAL catalogue ids")
	}
}

// SARIF with a waived result (a suppression) still passes Microsoft's
// validator with the GitHub rules.
func TestSARIFWaiverValidatesWithMultitool(t *testing.T) {
	tool := os.Getenv("SARIF_MULTITOOL")
	if tool == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("SARIF_MULTITOOL is not set in CI: run the suite with `make test`")
		}
		t.Skip("SARIF_MULTITOOL not set; `make test` installs and sets it")
	}
	rep := waivedReport(t)
	out := render(t, report.FormatSARIF, rep)
	if !strings.Contains(string(out), `"suppressions"`) {
		t.Fatal("the waived sample has no suppression")
	}
	dir := t.TempDir()
	in, log := filepath.Join(dir, "waived.sarif"), filepath.Join(dir, "log.sarif")
	os.WriteFile(in, out, 0o600)
	cmd := exec.Command(tool, "validate", "--rule-kind", "Gh;Sarif", "--output", log, in)
	cmd.Dir = dir
	if res, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("multitool: %v\n%s", err, res)
	}
	raw, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Runs []struct {
			Results []struct {
				RuleID  string                `json:"ruleId"`
				Level   string                `json:"level"`
				Message struct{ Text string } `json:"message"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, run := range doc.Runs {
		for _, r := range run.Results {
			if r.Level == "error" || r.Level == "warning" || r.Level == "" {
				t.Errorf("%s %s: %s", r.Level, r.RuleID, r.Message.Text)
			}
		}
	}
}

// Every tenant string in the HTML report is escaped: a display name or a
// message cannot add markup, script or a fetch.
func TestHTMLEscapesTenantText(t *testing.T) {
	rep := waivedReport(t)
	rep.Results = append([]engine.Result(nil), rep.Results...)
	evil := `<script>alert(1)</script><img src="https://evil.example/x.png">`
	for i := range rep.Results {
		rep.Results[i].Resource.Name = evil
		rep.Results[i].Message = evil
		if rep.Results[i].Waiver != nil {
			w := *rep.Results[i].Waiver
			w.Reason, w.Owner = evil, evil
			rep.Results[i].Waiver = &w
		}
	}
	rep.Provenance.DataSets = append([]report.DataSet{{Name: "users", Status: "forbidden", Message: evil}}, rep.Provenance.DataSets...)
	html := string(render(t, report.FormatHTML, rep))
	for _, bad := range []string{"<script", "<img", `src="https://evil`} {
		if strings.Contains(html, bad) {
			t.Errorf("HTML contains %q unescaped", bad)
		}
	}
	if !strings.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the tenant text is missing instead of escaped")
	}
	for _, want := range []string{"Content-Security-Policy", "default-src &#39;none&#39;", "@media print"} {
		if !strings.Contains(html, want) && !strings.Contains(html, strings.ReplaceAll(want, "&#39;", "'")) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Contains(html, "<script") || strings.Contains(html, "<link") || strings.Contains(html, "<iframe") || strings.Contains(html, "url(") {
		t.Error("the HTML report loads or runs something")
	}
}
