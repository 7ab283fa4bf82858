package snapshot

import "github.com/breakglass-dev/breakglass/internal/safefile"

// WriteFile writes data to path with the one atomic writer every output
// of breakglass uses (internal/safefile): temporary file, fsync, rename;
// mode 0600 for a new file, an existing file's mode kept; no temporary
// file left on failure or on SIGINT/SIGTERM.
func WriteFile(path string, data []byte) error {
	return safefile.Write(path, data)
}
