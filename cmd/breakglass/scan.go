package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/config"
	"github.com/breakglass-dev/breakglass/policies/engine"
	"github.com/breakglass-dev/breakglass/report"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/spf13/cobra"
)

type scanOptions struct {
	evalOptions
	outputs     *outputSpec
	failOn      string
	includePass bool
	dumpInput   string
}

func newScanCmd() *cobra.Command {
	var o scanOptions
	cmd := &cobra.Command{
		Use:   "scan SNAPSHOT",
		Short: "Evaluate the break-glass rules against a snapshot",
		Long: `Evaluate the built-in (and --policy) rules against a snapshot written by
breakglass collect, and write the results.

Each --output belongs to the --format given just before it; a format
without an --output goes to stdout (at most one may). The default is a
text summary on stdout.

A rule that fails at run time (conflicting values, a type error) or is
still running at --timeout or --max-memory reports error for everything it
would have judged, naming the rule, file:line and the reason; every other rule
reports normally.

Exit codes: 0 ok; 1 a fail or error result at or above --fail-on;
2 usage, config, policy-compile or input error.`,
		Example: `  breakglass scan snapshot.json --config breakglass.yaml
  breakglass scan snapshot.json --format text --format sarif --output results.sarif --fail-on high
  breakglass scan snapshot.json --baseline last-week.json --policy ./policies-acme`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("scan needs exactly one SNAPSHOT file (got %d arguments): breakglass scan snapshot.json --config breakglass.yaml; create one with breakglass collect, or try testdata/sample/snapshot.json", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScan(cmd, args[0], o)
		},
	}
	f := cmd.Flags()
	o.addFlags(f, "breakglass.yaml declaring the accounts (default: the config recorded in the snapshot)", false)
	o.outputs = &outputSpec{}
	f.VarP(formatFlag{o.outputs}, "format", "f", "output format: "+strings.Join(report.Formats(), ", ")+" (repeatable; default text)")
	f.VarP(outputFlag{o.outputs}, "output", "o", "file for the --format given just before it (default stdout; - is stdout); alone, the format follows the extension (.sarif, .json, .xml, .md, .html)")
	f.StringVar(&o.failOn, "fail-on", "none", "exit 1 when a fail or error result has this severity or higher: critical, high, medium, low, none")
	f.BoolVar(&o.includePass, "include-pass", false, "also show pass and not_applicable results in text and markdown (JSON always has them; SARIF never does: GitHub would show each as an open alert)")
	f.StringVar(&o.dumpInput, "dump-input", "", "also write the exact Rego input document (snapshot + config [+ baseline]) to this JSON file, for opa eval and rule authors")
	return cmd
}

type output struct {
	format string
	path   string // "" = stdout
	writer report.Writer
}

// outputSpec records --format and --output in command-line order, so each
// --output belongs to the --format just before it.
type outputSpec struct {
	pairs   []outputPair
	pending string // an --output given before any --format
}

type outputPair struct {
	format, path string
	hasPath      bool
}

type formatFlag struct{ spec *outputSpec }

func (f formatFlag) Set(v string) error {
	p := outputPair{format: v}
	if f.spec.pending != "" {
		p.path, p.hasPath, f.spec.pending = f.spec.pending, true, ""
	}
	f.spec.pairs = append(f.spec.pairs, p)
	return nil
}
func (f formatFlag) String() string { return "" }
func (f formatFlag) Type() string   { return "format" }

type outputFlag struct{ spec *outputSpec }

func (f outputFlag) Set(v string) error {
	n := len(f.spec.pairs)
	switch {
	case n == 0 && f.spec.pending != "":
		return fmt.Errorf("two --output values before any --format")
	case n == 0:
		f.spec.pending = v
	case f.spec.pairs[n-1].hasPath:
		return fmt.Errorf("--format %s already has an --output; put a --format before each --output", f.spec.pairs[n-1].format)
	default:
		f.spec.pairs[n-1].path, f.spec.pairs[n-1].hasPath = v, true
	}
	return nil
}
func (f outputFlag) String() string { return "" }
func (f outputFlag) Type() string   { return "file" }

func (o scanOptions) plan() ([]output, error) {
	pairs := o.outputs.pairs
	if len(pairs) == 0 {
		format := report.FormatText
		if o.outputs.pending != "" {
			format = formatForPath(o.outputs.pending)
		}
		pairs = []outputPair{{format: format, path: o.outputs.pending, hasPath: o.outputs.pending != ""}}
	}
	var outs []output
	stdout := 0
	for _, p := range pairs {
		w, err := report.Get(p.format)
		if err != nil {
			return nil, usageError("--format: %v", err)
		}
		out := output{format: p.format, writer: w}
		if p.hasPath && p.path != "-" {
			out.path = p.path
			if err := checkWritable(out.path); err != nil {
				return nil, usageError("--output %s: %v", out.path, err)
			}
		} else {
			stdout++
		}
		outs = append(outs, out)
	}
	if stdout > 1 {
		return nil, usageError("%d formats would go to stdout: give each extra --format an --output file", stdout)
	}
	return outs, nil
}

