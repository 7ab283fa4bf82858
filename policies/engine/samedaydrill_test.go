package engine_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/policies/engine"
)

// TestSampleWithSecondSameDayDrillSignIn: the bundled sample where bg-01
// signs in a second time on its drill date (2026-10-02), with another app,
// scans normally (exit 0 or 1, never an evaluation error) and BG-PROC-002
// passes: issue 9's first reproduction, which used to abort the whole scan
// with eval_conflict_error in bg_proc_002.rego's confirmation.
func TestSampleWithSecondSameDayDrillSignIn(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(sampleDir, "snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	signIns := doc["dataSets"].(map[string]any)["signIns"].(map[string]any)
	signIns["items"] = append(signIns["items"].([]any), map[string]any{
		"id": "5191e000-0000-4000-8000-000000000009", "createdDateTime": "2026-10-02T14:21:37Z",
		"userId": "b9a1e001-0000-4000-8000-00000000b001", "userPrincipalName": "bg-01@contoso.onmicrosoft.com",
		"appDisplayName": "Azure CLI", "appId": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
		"ipAddress": "203.0.113.10", "isInteractive": true, "status": map[string]any{"errorCode": 0},
	})
	edited, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "snapshot.json")
	if err := os.WriteFile(path, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	snap, err := snapshot.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	_, cfg := loadSample(t)
	results := scan(t, newEngine(t), snap, cfg)
	for _, r := range results {
		if strings.Contains(r.Message, "rule evaluation failed") || strings.Contains(r.Message, "conflict") {
			t.Errorf("%s on %s: %s", r.RuleID, r.Resource.ID, r.Message)
		}
	}
	proc := byRule(results, "BG-PROC-002")
	if len(proc) != 2 {
		t.Fatalf("BG-PROC-002: %d results, want one per account", len(proc))
	}
	for _, r := range proc {
		if r.Status != engine.StatusPass {
			t.Errorf("BG-PROC-002 on %s: %s (%s), want pass", r.Resource.Name, r.Status, r.Message)
		}
	}
	if !strings.Contains(proc[0].Message+proc[1].Message, "confirmed by sign-in 2026-10-02 14:05 via Azure Portal") {
		t.Errorf("BG-PROC-002 should name bg-01's first sign-in of the day: %q / %q", proc[0].Message, proc[1].Message)
	}
	if code := engine.ExitCode(results, "high"); code != 0 && code != 1 {
		t.Errorf("exit code %d, want 0 or 1", code)
	}
}
