package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/breakglass-dev/breakglass/policies"
)

// FileDigest is one policy file of the rule bundle and its SHA-256.
type FileDigest struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// BundleDigest identifies the rules a scan ran: the SHA-256 over the sorted
// "sha256  path" lines of every evaluated .rego file (the embedded library
// and rules as policies/..., then each --policy directory's files by
// path relative to the directory's parent; tests excluded, as the engine loads them), and the files.
func BundleDigest(dirs []string) (string, []FileDigest, error) {
	var files []FileDigest
	add := func(path string, data []byte) {
		sum := sha256.Sum256(data)
		files = append(files, FileDigest{Path: path, SHA256: hex.EncodeToString(sum[:])})
	}
	err := fs.WalkDir(policies.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isRego(path, false) {
			return err
		}
		data, err := policies.FS.ReadFile(path)
		if err != nil {
			return err
		}
		add("policies/"+path, data)
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !isRego(path, false) {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			// Named by the directory's base name, so that an absolute
			// --policy path (a home directory) stays out of reports.
			add(filepath.ToSlash(filepath.Join(filepath.Base(filepath.Clean(dir)), rel)), data)
			return nil
		})
		if err != nil {
			return "", nil, fmt.Errorf("--policy %s: %w", dir, err)
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%s  %s\n", f.SHA256, f.Path)
	}
	return hex.EncodeToString(h.Sum(nil)), files, nil
}