// sameFile reports whether two paths name one existing file.
func sameFile(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	ia, errA := os.Stat(a)
	ib, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(ia, ib)
}

// formatForPath picks the format of an --output given without --format
// from its extension (results.sarif is SARIF, not a text summary), text
// otherwise.
func formatForPath(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".sarif":
		return report.FormatSARIF
	case ".json":
		return report.FormatJSON
	case ".xml":
		return report.FormatJUnit
	case ".md", ".markdown":
		return report.FormatMarkdown
	case ".html", ".htm":
		return report.FormatHTML
	}
	return report.FormatText
}

// checkWritable fails early, before any work, when an output cannot be
// written.
func checkWritable(path string) error {
	dir := filepath.Dir(path)
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("directory %s does not exist", dir)
	}
	if !info.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return errors.New("is a directory")
	}
	return nil
}

func runScan(cmd *cobra.Command, snapshotPath string, o scanOptions) error {
	o.failOn = strings.ToLower(o.failOn)
	if engine.SeverityRank(o.failOn) == 0 && o.failOn != "none" {
		return usageError("--fail-on %q: use one of critical, high, medium, low, none", o.failOn)
	}
	if err := o.check(); err != nil {
		return err
	}
	outs, err := o.plan()
	if err != nil {
		return err
	}
	for _, out := range outs {
		if flag := o.overwrittenInput(snapshotPath, out.path); flag != "" {
			return usageError("--output %s would overwrite the %s file: write the report somewhere else", out.path, flag)
		}
	}
	rep, err := buildReport(cmd, snapshotPath, o)
	if err != nil {
		return err
	}
	for _, out := range outs {
		if err := writeOutput(cmd, out, rep); err != nil {
			return err
		}
	}
	if engine.ExitCode(rep.Results, o.failOn) != 0 {
		fail, errs := 0, 0
		for _, r := range rep.Results {
			if engine.SeverityRank(r.Severity) >= engine.SeverityRank(o.failOn) {
				switch r.Status {
				case engine.StatusFail:
					fail++
				case engine.StatusError:
					errs++
				}
			}
		}
		return &exitError{code: exitFindings, err: fmt.Errorf("%d fail and %d error result(s) at or above --fail-on %s; exit 1", fail, errs, o.failOn)}
	}
	return nil
}

func buildReport(cmd *cobra.Command, snapshotPath string, o scanOptions) (*report.Report, error) {
	// Compiling the rules needs nothing from the input and reading the
	// input nothing from the rules: both are CPU-bound, so they overlap.
	// The input's errors are still reported first.
	loadedEngine := inBackground(func() (*engine.Engine, error) {
		return loadEngine(cmd, o.policyDirs, o.mappingFile)
	})
	// One token pass builds the OPA value; no generic tree of the
	// snapshot stays behind for the evaluation (docs/performance.md).
	snap, value, err := engine.LoadSnapshot(snapshotPath, o.maxSize)
	if err != nil {
		return nil, err
	}
	// The SARIF regions are read from the bytes meanwhile.
	idLines := inBackground(func() (*snapshot.IDIndex, error) { return snapshot.IDLines(snap.Bytes), nil })
	in, err := scanInput(cmd, snapshotPath, snap, value, o)
	if err != nil {
		return nil, err
	}
	input, err := engine.BuildInput(in)
	if err != nil {
		return nil, err
	}
	if o.dumpInput != "" {
		if err := dumpInput(o.dumpInput, input); err != nil {
			return nil, err
		}
	}
	eng, err := loadedEngine()
	if err != nil {
		return nil, err
	}
	for _, w := range eng.Warnings() {
		fmt.Fprintf(cmd.ErrOrStderr(), "breakglass: warning: %s\n", w)
	}
	// What the report needs of the file is read before the evaluation, so
	// that the file's bytes are not held through it (peak memory).
	prov, err := provenance(snap.Bytes, eng)
	if err != nil {
		return nil, err
	}
	lines, _ := idLines()
	snap.Bytes = nil
	ctx, cancel := engine.WithTimeLimit(engine.WithMemoryLimit(cmd.Context(), o.maxMemory<<20), o.timeout)
	defer cancel()
	results, err := eng.ScanValue(ctx, input, in.Now)
	if err != nil {
		return nil, err
	}
	if results, err = applyWaivers(cmd, eng, in, o.configPath, results); err != nil {
		return nil, err
	}
	cwd, _ := os.Getwd()
	scanInfo := report.Scan{Now: in.Now.UTC()}
	if o.configPath != "" {
		scanInfo.Config = fileInfo(o.configPath, cwd)
	}
	if o.baseline != "" {
		scanInfo.Baseline = fileInfo(o.baseline, cwd)
	}
	for _, d := range o.policyDirs {
		scanInfo.Policies = append(scanInfo.Policies, report.DisplayPath(d, cwd))
	}
	for _, m := range o.mappingFile {
		scanInfo.Mappings = append(scanInfo.Mappings, report.DisplayPath(m, cwd))
	}
	return &report.Report{
		Tool: report.Tool{Name: "breakglass", Version: version},
		Scan: scanInfo,
		Snapshot: report.Snapshot{
			Path: report.DisplayPath(snapshotPath, cwd), SHA256: snap.SHA256,
			TenantID: snap.TenantID, CollectedAt: snap.CollectedAt,
		},
		Rules:       eng.Rules(),
		Results:     results,
		Summary:     engine.Summarize(results),
		Mappings:    eng.Mappings(),
		IDLines:     lines,
		Source:      sarifSource(o.configPath, snapshotPath, in.Config, cwd),
		Log:         cmd.ErrOrStderr(),
		IncludePass: o.includePass,
		Provenance:  prov,
	}, nil
}

