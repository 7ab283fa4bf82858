// Package fileerr is the error for a problem in an input file at a
// position, shared by the packages that read the tool's own files (config,
// mappings) so that callers classify one type: exit code 2.
package fileerr

import "fmt"

// Error is a problem in the file Path, at Line when known (1-based; 0 when
// the problem is not at one line).
type Error struct {
	Path string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}
