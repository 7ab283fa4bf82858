package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBundleDigest(t *testing.T) {
	sum, files, err := BundleDigest(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum) != 64 || len(files) == 0 {
		t.Fatalf("digest %q over %d files", sum, len(files))
	}
	for _, f := range files {
		if strings.HasSuffix(f.Path, "_test.rego") || !strings.HasPrefix(f.Path, "policies/") {
			t.Errorf("unexpected bundle file %s", f.Path)
		}
	}
	again, _, _ := BundleDigest(nil)
	if again != sum {
		t.Error("the digest is not deterministic")
	}
	dir := filepath.Join(t.TempDir(), "acme")
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "r.rego"), []byte("package breakglass.rules.acme\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "r_test.rego"), []byte("package breakglass.rules.acme_test\n"), 0o600)
	custom, cfiles, err := BundleDigest([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if custom == sum || len(cfiles) != len(files)+1 || cfiles[0].Path != "acme/r.rego" {
		t.Errorf("custom rules: %d files, first %s", len(cfiles), cfiles[0].Path)
	}
	os.WriteFile(filepath.Join(dir, "r.rego"), []byte("package breakglass.rules.acme \n"), 0o600)
	if changed, _, _ := BundleDigest([]string{dir}); changed == custom {
		t.Error("a changed policy file does not change the digest")
	}
}
