package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// FileDigest is one policy file of the rule bundle and its SHA-256.
type FileDigest struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Bundle identifies the rules this engine evaluates: the SHA-256 over the
// sorted "sha256  path" lines of every .rego source it compiled (the
// embedded library and rules as policies/..., each --policy directory's
// files by path relative to the directory's parent; tests excluded), and
// the files. The digests are of the bytes the engine parsed, so a file
// changed after loading cannot make the evidence name other rules than
// those that ran.
func (e *Engine) Bundle() (string, []FileDigest) {
	files := slices.Clone(e.bundle)
	slices.SortFunc(files, func(a, b FileDigest) int { return strings.Compare(a.Path, b.Path) })
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%s  %s\n", f.SHA256, f.Path)
	}
	return hex.EncodeToString(h.Sum(nil)), files
}

func digestOf(path string, src []byte) FileDigest {
	sum := sha256.Sum256(src)
	return FileDigest{Path: path, SHA256: hex.EncodeToString(sum[:])}
}

// bundlePath names a --policy file by the directory's base name and its
// path below it, so that an absolute --policy path (a home directory)
// stays out of reports.
func bundlePath(dir, path string) string {
	rel, err := filepath.Rel(dir, path)
	if err != nil {
		rel = filepath.Base(path)
	}
	return filepath.ToSlash(filepath.Join(filepath.Base(filepath.Clean(dir)), rel))
}
