package evidence

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Signature states of a verification.
const (
	SigValid     = "valid"
	SigInvalid   = "invalid"
	SigAbsent    = "absent"    // no MANIFEST.sha256.sig in the pack
	SigUnchecked = "unchecked" // signed, but no public key given
)

// Verification is the outcome of Verify.
type Verification struct {
	Files     int      // files listed in the manifest
	Changed   []string // listed, present, different content
	Removed   []string // listed, absent
	Added     []string // present, not listed (besides manifest and signature)
	Problems  []string // a malformed manifest, a missing signature, ...
	Signature string
}

// OK reports whether the pack is intact (and, when a key was given,
// signed by it).
func (v *Verification) OK() bool {
	return len(v.Changed)+len(v.Removed)+len(v.Added)+len(v.Problems) == 0 && v.Signature != SigInvalid
}

var manifestLine = regexp.MustCompile(`^([0-9a-f]{64})  (\S.*)$`)

// Verify checks every file of a pack against its manifest and, with pub,
// the manifest's signature.
func Verify(files map[string][]byte, pub ed25519.PublicKey) *Verification {
	v := &Verification{Changed: []string{}, Removed: []string{}, Added: []string{}, Problems: []string{}}
	manifest, ok := files[Manifest]
	if !ok {
		v.Problems = append(v.Problems, Manifest+" is missing: nothing can be verified")
		v.Signature = SigAbsent
		return v
	}
	listed := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(manifest))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		m := manifestLine.FindStringSubmatch(sc.Text())
		if m == nil {
			v.Problems = append(v.Problems, fmt.Sprintf("%s:%d: not a sha256sum line (HASH, two spaces, file name)", Manifest, n))
			continue
		}
		name := m[2]
		if listed[name] {
			v.Problems = append(v.Problems, fmt.Sprintf("%s:%d: %s is listed twice", Manifest, n, name))
			continue
		}
		listed[name] = true
		v.Files++
		data, present := files[name]
		switch {
		case !present:
			v.Removed = append(v.Removed, name)
		case sum(data) != m[1]:
			v.Changed = append(v.Changed, name)
		}
	}
	for name := range files {
		if !listed[name] && name != Manifest && name != Signature {
			v.Added = append(v.Added, name)
		}
	}
	sort.Strings(v.Added)
	sig, signed := files[Signature]
	switch {
	case !signed && pub != nil:
		v.Signature = SigAbsent
		v.Problems = append(v.Problems, "the pack is not signed ("+Signature+" is missing) but --pub was given")
	case !signed:
		v.Signature = SigAbsent
	case pub == nil:
		v.Signature = SigUnchecked
	default:
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(sig)))
		if err == nil && ed25519.Verify(pub, manifest, raw) {
			v.Signature = SigValid
		} else {
			v.Signature = SigInvalid
		}
	}
	return v
}

// MaxEntrySize bounds one zip entry read by Read (1 GiB, far above a
// real pack's largest member).
const MaxEntrySize = 1 << 30

// Read loads a pack from a .zip file or a directory. Entries must be
// regular files with clean relative names; anything else is an error (the
// pack cannot be trusted enough to verify).
func Read(target string) (map[string][]byte, error) {
	info, err := os.Stat(target)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", target, errors.Unwrap(err))
	}
	if info.IsDir() {
		return readDir(target)
	}
	zr, err := zip.OpenReader(target)
	if err != nil {
		return nil, fmt.Errorf("%s: not a zip archive or directory (%v)", target, err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue // a directory entry
		}
		if err := checkName(f.Name); err != nil {
			return nil, fmt.Errorf("%s: entry %v", target, err)
		}
		if !f.Mode().IsRegular() {
			return nil, fmt.Errorf("%s: entry %s is not a regular file", target, f.Name)
		}
		if _, dup := files[f.Name]; dup {
			return nil, fmt.Errorf("%s: entry %s occurs twice", target, f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", target, f.Name, err)
		}
		// A hostile archive may claim a small size and inflate to
		// gigabytes: read at most MaxEntrySize.
		data, err := io.ReadAll(io.LimitReader(rc, MaxEntrySize+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", target, f.Name, err)
		}
		if len(data) > MaxEntrySize {
			return nil, fmt.Errorf("%s: entry %s is larger than %d bytes: not an evidence pack", target, f.Name, MaxEntrySize)
		}
		files[f.Name] = data
	}
	return files, nil
}

func readDir(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s is not a regular file", rel)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[rel] = data
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return files, nil
}

// ParsePrivateKey reads an ed25519 private key in PKCS#8 PEM ("PRIVATE
// KEY"), as `openssl genpkey -algorithm ed25519` writes it.
func ParsePrivateKey(pemBytes []byte) (ed25519.PrivateKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, errors.New("not a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----); create one with: openssl genpkey -algorithm ed25519 -out evidence-key.pem")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("not a PKCS#8 private key: %v", err)
	}
	k, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("a %T, not an ed25519 key; create one with: openssl genpkey -algorithm ed25519 -out evidence-key.pem", key)
	}
	return k, nil
}

// ParsePublicKey reads an ed25519 public key in PKIX PEM ("PUBLIC KEY"),
// as `openssl pkey -in evidence-key.pem -pubout` writes it.
func ParsePublicKey(pemBytes []byte) (ed25519.PublicKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, errors.New("not a PEM public key (-----BEGIN PUBLIC KEY-----); derive it with: openssl pkey -in evidence-key.pem -pubout -out evidence-key.pub.pem")
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("not a PKIX public key: %v", err)
	}
	k, ok := key.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("a %T, not an ed25519 key", key)
	}
	return k, nil
}

// KeyID is a short fingerprint of a public key (SHA-256 of its bytes).
func KeyID(pub ed25519.PublicKey) string {
	s := sha256.Sum256(pub)
	return "sha256:" + hex.EncodeToString(s[:8])
}
