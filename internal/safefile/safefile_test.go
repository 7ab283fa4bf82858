package safefile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// withUmask runs f under umask mask (process-wide: these tests are not
// parallel).
func withUmask(t *testing.T, mask int, f func()) {
	old := syscall.Umask(mask)
	defer syscall.Umask(old)
	f()
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

// requireNoTemp fails when a temporary file is left in dir.
func requireNoTemp(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestNewFileIsPrivateUnderAnyUmask(t *testing.T) {
	for _, mask := range []int{0o077, 0o022, 0o000} {
		withUmask(t, mask, func() {
			dir := t.TempDir()
			path := filepath.Join(dir, "snapshot.json")
			if err := Write(path, []byte("{}\n")); err != nil {
				t.Fatal(err)
			}
			if m := mode(t, path); m != 0o600 {
				t.Errorf("umask %03o: mode %03o, want 600", mask, m)
			}
			if data, _ := os.ReadFile(path); string(data) != "{}\n" {
				t.Errorf("content %q", data)
			}
			requireNoTemp(t, dir)
		})
	}
}

func TestExistingFileKeepsItsMode(t *testing.T) {
	for _, want := range []os.FileMode{0o640, 0o644, 0o600, 0o604} {
		withUmask(t, 0o077, func() {
			dir := t.TempDir()
			path := filepath.Join(dir, "report.sarif")
			if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, want); err != nil {
				t.Fatal(err)
			}
			if err := Write(path, []byte("new")); err != nil {
				t.Fatal(err)
			}
			if m := mode(t, path); m != want {
				t.Errorf("mode %03o, want the existing %03o", m, want)
			}
			if data, _ := os.ReadFile(path); string(data) != "new" {
				t.Errorf("content %q", data)
			}
		})
	}
}

func TestFailedWriteLeavesTargetAndNoTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "snapshot.json")
	os.WriteFile(path, []byte("old"), 0o600)
	boom := errors.New("render failed")
	err := WriteFunc(path, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "old" {
		t.Errorf("target changed to %q", data)
	}
	requireNoTemp(t, dir)

	// A target that is a directory, and a directory that does not exist.
	if err := Write(dir, []byte("x")); err == nil {
		t.Error("wrote over a directory")
	}
	if err := Write(filepath.Join(dir, "missing", "x.json"), []byte("x")); err == nil {
		t.Error("wrote into a missing directory")
	}
	requireNoTemp(t, dir)
}

// A signal during the write removes the temporary file at once and fails
// the write; the target keeps its old content.
func TestSignalDuringWriteRemovesTemp(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "snapshot.json")
			os.WriteFile(path, []byte("old"), 0o600)
			err := WriteFunc(path, func(w io.Writer) error {
				if _, err := io.WriteString(w, "first part"); err != nil {
					return err
				}
				if err := syscall.Kill(os.Getpid(), sig); err != nil {
					t.Fatal(err)
				}
				// Wait for the handler to discard the temporary file.
				deadline := time.Now().Add(5 * time.Second)
				for time.Now().Before(deadline) {
					if _, err := io.WriteString(w, "more"); err != nil {
						return err
					}
					time.Sleep(5 * time.Millisecond)
				}
				return nil
			})
			if !errors.Is(err, ErrInterrupted) {
				t.Fatalf("err = %v, want ErrInterrupted", err)
			}
			if data, _ := os.ReadFile(path); string(data) != "old" {
				t.Errorf("target changed to %q", data)
			}
			requireNoTemp(t, dir)
		})
	}
}
