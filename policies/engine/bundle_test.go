package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBundle(t *testing.T) {
	bundle := func(dirs ...string) (string, []FileDigest) {
		t.Helper()
		e, err := New(context.Background(), Options{PolicyDirs: dirs})
		if err != nil {
			t.Fatal(err)
		}
		return e.Bundle()
	}
	sum, files := bundle()
	if len(sum) != 64 || len(files) == 0 {
		t.Fatalf("digest %q over %d files", sum, len(files))
	}
	for _, f := range files {
		if strings.HasSuffix(f.Path, "_test.rego") || !strings.HasPrefix(f.Path, "policies/") {
			t.Errorf("unexpected bundle file %s", f.Path)
		}
	}
	if again, _ := bundle(); again != sum {
		t.Error("the digest is not deterministic")
	}
	dir := filepath.Join(t.TempDir(), "acme")
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "r.rego"), []byte("package acme.helpers\n\nanswer := 42\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "r_test.rego"), []byte("package acme.helpers_test\n"), 0o600)
	custom, cfiles := bundle(dir)
	if custom == sum || len(cfiles) != len(files)+1 || cfiles[0].Path != "acme/r.rego" {
		t.Errorf("custom rules: %d files, first %s", len(cfiles), cfiles[0].Path)
	}
	// The digest is of what the engine read: an engine loaded before the
	// file changed keeps naming the old bytes; a new one names the new.
	e, err := New(context.Background(), Options{PolicyDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "r.rego"), []byte("package acme.helpers\n\nanswer := 43\n"), 0o600)
	if loaded, _ := e.Bundle(); loaded != custom {
		t.Error("the engine's digest changed with a file it had already read")
	}
	if changed, _ := bundle(dir); changed == custom {
		t.Error("a changed policy file does not change the digest")
	}
}
