// Command breakglass audits the emergency-access ("break-glass") accounts of
// a Microsoft Entra ID tenant: collect a snapshot, scan it with Rego rules,
// report as SARIF, JSON, text, JUnit or Markdown.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// SIGTERM (CI cancelling a job, a container stopping) ends a run like
	// Ctrl-C: collection stops, no output is half-written.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd().ExecuteContext(ctx)
	stop()
	os.Exit(exitCode(os.Stderr, err))
}

// exitCode prints err (if any) to stderr and maps it to SPEC.md's exit
// codes.
func exitCode(stderr io.Writer, err error) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "breakglass: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "breakglass: %v\n", err)
	return exitUsage
}
