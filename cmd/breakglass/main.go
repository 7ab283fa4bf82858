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

	"github.com/breakglass-dev/breakglass/collector"
	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/config"
	"github.com/breakglass-dev/breakglass/policies/engine"
	"github.com/spf13/cobra"
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
// codes (classify).
func exitCode(stderr io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if !errors.As(err, &ee) || ee.err != nil {
		fmt.Fprintf(stderr, "breakglass: %v\n", err)
	}
	return classify(err)
}

// classify is the one place an error becomes an exit code, by its type:
//
//   - *exitError: the code it carries (findings, a command-line usage error);
//   - *collector.FatalError: 3, collection failed outright;
//   - *config.Error (= mappings.Error), *snapshot.InputError,
//     *engine.PolicyError, *collector.UsageError: 2, a usage, config,
//     input or policy-compile error;
//   - an error cobra returns before running a command (unknown command,
//     wrong arguments; not a *commandError): 2;
//   - anything else a command returns, including an interrupted scan
//     (engine.ErrInterrupted, context.Canceled): 4, the run did not finish
//     and nothing is a verdict. An unexpected error is not the user's
//     fault, so it is not called a usage error.
func classify(err error) int {
	var (
		ee *exitError
		cf *collector.FatalError
		cu *collector.UsageError
		ce *config.Error
		ie *snapshot.InputError
		pe *engine.PolicyError
		cm *commandError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &cf):
		return exitCollector
	case errors.As(err, &ce), errors.As(err, &ie), errors.As(err, &pe), errors.As(err, &cu):
		return exitUsage
	case !errors.As(err, &cm):
		return exitUsage // cobra's own: unknown command, arguments
	}
	return exitIncomplete
}

// commandError marks an error a command's RunE returned, as opposed to one
// cobra returns before running any (unknown command, wrong arguments).
type commandError struct{ err error }

func (e *commandError) Error() string { return e.err.Error() }
func (e *commandError) Unwrap() error { return e.err }

// markCommandErrors wraps the RunE of c and its subcommands so that their
// errors are *commandError.
func markCommandErrors(c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if err := run(cmd, args); err != nil {
				return &commandError{err}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		markCommandErrors(sub)
	}
}
