package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// actionRun is one run of .github/breakglass-action.sh, the logic of
// action.yml, with the sample snapshot standing in for collect.
type actionRun struct {
	code           int
	stdout, stderr string
	outputs        map[string]string // what the script wrote to $GITHUB_OUTPUT
	summary        string            // $GITHUB_STEP_SUMMARY
	dir            string            // the workspace it ran in
}

func runAction(t *testing.T, bin string, env map[string]string) actionRun {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	script, err := filepath.Abs("../../.github/breakglass-action.sh")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ghOutput, summary := filepath.Join(dir, "github-output"), filepath.Join(dir, "step-summary.md")
	cmd := exec.Command(bash, script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "BREAKGLASS="+bin, "GITHUB_OUTPUT="+ghOutput, "GITHUB_STEP_SUMMARY="+summary)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	r := actionRun{stdout: stdout.String(), stderr: stderr.String(), outputs: map[string]string{}, dir: dir}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(ghOutput)
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			if _, dup := r.outputs[k]; dup {
				t.Errorf("output %s written twice", k)
			}
			r.outputs[k] = v
		}
	}
	s, _ := os.ReadFile(summary)
	r.summary = string(s)
	return r
}

func abs(t *testing.T, path string) string {
	t.Helper()
	p, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestActionScriptOnSample(t *testing.T) {
	bin := stampedBinary(t)
	snap, cfg := abs(t, sampleSnap), abs(t, sampleConfig)

	t.Run("findings at fail-on high: SARIF, JSON, summary, exit 1", func(t *testing.T) {
		r := runAction(t, bin, map[string]string{
			"INPUT_SNAPSHOT": snap, "INPUT_CONFIG": cfg, "INPUT_FAIL_ON": "high",
			"INPUT_FORMATS": "sarif, json,markdown text", "INPUT_BASELINE": "previous/snapshot.json",
		})
		if r.code != 1 || r.outputs["exit-code"] != "1" {
			t.Fatalf("exit %d, exit-code output %q; want 1 (BG-CA-002 is high)\nstderr: %s", r.code, r.outputs["exit-code"], r.stderr)
		}
		if r.outputs["snapshot-file"] != snap {
			t.Errorf("snapshot-file = %q, want %s", r.outputs["snapshot-file"], snap)
		}
		if !strings.Contains(r.stderr, "collect skipped") || !strings.Contains(r.stderr, "::notice::breakglass: no baseline at previous/snapshot.json") {
			t.Errorf("stderr does not say collect was skipped and the baseline is missing:\n%s", r.stderr)
		}
		if !strings.Contains(r.stdout, "BG-CA-002") {
			t.Errorf("the text report is not in the log:\n%s", r.stdout)
		}
		if want := filepath.Join("breakglass-results", "breakglass.sarif"); r.outputs["sarif-file"] != want {
			t.Fatalf("sarif-file = %q, want %s", r.outputs["sarif-file"], want)
		}
		var sarif struct {
			Version string `json:"version"`
			Runs    []struct {
				Results []struct {
					RuleID string `json:"ruleId"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal(mustRead(t, filepath.Join(r.dir, r.outputs["sarif-file"])), &sarif); err != nil || sarif.Version != "2.1.0" || len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) == 0 {
			t.Errorf("SARIF: %v, version %q, %d runs", err, sarif.Version, len(sarif.Runs))
		}
		var results struct {
			Scan struct {
				Config   *struct{ Path string } `json:"config"`
				Baseline *struct{ Path string } `json:"baseline"`
			} `json:"scan"`
		}
		if err := json.Unmarshal(mustRead(t, filepath.Join(r.dir, "breakglass-results", "breakglass.json")), &results); err != nil {
			t.Fatal(err)
		}
		if results.Scan.Config == nil || results.Scan.Baseline != nil {
			t.Errorf("scan recorded config %v, baseline %v; want the config and no baseline", results.Scan.Config, results.Scan.Baseline)
		}
		if !strings.Contains(r.summary, "BG-CA-002") {
			t.Errorf("the markdown report is not in the job summary:\n%s", r.summary)
		}
		if _, ok := r.outputs["evidence-path"]; ok {
			t.Errorf("evidence-path set without the evidence input")
		}
	})

	t.Run("fail-on none and a baseline: exit 0, drift evaluated", func(t *testing.T) {
		r := runAction(t, bin, map[string]string{
			"INPUT_SNAPSHOT": snap, "INPUT_CONFIG": cfg, "INPUT_FAIL_ON": "none",
			"INPUT_FORMATS": "json", "INPUT_BASELINE": snap, "INPUT_OUTPUT_DIR": "out/bg",
		})
		if r.code != 0 || r.outputs["exit-code"] != "0" {
			t.Fatalf("exit %d (output %q)\nstderr: %s", r.code, r.outputs["exit-code"], r.stderr)
		}
		if _, ok := r.outputs["sarif-file"]; ok {
			t.Errorf("sarif-file set though formats has no sarif")
		}
		var results struct {
			Scan struct {
				Baseline *struct{ Path string } `json:"baseline"`
			} `json:"scan"`
			Results []struct {
				RuleID string `json:"ruleId"`
				Status string `json:"status"`
			} `json:"results"`
		}
		if err := json.Unmarshal(mustRead(t, filepath.Join(r.dir, "out", "bg", "breakglass.json")), &results); err != nil {
			t.Fatal(err)
		}
		drift := 0
		for _, res := range results.Results {
			if res.RuleID == "BG-DRIFT-001" && res.Status != "not_applicable" {
				drift++
			}
		}
		if results.Scan.Baseline == nil || drift == 0 {
			t.Errorf("baseline %v, %d evaluated BG-DRIFT-001 results: the baseline was not passed", results.Scan.Baseline, drift)
		}
	})

	t.Run("bad input: exit 2 from breakglass, no evidence attempted", func(t *testing.T) {
		r := runAction(t, bin, map[string]string{
			"INPUT_SNAPSHOT": snap, "INPUT_CONFIG": cfg, "INPUT_FORMATS": "sarif,pdf",
			"INPUT_EVIDENCE": "pack",
		})
		if r.code != 2 || r.outputs["exit-code"] != "2" || !strings.Contains(r.stderr, "pdf") || !strings.Contains(r.stderr, "no evidence pack") {
			t.Errorf("exit %d, outputs %v\nstderr: %s", r.code, r.outputs, r.stderr)
		}
	})

	t.Run("a missing snapshot input is an error, not a collect", func(t *testing.T) {
		r := runAction(t, bin, map[string]string{"INPUT_SNAPSHOT": "nope.json", "INPUT_CONFIG": cfg})
		if r.code != 2 || !strings.Contains(r.stderr, "snapshot nope.json does not exist") {
			t.Errorf("exit %d\nstderr: %s", r.code, r.stderr)
		}
	})

	t.Run("without a snapshot it collects with the auth, tenant and config inputs", func(t *testing.T) {
		// --auth token without BREAKGLASS_ACCESS_TOKEN fails before any
		// request: the collect step's own error and exit code come through.
		r := runAction(t, bin, map[string]string{
			"INPUT_CONFIG": cfg, "INPUT_AUTH": "token", "BREAKGLASS_ACCESS_TOKEN": "",
			"INPUT_TENANT": "00000000-0000-0000-0000-000000000001",
		})
		if r.code != 2 || r.outputs["exit-code"] != "2" || !strings.Contains(r.stderr, "BREAKGLASS_ACCESS_TOKEN") || !strings.Contains(r.stderr, "breakglass collect failed (exit 2)") {
			t.Errorf("exit %d, outputs %v\nstderr: %s", r.code, r.outputs, r.stderr)
		}
		if _, ok := r.outputs["snapshot-file"]; ok {
			t.Errorf("snapshot-file set though collect failed")
		}
	})

	t.Run("evidence: breakglass evidence SNAPSHOT --config C --output P, also after findings", func(t *testing.T) {
		// Until the evidence command exists everywhere, a wrapper records
		// the call and passes every other command to the real binary.
		dir := t.TempDir()
		calls := filepath.Join(dir, "calls")
		wrapper := filepath.Join(dir, "breakglass")
		script := "#!/usr/bin/env bash\nif [ \"$1\" = evidence ]; then printf '%s\\n' \"$*\" >>'" + calls + "'; mkdir -p \"${@: -1}\"; exit 0; fi\nexec '" + bin + "' \"$@\"\n"
		if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		r := runAction(t, wrapper, map[string]string{
			"INPUT_SNAPSHOT": snap, "INPUT_CONFIG": cfg, "INPUT_FAIL_ON": "high", "INPUT_EVIDENCE": "evidence-pack",
		})
		if r.code != 1 || r.outputs["evidence-path"] != "evidence-pack" {
			t.Fatalf("exit %d, outputs %v\nstderr: %s", r.code, r.outputs, r.stderr)
		}
		if got, want := strings.TrimSpace(string(mustRead(t, calls))), "evidence "+snap+" --config "+cfg+" --output evidence-pack"; got != want {
			t.Errorf("evidence call\n got %s\nwant %s", got, want)
		}
	})
}

// action.yml and the script agree: every input reaches the script as
// INPUT_<NAME> (or BREAKGLASS), every INPUT_ the script reads is set, and
// every output is one the script writes.
func TestActionYAMLMatchesScript(t *testing.T) {
	var action struct {
		Inputs  map[string]struct{ Description, Default string }
		Outputs map[string]struct{ Value string }
		Runs    struct {
			Using string
			Steps []struct {
				ID  string
				Env map[string]string
				Run string
			}
		}
	}
	if err := yaml.Unmarshal(mustRead(t, "../../action.yml"), &action); err != nil {
		t.Fatal(err)
	}
	script := string(mustRead(t, "../../.github/breakglass-action.sh"))
	if action.Runs.Using != "composite" {
		t.Errorf("runs.using = %q", action.Runs.Using)
	}
	var env map[string]string
	for _, s := range action.Runs.Steps {
		if s.ID == "run" {
			env = s.Env
			if !strings.Contains(s.Run, "$GITHUB_ACTION_PATH/.github/breakglass-action.sh") {
				t.Errorf("the run step does not run the script: %s", s.Run)
			}
		}
	}
	for name, in := range action.Inputs {
		if in.Description == "" {
			t.Errorf("input %s has no description", name)
		}
		key := "INPUT_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		if name == "breakglass" {
			key = "BREAKGLASS"
		}
		if want := "inputs." + name; !strings.Contains(env[key], want) {
			t.Errorf("input %s: env %s = %q, want it to use %s", name, key, env[key], want)
		}
		if !strings.Contains(script, key) {
			t.Errorf("input %s: the script never reads %s", name, key)
		}
	}
	for _, m := range regexp.MustCompile(`\bINPUT_[A-Z_]+`).FindAllString(script, -1) {
		if _, ok := env[m]; !ok {
			t.Errorf("the script reads %s, which action.yml does not set", m)
		}
	}
	for name, out := range action.Outputs {
		if out.Value != "${{ steps.run.outputs."+name+" }}" {
			t.Errorf("output %s = %q", name, out.Value)
		}
		if !strings.Contains(script, "output "+name+" ") {
			t.Errorf("output %s: the script never writes it", name)
		}
	}
}
