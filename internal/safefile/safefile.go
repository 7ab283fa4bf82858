// Package safefile writes the files breakglass produces (snapshots,
// reports, evidence): they hold tenant configuration, so they are private
// and never half-written.
//
//   - Atomic: the content goes to a temporary file in the target's
//     directory, is synced, then renamed over the target; a reader sees the
//     old file or the new one, never a part.
//   - Private: a new file gets mode 0600 whatever the umask; a file that
//     already exists keeps its permission bits (someone chose them).
//   - Clean: the temporary file is removed on every failure path, and when
//     SIGINT or SIGTERM arrives during the write (the write then fails and
//     the target is left as it was).
package safefile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
)

// NewFileMode is the mode of a file that did not exist before.
const NewFileMode os.FileMode = 0o600

// ErrInterrupted is returned when a signal arrived during the write.
var ErrInterrupted = errors.New("interrupted by a signal: nothing written")

// Write replaces path with data atomically (see the package comment).
func Write(path string, data []byte) error {
	return WriteFunc(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFunc replaces path atomically with what fill writes; an error from
// fill leaves path as it was.
func WriteFunc(path string, fill func(io.Writer) error) (err error) {
	mode := NewFileMode
	if info, err := os.Stat(path); err == nil {
		if info.IsDir() {
			return fmt.Errorf("%s is a directory", path)
		}
		mode = info.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("create a temporary file next to %s: %w", path, err)
	}
	w := &writer{f: tmp, name: tmp.Name()}
	stop := w.watchSignals()
	defer func() {
		stop()
		if err != nil {
			w.discard()
			if w.wasInterrupted() {
				err = ErrInterrupted
			}
		}
	}()
	if err := tmp.Chmod(mode); err != nil {
		return fmt.Errorf("chmod %s: %w", tmp.Name(), err)
	}
	if err := fill(w); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp.Name(), err)
	}
	return w.rename(path)
}

// writer is the temporary file; a signal discards it.
type writer struct {
	f    *os.File
	name string

	mu          sync.Mutex
	interrupted bool
	gone        bool // removed or renamed
}

func (w *writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	interrupted := w.interrupted
	w.mu.Unlock()
	if interrupted {
		return 0, ErrInterrupted
	}
	n, err := w.f.Write(p)
	if err != nil {
		return n, fmt.Errorf("write %s: %w", w.name, err)
	}
	return n, nil
}

// watchSignals removes the temporary file as soon as SIGINT or SIGTERM
// arrives (other handlers, such as the command's context, still get the
// signal). The returned function stops watching.
func (w *writer) watchSignals() func() {
	ch := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-ch:
			w.mu.Lock()
			w.interrupted = true
			w.mu.Unlock()
			w.discard()
		case <-done:
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}

func (w *writer) wasInterrupted() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.interrupted
}

// discard closes and removes the temporary file unless it was renamed.
func (w *writer) discard() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.gone {
		return
	}
	w.gone = true
	w.f.Close()
	os.Remove(w.name)
}

func (w *writer) rename(path string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.interrupted {
		return ErrInterrupted
	}
	if err := os.Rename(w.name, path); err != nil {
		return fmt.Errorf("rename into %s: %w", path, err)
	}
	w.gone = true
	// Make the rename durable too (best effort: the file is in place).
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
