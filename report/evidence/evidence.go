// Package evidence assembles an auditor's evidence pack: the inputs as
// given, every report format, per-framework control matrices, provenance,
// OSCAL Assessment Results and a SHA-256 manifest (optionally signed with
// ed25519). A pack is deterministic: the same inputs give the same bytes,
// as a directory or as a zip (entries sorted, timestamps fixed to the
// snapshot's collection time, fixed permissions).
package evidence

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/breakglass-dev/breakglass/policies/engine"
	"github.com/breakglass-dev/breakglass/report"
)

// Names of the pack members with fixed names.
const (
	Manifest        = "MANIFEST.sha256"
	Signature       = "MANIFEST.sha256.sig"
	ReadMe          = "README.txt"
	SnapshotFile    = "inputs/snapshot.json"
	ConfigFile      = "inputs/breakglass.yaml"
	BaselineFile    = "inputs/baseline.json"
	ResultsJSON     = "results.json"
	ResultsSARIF    = "results.sarif"
	ResultsJUnit    = "results.junit.xml"
	ReportHTML      = "report.html"
	OSCALFile       = "assessment-results.json"
	ProvenanceFile  = "provenance.json"
	controlsDir     = "controls/"
	policiesDir     = "inputs/policies/"
	mappingsDir     = "inputs/mappings/"
	entryPermission = 0o600
)

// File is an input file: the bytes as given and the name in the pack.
type File struct {
	Name string // path inside the pack (slash-separated)
	Data []byte
}

// Options are what a pack holds besides the reports.
type Options struct {
	// Report is the scan to render; its paths are rewritten to the pack's
	// (inputs/snapshot.json, ...) so that the pack does not depend on
	// where it was made and SARIF locations resolve inside it.
	Report *report.Report
	// Snapshot, Config and Baseline are the input files as given; their
	// SHA-256 must equal the report's (the evaluated bytes).
	Snapshot []byte
	Config   []byte
	Baseline []byte // nil without --baseline
	// Policies are the custom .rego files (--policy), named
	// <dir base name>/<path in dir>; Mappings the --mappings files by
	// base name.
	Policies []File
	Mappings []File
	// SignKey signs the manifest (MANIFEST.sha256.sig); nil: unsigned.
	SignKey ed25519.PrivateKey
}

// Pack is a built evidence pack: file name → content.
type Pack struct {
	Files map[string][]byte
	// ModTime is the timestamp of every zip entry: the snapshot's
	// collection time.
	ModTime time.Time
}

