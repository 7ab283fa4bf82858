package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Exit codes (SPEC.md; README.md "Exit codes"). classify in main.go picks
// one for an error.
const (
	exitOK         = 0
	exitFindings   = 1 // findings at or above --fail-on
	exitUsage      = 2 // usage, config, input or policy-compile error
	exitCollector  = 3 // collection failed outright, no snapshot written
	exitIncomplete = 4 // interrupted, or an unexpected error: no verdict
)

// version and commit are set with -ldflags at release time.
var (
	version = "0.1.0-dev"
	commit  = ""
)

// exitError carries an exit code out of a command for what has no error
// type of its own: findings, and command-line usage errors (usageError);
// err may be nil when the command already reported (e.g. findings).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "breakglass",
		Short: "Audit Microsoft Entra ID emergency-access (break-glass) accounts",
		Long: `breakglass audits the emergency-access ("break-glass") accounts of a Microsoft
Entra ID tenant and its Azure subscriptions against a catalogue of Rego rules
mapped to ISO/IEC 27001:2022, NIST SP 800-53 Rev. 5 and SOC 2.

  breakglass collect --config breakglass.yaml --output snapshot.json
  breakglass scan snapshot.json --config breakglass.yaml --format sarif --output results.sarif`,
		Example: `  breakglass scan testdata/sample/snapshot.json --config testdata/sample/breakglass.yaml
  breakglass rules
  breakglass completion bash`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(),
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &exitError{code: exitUsage, err: fmt.Errorf("%w (see `%s --help`)", err, cmd.CommandPath())}
	})
	addQuietFlag(root)
	// Every command, in one place.
	root.AddCommand(
		newCollectCmd(),
		newScanCmd(),
		newRulesCmd(),
		newControlsCmd(),
		newEvidenceCmd(),
		newPolicyCmd(),
		newSchemaCmd(),
		newVersionCmd(),
		newCompletionCmd(),
	)
	markCommandErrors(root)
	return root
}

func versionString() string {
	c := commit
	if c == "" {
		if info, ok := debug.ReadBuildInfo(); ok {
			for _, s := range info.Settings {
				if s.Key == "vcs.revision" {
					c = s.Value
				}
			}
		}
	}
	if c == "" {
		c = "unknown"
	}
	return fmt.Sprintf("%s (commit %s, OPA %s)", version, c, opaVersion())
}
