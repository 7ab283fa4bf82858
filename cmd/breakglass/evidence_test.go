package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const waiverConfig = "../../report/evidence/testdata/breakglass.yaml" // the sample plus two waivers

func writeKeys(t *testing.T, dir string, seed byte) (priv, pub string) {
	t.Helper()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, _ := x509.MarshalPKIXPublicKey(key.Public())
	priv, pub = filepath.Join(dir, "key.pem"), filepath.Join(dir, "key.pub.pem")
	os.WriteFile(priv, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	os.WriteFile(pub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o600)
	return priv, pub
}

// The CLI writes byte-identical signed zips on two runs; verify accepts
// them (exit 0) and names a tampered file (exit 1).
func TestEvidenceZipAndVerify(t *testing.T) {
	dir := t.TempDir()
	priv, pub := writeKeys(t, dir, 3)
	_, otherPub := writeKeys(t, t.TempDir(), 4)
	a, b := filepath.Join(dir, "a.zip"), filepath.Join(dir, "b.zip")
	for _, out := range []string{a, b} {
		code, _, errOut := run(t, "evidence", sampleSnap, "--config", waiverConfig, "--sign-key", priv, "--output", out)
		if code != 0 {
			t.Fatalf("evidence: exit %d: %s", code, errOut)
		}
		if !strings.Contains(errOut, "17 files") || !strings.Contains(errOut, "1 waived") || !strings.Contains(errOut, "signed") {
			t.Errorf("summary: %s", errOut)
		}
		if !strings.Contains(errOut, "expired on 2026-11-15") {
			t.Errorf("no warning about the expired waiver: %s", errOut)
		}
	}
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	if !bytes.Equal(da, db) {
		t.Fatal("two evidence runs wrote different zips")
	}
	if code, out, errOut := run(t, "evidence", "verify", a, "--pub", pub); code != 0 || !strings.Contains(out, "signature: valid") || !strings.Contains(out, "intact, 15 files") {
		t.Fatalf("verify intact: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, _ := run(t, "evidence", "verify", a, "--pub", otherPub); code != 1 || !strings.Contains(out, "signature: INVALID") {
		t.Errorf("verify with another key: exit %d\n%s", code, out)
	}
	if code, out, errOut := run(t, "evidence", "verify", filepath.Join(dir, "none.zip")); code != 2 {
		t.Errorf("verify a missing pack: exit %d, want 2\n%s%s", code, out, errOut)
	}
	if code, _, errOut := run(t, "evidence", "verify", a, "--pub", priv); code != 2 || !strings.Contains(errOut, "not a PEM public key") {
		t.Errorf("verify with a private key as --pub: exit %d: %s", code, errOut)
	}
}

// The directory form: verify names a changed, a removed and an added file.
func TestEvidenceDirectoryVerify(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pack")
	if code, _, errOut := run(t, "evidence", sampleSnap, "-c", sampleConfig, "-o", dir); code != 0 {
		t.Fatalf("evidence: exit %d: %s", code, errOut)
	}
	if code, out, _ := run(t, "evidence", "verify", dir); code != 0 || !strings.Contains(out, "signature: none") {
		t.Fatalf("verify: exit %d\n%s", code, out)
	}
	html := filepath.Join(dir, "report.html")
	data, _ := os.ReadFile(html)
	data[len(data)/2] ^= 0x20
	os.WriteFile(html, data, 0o600)
	os.Remove(filepath.Join(dir, "controls", "soc2-2017.csv"))
	os.WriteFile(filepath.Join(dir, "extra.txt"), []byte("x"), 0o600)
	code, out, errOut := run(t, "evidence", "verify", dir)
	if code != 1 {
		t.Fatalf("verify a tampered pack: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"changed: report.html", "removed: controls/soc2-2017.csv", "added: extra.txt", "NOT intact"} {
		if !strings.Contains(out+errOut, want) {
			t.Errorf("verify output lacks %q:\n%s%s", want, out, errOut)
		}
	}
}

func TestEvidenceUsageErrors(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join(dir, "full")
	os.MkdirAll(full, 0o700)
	os.WriteFile(filepath.Join(full, "x"), []byte("x"), 0o600)
	notKey := filepath.Join(dir, "notkey.pem")
	os.WriteFile(notKey, []byte("hello"), 0o600)
	badWaiver := filepath.Join(dir, "bg.yaml")
	cfg, _ := os.ReadFile(sampleConfig)
	os.WriteFile(badWaiver, append(cfg, []byte("waivers:\n  - rule: BG-AUTH-02\n    resource: b9a1e001-0000-4000-8000-00000000b002\n    reason: r\n    owner: o\n    expires: 2027-01-01\n")...), 0o600)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no config", []string{"evidence", sampleSnap, "-o", filepath.Join(dir, "p.zip")}, "needs --config"},
		{"no output", []string{"evidence", sampleSnap, "-c", sampleConfig}, "needs --output"},
		{"non-empty directory", []string{"evidence", sampleSnap, "-c", sampleConfig, "-o", full}, "not empty"},
		{"bad key", []string{"evidence", sampleSnap, "-c", sampleConfig, "-o", filepath.Join(dir, "p.zip"), "--sign-key", notKey}, "openssl genpkey -algorithm ed25519"},
		{"overwrite the snapshot", []string{"evidence", sampleSnap, "-c", sampleConfig, "-o", sampleConfig}, "not a directory"},
		{"unknown waiver rule", []string{"evidence", sampleSnap, "-c", badWaiver, "-o", filepath.Join(dir, "p.zip")}, "bg.yaml:31: waivers[0].rule \"BG-AUTH-02\" is not a loaded rule (did you mean BG-AUTH-002?)"},
		{"unknown waiver rule in scan", []string{"scan", sampleSnap, "-c", badWaiver}, "is not a loaded rule"},
		{"verify needs a pack", []string{"evidence", "verify"}, "exactly one PACK"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := run(t, c.args...)
			if code != 2 || !strings.Contains(out+errOut, c.want) {
				t.Errorf("exit %d, want 2 and %q:\n%s%s", code, c.want, out, errOut)
			}
		})
	}
}

// scan applies waivers: the waived finding no longer trips --fail-on, the
// expired one does, and --format html writes the page.
func TestScanWaiversAndHTML(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.html")
	code, _, errOut := run(t, "scan", sampleSnap, "-c", waiverConfig, "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	html, _ := os.ReadFile(out)
	if !strings.HasPrefix(string(html), "<!DOCTYPE html>") || !strings.Contains(string(html), "Accepted risks") {
		t.Error("--output r.html did not write the HTML report")
	}
	code, stdout, _ := run(t, "scan", sampleSnap, "-c", waiverConfig, "-f", "json")
	if code != 0 || !strings.Contains(stdout, `"waived": 1`) || !strings.Contains(stdout, `"status": "waived"`) {
		t.Errorf("JSON lacks the waived result (exit %d)", code)
	}
	code, stdout, _ = run(t, "scan", sampleSnap, "-c", waiverConfig)
	if code != 0 || !strings.Contains(stdout, "WAIVED") || !strings.Contains(stdout, "1 waived") {
		t.Errorf("text output lacks the waived result:\n%s", stdout)
	}
}

// Custom policies and mapping files go into the pack; a user framework
// gets its own matrix, with formula-looking cells defused.
func TestEvidenceCustomPoliciesAndMappings(t *testing.T) {
	dir := t.TempDir()
	cis := filepath.Join(dir, "cis.yaml")
	os.WriteFile(cis, []byte("framework:\n  id: cis-azure-3.0\n  title: CIS\n  version: \"3.0\"\ncontrols:\n  - id: \"1.1.1\"\n    title: \"=HYPERLINK(\\\"http://x\\\")\"\nrules:\n  BG-INV-001:\n    cis-azure-3.0: [\"1.1.1\"]\n"), 0o600)
	pack := filepath.Join(dir, "pack")
	code, _, errOut := run(t, "evidence", sampleSnap, "-c", sampleConfig, "--policy", "../../testdata/policies/good", "--mappings", cis, "-o", pack)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, f := range []string{"inputs/policies/good/acme_display_name.rego", "inputs/mappings/cis.yaml", "controls/cis-azure-3.0.csv", "controls/cis-azure-3.0.md"} {
		if _, err := os.Stat(filepath.Join(pack, f)); err != nil {
			t.Errorf("pack lacks %s", f)
		}
	}
	if _, err := os.Stat(filepath.Join(pack, "inputs/policies/good/acme_display_name_test.rego")); err == nil {
		t.Error("the pack holds a policy test file the scan did not evaluate")
	}
	csv, _ := os.ReadFile(filepath.Join(pack, "controls/cis-azure-3.0.csv"))
	if !strings.Contains(string(csv), `'=HYPERLINK`) {
		t.Errorf("a formula-looking title is not defused:\n%s", csv)
	}
	prov, _ := os.ReadFile(filepath.Join(pack, "provenance.json"))
	for _, want := range []string{`"path": "good/acme_display_name.rego"`, `"inputs/policies/good"`, `"inputs/mappings/cis.yaml"`} {
		if !strings.Contains(string(prov), want) {
			t.Errorf("provenance.json lacks %s", want)
		}
	}
	if code, out, _ := run(t, "evidence", "verify", pack); code != 0 {
		t.Errorf("verify: exit %d\n%s", code, out)
	}
}
