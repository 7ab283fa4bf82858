package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRepoURI: SARIF paths are relative to the git top-level directory of
// the file, wherever the scan runs; without a repository, to the working
// directory; never absolute.
func TestRepoURI(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	for _, d := range []string{filepath.Join(repo, ".git"), filepath.Join(repo, "infra", "bg config"), filepath.Join(dir, "loose")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(repo, "infra", "bg config", "breakglass.yaml")
	loose := filepath.Join(dir, "loose", "breakglass.yaml")
	for _, f := range []string{cfg, loose} {
		if err := os.WriteFile(f, []byte("accounts: []\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct{ path, cwd, want string }{
		{cfg, repo, "infra/bg%20config/breakglass.yaml"},
		{cfg, filepath.Join(repo, "infra"), "infra/bg%20config/breakglass.yaml"},
		{cfg, dir, "infra/bg%20config/breakglass.yaml"},
		{loose, dir, "loose/breakglass.yaml"},
		{loose, repo, "breakglass.yaml"}, // outside the working directory and any repository
	}
	for _, c := range cases {
		if got := repoURI(c.path, c.cwd); got != c.want {
			t.Errorf("repoURI(%s, cwd %s) = %q, want %q", c.path, c.cwd, got, c.want)
		}
	}
	// A worktree or submodule has a .git file, not a directory.
	wt := filepath.Join(dir, "wt")
	if err := os.MkdirAll(filepath.Join(wt, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(wt, ".git"), []byte("gitdir: elsewhere\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := gitTopLevel(filepath.Join(wt, "sub")); got != wt {
		t.Errorf("gitTopLevel in a worktree = %q, want %q", got, wt)
	}
}

// TestScanSARIFPointsAtTheConfigInTheRepository: run from cmd/breakglass,
// the sample's results point at testdata/sample/breakglass.yaml relative to
// the repository root, with no absolute path in the file.
func TestScanSARIFPointsAtTheConfigInTheRepository(t *testing.T) {
	want := "testdata/sample/breakglass.yaml"
	if wd, _ := os.Getwd(); gitTopLevel(wd) == "" {
		want = "breakglass.yaml" // no repository: outside the working directory, its base name
	}
	out := filepath.Join(t.TempDir(), "r.sarif")
	if code, _, errOut := run(t, "scan", sampleSnap, "-c", sampleConfig, "-f", "sarif", "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data := string(mustRead(t, out))
	if !strings.Contains(data, `"uri": "`+want+`",`) || !strings.Contains(data, `"uriBaseId": "%SRCROOT%"`) {
		t.Errorf("SARIF does not point at %s against %%SRCROOT%%", want)
	}
	if wd, _ := os.Getwd(); strings.Contains(data, wd) || strings.Contains(data, "file://") {
		t.Error("SARIF carries an absolute path")
	}
}