// Names returns the member names, sorted.
func (p *Pack) Names() []string {
	names := make([]string, 0, len(p.Files))
	for n := range p.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func sum(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// Build renders every member of the pack.
func Build(o Options) (*Pack, error) {
	if o.Report == nil {
		return nil, fmt.Errorf("evidence: no report")
	}
	if got := sum(o.Snapshot); got != o.Report.Snapshot.SHA256 {
		return nil, fmt.Errorf("evidence: the snapshot changed while the pack was built (SHA-256 %s, evaluated %s): run again", got, o.Report.Snapshot.SHA256)
	}
	rep := *o.Report // shallow copy: paths are rewritten, results shared read-only
	rep.Snapshot.Path = SnapshotFile
	rep.IncludePass = false
	scan := rep.Scan
	p := &Pack{Files: map[string][]byte{}, ModTime: rep.Snapshot.CollectedAt.UTC()}
	p.Files[SnapshotFile] = o.Snapshot
	if o.Config != nil {
		if scan.Config == nil || sum(o.Config) != scan.Config.SHA256 {
			return nil, fmt.Errorf("evidence: the config changed while the pack was built: run again")
		}
		scan.Config = &report.File{Path: ConfigFile, SHA256: scan.Config.SHA256}
		p.Files[ConfigFile] = o.Config
	}
	if o.Baseline != nil {
		if scan.Baseline == nil || sum(o.Baseline) != scan.Baseline.SHA256 {
			return nil, fmt.Errorf("evidence: the baseline changed while the pack was built: run again")
		}
		scan.Baseline = &report.File{Path: BaselineFile, SHA256: scan.Baseline.SHA256}
		p.Files[BaselineFile] = o.Baseline
	}
	scan.Policies, scan.Mappings = nil, nil
	dirs := map[string]bool{}
	for _, f := range o.Policies {
		name := policiesDir + f.Name
		if err := add(p, name, f.Data); err != nil {
			return nil, err
		}
		dirs[policiesDir+strings.SplitN(f.Name, "/", 2)[0]] = true
	}
	for d := range dirs {
		scan.Policies = append(scan.Policies, d)
	}
	sort.Strings(scan.Policies)
	for _, f := range o.Mappings {
		name := mappingsDir + f.Name
		if err := add(p, name, f.Data); err != nil {
			return nil, err
		}
		scan.Mappings = append(scan.Mappings, name)
	}
	rep.Scan = scan
	pointAtPack(&rep, o.Report)

	writers := map[string]report.Writer{
		ResultsJSON:    report.JSON{},
		ResultsSARIF:   report.SARIF{},
		ResultsJUnit:   report.JUnit{},
		ReportHTML:     report.HTML{},
		OSCALFile:      report.OSCAL{SnapshotHref: SnapshotFile},
		ProvenanceFile: report.ProvenanceJSON{},
	}
	if rep.Mappings != nil {
		for _, fw := range rep.Mappings.Frameworks {
			writers[controlsDir+fw.ID+".csv"] = report.ControlMatrixCSV{Framework: fw.ID}
			writers[controlsDir+fw.ID+".md"] = report.ControlMatrixMarkdown{Framework: fw.ID}
		}
	}
	for name, w := range writers {
		var buf bytes.Buffer
		if err := w.Write(&buf, &rep); err != nil {
			return nil, fmt.Errorf("evidence: render %s: %w", name, err)
		}
		if err := add(p, name, buf.Bytes()); err != nil {
			return nil, err
		}
	}
	if err := add(p, ReadMe, readMe(&rep, o.SignKey != nil)); err != nil {
		return nil, err
	}
	manifest := BuildManifest(p.Files)
	p.Files[Manifest] = manifest
	if o.SignKey != nil {
		sig := ed25519.Sign(o.SignKey, manifest)
		p.Files[Signature] = []byte(base64.StdEncoding.EncodeToString(sig) + "\n")
	}
	return p, nil
}

func add(p *Pack, name string, data []byte) error {
	if err := checkName(name); err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	if _, dup := p.Files[name]; dup {
		return fmt.Errorf("evidence: two files would be %s in the pack (give --policy directories and --mappings files distinct names)", name)
	}
	p.Files[name] = data
	return nil
}

// checkName accepts clean, relative, slash-separated member names.
func checkName(name string) error {
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, "\\") || path.Clean(name) != name || name == ".." || strings.HasPrefix(name, "../") {
		return fmt.Errorf("%q is not a clean relative path", name)
	}
	return nil
}

// BuildManifest is sha256sum's output over every file except the manifest
// and its signature, sorted by name: `sha256sum -c MANIFEST.sha256` in the
// pack directory checks it.
func BuildManifest(files map[string][]byte) []byte {
	names := make([]string, 0, len(files))
	for n := range files {
		if n != Manifest && n != Signature {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var b bytes.Buffer
	for _, n := range names {
		fmt.Fprintf(&b, "%s  %s\n", sum(files[n]), n)
	}
	return b.Bytes()
}

// Zip renders the pack as a deterministic zip archive: entries sorted by
// name, deflated, each with the pack's ModTime and mode 0600.
func (p *Pack) Zip() ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range p.Names() {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: p.ModTime}
		h.SetMode(entryPermission)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(p.Files[name]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteDir writes the pack into dir, which must not exist or be empty.
// Every file goes through write (the CLI passes its atomic writer, so the
// output mode policy applies to pack files too); directories are 0700.
func (p *Pack) WriteDir(dir string, write func(path string, data []byte) error) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty: give a new or empty directory (or a .zip file) for the evidence pack", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	for _, name := range p.Names() {
		target := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
			return fmt.Errorf("create %s: %w", filepath.Dir(target), err)
		}
		if err := write(target, p.Files[name]); err != nil {
			return err
		}
	}
	return nil
}

func readMe(r *report.Report, signed bool) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "breakglass evidence pack\n========================\n\n")
	fmt.Fprintf(&b, "Tenant:        %s\n", r.Snapshot.TenantID)
	fmt.Fprintf(&b, "Collected:     %s\n", r.Snapshot.CollectedAt.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "Evaluated as of %s by %s %s\n\n", r.Scan.Now.UTC().Format(time.RFC3339), r.Tool.Name, r.Tool.Version)
	b.WriteString(`Contents
  report.html               the assessment for people (open in a browser; works offline)
  results.json              every result (pass and not_applicable included), the full record
  results.sarif             SARIF 2.1.0 (GitHub code scanning); waived findings carry a suppression
  results.junit.xml         JUnit
  assessment-results.json   OSCAL 1.1.3 Assessment Results (findings per NIST SP 800-53 Rev. 5 control)
  controls/<framework>.csv  control matrix per framework (also .md): rules and roll-up per control
  provenance.json           tool, OPA and rule-bundle versions, who collected when, requests and status per data set
  inputs/                   the snapshot, the declaration (breakglass.yaml) and any baseline,
                            custom policies and mapping files, byte for byte as evaluated
  MANIFEST.sha256           SHA-256 of every other file
`)
	if signed {
		b.WriteString("  MANIFEST.sha256.sig       ed25519 signature of MANIFEST.sha256 (base64)\n")
	}
	b.WriteString(`
Verify
  breakglass evidence verify PACK [--pub KEY.pub.pem]   (names every changed, added or removed file)
  or, in the unpacked directory: sha256sum -c MANIFEST.sha256
`)
	return []byte(b.String())
}

// pointAtPack makes rep (a copy of orig) name the pack's copies of the
// files: SARIF anchors and waiver sources name the files as given.
func pointAtPack(rep, orig *report.Report) {
	if rep.Source != nil {
		src := *rep.Source
		src.Snapshot = SnapshotFile
		if src.Config != "" {
			src.Config = ConfigFile
		}
		rep.Source = &src
	}
	if orig.Scan.Config != nil {
		rep.Results = make([]engine.Result, len(orig.Results))
		copy(rep.Results, orig.Results)
		for i, r := range rep.Results {
			if r.Waiver != nil {
				w := *r.Waiver
				w.Source = ConfigFile + strings.TrimPrefix(w.Source, orig.Scan.Config.Path)
				rep.Results[i].Waiver = &w
			}
		}
	}
}
