package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Reports (and --dump-input) are written 0600 under any umask, and an
// existing --output keeps its mode.
func TestOutputFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	sarif := filepath.Join(dir, "r.sarif")
	input := filepath.Join(dir, "input.json")
	kept := filepath.Join(dir, "kept.json")
	if err := os.WriteFile(kept, []byte("{}"), 0o640); err != nil {
		t.Fatal(err)
	}
	os.Chmod(kept, 0o640)
	code, _, errOut := run(t, "scan", sampleSnap, "-c", sampleConfig, "-f", "sarif", "-o", sarif, "-f", "json", "-o", kept, "--dump-input", input)
	if code > 1 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for path, want := range map[string]os.FileMode{sarif: 0o600, input: 0o600, kept: 0o640} {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if m := info.Mode().Perm(); m != want {
			t.Errorf("%s: mode %03o, want %03o", filepath.Base(path), m, want)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".tmp" {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

func TestCollectRejectsBadMaxResponseSize(t *testing.T) {
	for _, v := range []string{"0", "-1"} {
		code, _, errOut := run(t, "collect", "--max-response-mib", v)
		if code != 2 || !strings.Contains(errOut, "--max-response-mib") {
			t.Errorf("--max-response-mib %s: exit %d, stderr %q; want 2 naming the flag", v, code, errOut)
		}
	}
}

func TestCollectRejectsNegativeMaxPages(t *testing.T) {
	code, _, errOut := run(t, "collect", "--max-pages", "-1")
	if code != 2 || !strings.Contains(errOut, "--max-pages") {
		t.Errorf("exit %d, stderr %q; want 2 naming --max-pages", code, errOut)
	}
}
