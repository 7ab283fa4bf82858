package evidence_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"flag"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/config"
	"github.com/breakglass-dev/breakglass/policies/engine"
	"github.com/breakglass-dev/breakglass/report"
	"github.com/breakglass-dev/breakglass/report/evidence"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const (
	snapshotPath = "../../testdata/sample/snapshot.json"
	configPath   = "testdata/breakglass.yaml" // the sample declaration plus two waivers
	goldenDir    = "testdata/golden"
)

// sampleOptions scans the sample tenant with the waiver config, the way
// `breakglass evidence` does, with a fixed tool version, OPA version and
// rule bundle so that the golden files change only when output does.
func sampleOptions(t testing.TB) evidence.Options {
	t.Helper()
	snap, err := snapshot.Load(snapshotPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(configPath)
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
	results, _ = engine.ApplyWaivers(results, engine.WaiverOptions{
		Waivers: cfg.Waivers, Path: configPath, Now: snap.CollectedAt, Location: cfg.Location(), WarningDays: cfg.WarningDays(),
	})
	prov, err := report.NewProvenance(snap.Bytes, "v0.0.0-test", strings.Repeat("0", 64), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfgBytes, err := os.ReadFile(configPath)
	if err != nil {
		t.Fatal(err)
	}
	return evidence.Options{
		Report: &report.Report{
			Tool:     report.Tool{Name: "breakglass", Version: "0.1.0-test"},
			Snapshot: report.Snapshot{Path: snapshotPath, SHA256: snap.SHA256, TenantID: snap.TenantID, CollectedAt: snap.CollectedAt},
			Scan:     report.Scan{Now: snap.CollectedAt, Config: &report.File{Path: configPath, SHA256: hexSum(cfgBytes)}},
			Rules:    eng.Rules(), Results: results, Summary: engine.Summarize(results),
			Mappings: eng.Mappings(), IDLines: snapshot.IDLines(snap.Bytes), Provenance: prov,
			Source: &report.Source{Config: configPath, ConfigLines: cfg.Lines(), Snapshot: snapshotPath},
		},
		Snapshot: snap.Bytes,
		Config:   cfgBytes,
	}
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// testKey is a fixed ed25519 key (ed25519 signatures are deterministic, so
// a signed pack is reproducible too).
func testKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

func build(t *testing.T, o evidence.Options) *evidence.Pack {
	t.Helper()
	p, err := evidence.Build(o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestGoldenPack compares every member of the sample pack with
// testdata/golden (`go test ./report/evidence -update` rewrites them), and
// requires the golden tree to hold nothing else.
func TestGoldenPack(t *testing.T) {
	o := sampleOptions(t)
	o.SignKey = testKey(7)
	p := build(t, o)
	want := []string{
		"MANIFEST.sha256", "MANIFEST.sha256.sig", "README.txt", "assessment-results.json",
		"controls/iso27001-2022.csv", "controls/iso27001-2022.md", "controls/nist-800-53r5.csv", "controls/nist-800-53r5.md",
		"controls/soc2-2017.csv", "controls/soc2-2017.md", "inputs/breakglass.yaml", "inputs/snapshot.json",
		"provenance.json", "report.html", "results.json", "results.junit.xml", "results.sarif",
	}
	if got := p.Names(); !slices.Equal(got, want) {
		t.Fatalf("pack members:\n%v\nwant\n%v", got, want)
	}
	if *update {
		os.RemoveAll(goldenDir)
		for _, name := range p.Names() {
			if strings.HasPrefix(name, "inputs/") {
				continue // the inputs are compared with the files themselves
			}
			path := filepath.Join(goldenDir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, p.Files[name], 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	golden := map[string]bool{}
	filepath.WalkDir(goldenDir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(goldenDir, path)
			golden[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	for _, name := range p.Names() {
		var wantBytes []byte
		var err error
		switch name {
		case evidence.SnapshotFile:
			wantBytes, err = os.ReadFile(snapshotPath)
		case evidence.ConfigFile:
			wantBytes, err = os.ReadFile(configPath)
		default:
			wantBytes, err = os.ReadFile(filepath.Join(goldenDir, filepath.FromSlash(name)))
			delete(golden, name)
		}
		if err != nil {
			t.Fatalf("%v (run go test ./report/evidence -update)", err)
		}
		if !bytes.Equal(p.Files[name], wantBytes) {
			t.Errorf("%s differs from its golden file; if the change is intended, run go test ./report/evidence -update and review the diff", name)
		}
	}
	for extra := range golden {
		t.Errorf("golden file %s is not in the pack", extra)
	}
}

// What the pack says about the waivers and the paths, beyond the bytes.
func TestPackContent(t *testing.T) {
	p := build(t, sampleOptions(t))
	results := string(p.Files[evidence.ResultsJSON])
	for _, s := range []string{`"path": "inputs/snapshot.json"`, `"path": "inputs/breakglass.yaml"`, `"status": "waived"`, `"source": "inputs/breakglass.yaml:31"`, `"expired": true`, `"waived": 1`} {
		if !strings.Contains(results, s) {
			t.Errorf("results.json lacks %s", s)
		}
	}
	if strings.Contains(results, "testdata/") {
		t.Error("results.json names the paths the pack was built from; the pack must not depend on them")
	}
	sarif := string(p.Files[evidence.ResultsSARIF])
	for _, s := range []string{`"kind": "external"`, `"justification": "SMS stays registered until the second FIDO2 key arrives (ticket SEC-881)"`, `"owner": "secops@contoso.com"`, `"expires": "2026-12-31"`, `"uri": "inputs/breakglass.yaml"`} {
		if !strings.Contains(sarif, s) {
			t.Errorf("results.sarif lacks %s", s)
		}
	}
	if strings.Contains(sarif, "testdata/") {
		t.Error("results.sarif names the paths the pack was built from")
	}
	if strings.Count(sarif, `"suppressions"`) != 1 {
		t.Errorf("want exactly one suppressed result (the expired waiver suppresses nothing), got %d", strings.Count(sarif, `"suppressions"`))
	}
	html := string(p.Files[evidence.ReportHTML])
	for _, s := range []string{"Accepted risks", "SEC-881", "expired", "Jane Doe &lt;jane.doe@contoso.com&gt;"} {
		if !strings.Contains(html, s) {
			t.Errorf("report.html lacks %q", s)
		}
	}
	// BG-AUTH-002 maps to IA-2(1): waived, the control is not satisfied.
	csv := string(p.Files["controls/nist-800-53r5.csv"])
	if !strings.Contains(csv, "nist-800-53r5,IA-2(1),") || !strings.Contains(csv, "not satisfied (risk accepted)") {
		t.Errorf("nist matrix does not show the waived control:\n%s", csv)
	}
}

// TestDeterministic: two builds give byte-identical zips; the zip's
// entries are sorted, dated with the collection time and mode 0600.
func TestDeterministic(t *testing.T) {
	o := sampleOptions(t)
	o.SignKey = testKey(7)
	z1, err := build(t, o).Zip()
	if err != nil {
		t.Fatal(err)
	}
	z2, err := build(t, sampleOptions(t)).Zip() // unsigned: must differ only by the signature
	if err != nil {
		t.Fatal(err)
	}
	o2 := sampleOptions(t)
	o2.SignKey = testKey(7)
	z3, err := build(t, o2).Zip()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(z1, z3) {
		t.Fatal("two runs on the same inputs gave different zips")
	}
	if bytes.Equal(z1, z2) {
		t.Fatal("the signed and the unsigned pack are identical")
	}
	zr, err := zip.NewReader(bytes.NewReader(z1), int64(len(z1)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if !f.Modified.Equal(o.Report.Snapshot.CollectedAt) || f.Mode().Perm() != 0o600 {
			t.Errorf("%s: modified %v mode %v; want the collection time and 0600", f.Name, f.Modified, f.Mode())
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("entries not sorted: %v", names)
	}
}

func writeZip(t *testing.T, dir string, files map[string][]byte) string {
	t.Helper()
	p := &evidence.Pack{Files: files}
	data, err := p.Zip()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "pack.zip")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func clone(m map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(m))
	for k, v := range m {
		out[k] = append([]byte(nil), v...)
	}
	return out
}

// TestVerify: an intact signed pack verifies; a one-byte change, a removed
// file, an added file, a bad signature and a re-written manifest are each
// detected and named.
func TestVerify(t *testing.T) {
	key := testKey(7)
	pub := key.Public().(ed25519.PublicKey)
	o := sampleOptions(t)
	o.SignKey = key
	pack := build(t, o)
	dir := t.TempDir()
	files, err := evidence.Read(writeZip(t, dir, pack.Files))
	if err != nil {
		t.Fatal(err)
	}
	if v := evidence.Verify(files, pub); !v.OK() || v.Signature != evidence.SigValid || v.Files != len(pack.Files)-2 {
		t.Fatalf("intact pack: %+v", v)
	}
	if v := evidence.Verify(files, nil); !v.OK() || v.Signature != evidence.SigUnchecked {
		t.Fatalf("intact pack without key: %+v", v)
	}

	changed := clone(files)
	changed[evidence.ResultsJSON][100] ^= 0x01
	if v := evidence.Verify(changed, pub); v.OK() || !slices.Equal(v.Changed, []string{evidence.ResultsJSON}) || v.Signature != evidence.SigValid {
		t.Errorf("one-byte change: %+v", v)
	}
	removed := clone(files)
	delete(removed, evidence.ReportHTML)
	if v := evidence.Verify(removed, pub); v.OK() || !slices.Equal(v.Removed, []string{evidence.ReportHTML}) {
		t.Errorf("removed file: %+v", v)
	}
	added := clone(files)
	added["notes/extra.txt"] = []byte("hello\n")
	if v := evidence.Verify(added, pub); v.OK() || !slices.Equal(v.Added, []string{"notes/extra.txt"}) {
		t.Errorf("added file: %+v", v)
	}
	wrongKey := testKey(8).Public().(ed25519.PublicKey)
	if v := evidence.Verify(files, wrongKey); v.OK() || v.Signature != evidence.SigInvalid {
		t.Errorf("other key: %+v", v)
	}
	badSig := clone(files)
	badSig[evidence.Signature][3] ^= 0x01
	if v := evidence.Verify(badSig, pub); v.OK() || v.Signature != evidence.SigInvalid {
		t.Errorf("corrupted signature: %+v", v)
	}
	// A forger who changes a file and re-writes the manifest passes the
	// hash check but not the signature.
	forged := clone(changed)
	forged[evidence.Manifest] = evidence.BuildManifest(forged)
	if v := evidence.Verify(forged, pub); v.OK() || v.Signature != evidence.SigInvalid || len(v.Changed) != 0 {
		t.Errorf("re-written manifest: %+v", v)
	}
	unsigned := clone(files)
	delete(unsigned, evidence.Signature)
	if v := evidence.Verify(unsigned, pub); v.OK() || v.Signature != evidence.SigAbsent {
		t.Errorf("unsigned pack with --pub: %+v", v)
	}
	noManifest := clone(files)
	delete(noManifest, evidence.Manifest)
	if v := evidence.Verify(noManifest, nil); v.OK() {
		t.Errorf("pack without manifest verified: %+v", v)
	}
	garbled := clone(files)
	garbled[evidence.Manifest] = append(garbled[evidence.Manifest], []byte("not a line\n")...)
	if v := evidence.Verify(garbled, nil); v.OK() || len(v.Problems) != 1 {
		t.Errorf("malformed manifest line: %+v", v)
	}
}

// TestDirectoryPack writes the directory form; sha256sum -c passes in it
// (when coreutils is installed) and Read/Verify agree with the zip form.
func TestDirectoryPack(t *testing.T) {
	p := build(t, sampleOptions(t))
	dir := filepath.Join(t.TempDir(), "pack")
	if err := p.WriteDir(dir, snapshot.WriteFile); err != nil {
		t.Fatal(err)
	}
	if err := p.WriteDir(dir, snapshot.WriteFile); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("writing into a non-empty directory: %v", err)
	}
	files, err := evidence.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if v := evidence.Verify(files, nil); !v.OK() || v.Signature != evidence.SigAbsent {
		t.Fatalf("directory pack: %+v", v)
	}
	if _, err := exec.LookPath("sha256sum"); err != nil {
		t.Skip("sha256sum not installed; the manifest format is checked by Verify only")
	}
	cmd := exec.Command("sha256sum", "--strict", "-c", evidence.Manifest)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, out)
	}
	os.WriteFile(filepath.Join(dir, evidence.ResultsJSON), []byte("{}\n"), 0o600)
	cmd = exec.Command("sha256sum", "--quiet", "-c", evidence.Manifest)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "results.json: FAILED") {
		t.Errorf("sha256sum -c missed a changed file: %v\n%s", err, out)
	}
}

// Inputs that changed between evaluation and packing are refused.
func TestBuildRefusesChangedInputs(t *testing.T) {
	o := sampleOptions(t)
	o.Snapshot = append(append([]byte(nil), o.Snapshot...), ' ')
	if _, err := evidence.Build(o); err == nil || !strings.Contains(err.Error(), "snapshot changed") {
		t.Errorf("changed snapshot: %v", err)
	}
	o = sampleOptions(t)
	o.Config = []byte("tenantId: x\n")
	if _, err := evidence.Build(o); err == nil || !strings.Contains(err.Error(), "config changed") {
		t.Errorf("changed config: %v", err)
	}
}

func TestKeys(t *testing.T) {
	key := testKey(1)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	got, err := evidence.ParsePrivateKey(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil || !got.Equal(key) {
		t.Fatalf("PKCS#8 round trip: %v", err)
	}
	pubDER, _ := x509.MarshalPKIXPublicKey(key.Public())
	pub, err := evidence.ParsePublicKey(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}))
	if err != nil || !pub.Equal(key.Public()) {
		t.Fatalf("PKIX round trip: %v", err)
	}
	if _, err := evidence.ParsePrivateKey(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})); err == nil || !strings.Contains(err.Error(), "openssl genpkey -algorithm ed25519") {
		t.Errorf("a public key as private key: %v", err)
	}
}

// BenchmarkBuildSample renders and zips the sample pack.
func BenchmarkBuildSample(b *testing.B) {
	o := sampleOptions(b)
	o.SignKey = testKey(7)
	b.ResetTimer()
	for b.Loop() {
		p, err := evidence.Build(o)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Zip(); err != nil {
			b.Fatal(err)
		}
	}
}
