package main

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/breakglass-dev/breakglass/config"
	"github.com/breakglass-dev/breakglass/report"
)

// sarifSource names the files SARIF results point at, relative to the
// repository root: the --config file (results anchor to its declarations)
// and the snapshot (used only without --config). The root is the git
// top-level directory above the file (the nearest directory holding a .git
// entry: a checkout, worktree or submodule), else the working directory; a
// file outside both is named by its base name. No absolute path reaches the
// report.
func sarifSource(configPath, snapshotPath string, declared any, cwd string) *report.Source {
	s := &report.Source{Snapshot: repoURI(snapshotPath, cwd)}
	if cfg, ok := declared.(*config.Config); ok && configPath != "" {
		s.Config, s.ConfigLines = repoURI(configPath, cwd), cfg.Lines()
	}
	return s
}

// repoURI is path relative to its repository root (see sarifSource), as a
// "/"-separated, percent-encoded relative URI reference.
func repoURI(path, cwd string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return uriPath(filepath.Base(path))
	}
	root := gitTopLevel(filepath.Dir(abs))
	if root == "" {
		root = cwd
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		rel = filepath.Base(abs)
	}
	return uriPath(rel)
}

// gitTopLevel is the nearest directory at or above dir that holds a .git
// entry (directory, or file for worktrees and submodules); "" if none.
func gitTopLevel(dir string) string {
	for {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func uriPath(rel string) string {
	parts := strings.Split(filepath.ToSlash(rel), "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}