// fileInfo names an input file by display path and SHA-256 (the file was
// read successfully moments ago; an unreadable one gets an empty sum).
func fileInfo(path, cwd string) *report.File {
	f := &report.File{Path: report.DisplayPath(path, cwd)}
	if data, err := os.ReadFile(path); err == nil {
		sum := sha256.Sum256(data)
		f.SHA256 = hex.EncodeToString(sum[:])
	}
	return f
}

// writeOutput renders into memory first so that a failed render never
// leaves half a file, then replaces the target atomically.
func writeOutput(cmd *cobra.Command, out output, rep *report.Report) error {
	var buf bytes.Buffer
	if err := out.writer.Write(&buf, rep); err != nil {
		return fmt.Errorf("render %s: %w", out.format, err)
	}
	if out.path == "" {
		_, err := cmd.OutOrStdout().Write(buf.Bytes())
		return err
	}
	if err := snapshot.WriteFile(out.path, buf.Bytes()); err != nil {
		return usageError("%w", err)
	}
	return nil
}

// dumpInput writes the Rego input exactly as the rules see it (`input`), so
// that `opa eval -i FILE` and rule authors work on the same document.
func dumpInput(path string, value ast.Value) error {
	doc, err := ast.JSON(value)
	if err != nil {
		return err
	}
	raw, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	if err := snapshot.WriteFile(path, append(raw, '\n')); err != nil {
		return usageError("--dump-input %s: %v", path, err)
	}
	return nil
}

// scanInput is the engine input for snap: the config (--config, the one
// recorded in the snapshot, or discovery mode), --now and --baseline.
func scanInput(cmd *cobra.Command, snapshotPath string, snap *snapshot.Loaded, value ast.Object, o scanOptions) (engine.Input, error) {
	in := engine.Input{Snapshot: value, Now: snap.CollectedAt}
	if o.configPath != "" {
		cfg, err := config.Load(o.configPath)
		if err != nil {
			return in, err
		}
		if cfg.TenantID != "" && !strings.EqualFold(cfg.TenantID, snap.TenantID) {
			return in, usageError("%s: tenantId %s does not match the snapshot's tenant %s: give the breakglass.yaml of tenant %s, or collect a snapshot of tenant %s", o.configPath, cfg.TenantID, snap.TenantID, snap.TenantID, cfg.TenantID)
		}
		in.Config = cfg
	} else if value.Get(ast.StringTerm("config")) == nil {
		if !isQuiet(cmd) {
			fmt.Fprintln(cmd.ErrOrStderr(), "breakglass: no --config and none recorded in the snapshot: no accounts are declared, so declared-account rules judge nothing (discovery mode)")
		}
		in.Config = config.Default()
	}
	if o.now != "" {
		var err error
		if in.Now, err = time.Parse(time.RFC3339, o.now); err != nil {
			return in, usageError("--now %q is not an RFC 3339 time (e.g. 2026-11-25T00:00:00Z)", o.now)
		}
	}
	if o.baseline != "" {
		base, baseValue, err := engine.LoadSnapshot(o.baseline, o.maxSize)
		if err != nil {
			return in, fmt.Errorf("--baseline: %w", err)
		}
		if base.TenantID != snap.TenantID {
			return in, usageError("--baseline %s is from tenant %s, the snapshot from %s", o.baseline, base.TenantID, snap.TenantID)
		}
		if base.CollectedAt.After(snap.CollectedAt) {
			return in, usageError("--baseline %s was collected %s, after %s (%s): the baseline is the older snapshot; did you swap them? (breakglass scan NEW --baseline OLD)",
				o.baseline, base.CollectedAt.Format(time.RFC3339), snapshotPath, snap.CollectedAt.Format(time.RFC3339))
		}
		in.BaselineSnapshot = baseValue
	}
	return in, nil
}

// inBackground runs f in its own goroutine and returns a function that
// waits for its result. If the caller returns early, f still finishes and
// its result is dropped.
func inBackground[T any](f func() (T, error)) func() (T, error) {
	type result struct {
		value T
		err   error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	return func() (T, error) {
		r := <-done
		return r.value, r.err
	}
}
