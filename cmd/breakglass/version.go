package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// buildDate is set with -ldflags by `make build` / `make release` (the
// commit's date in UTC, so that a rebuild of one commit is byte-identical);
// version and commit live in root.go.
var buildDate = ""

func opaVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/open-policy-agent/opa" {
				return dep.Version
			}
		}
	}
	return "unknown"
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print version, commit, build date and OPA version",
		Long: `Print the breakglass version, the commit and date it was built from, the
embedded OPA version, the Go toolchain and the platform. make build and
make release stamp version, commit and date with -ldflags; a plain go build
prints 0.1.0-dev and "unknown".`,
		Example: `  breakglass version
  breakglass --version   # one line`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "breakglass %s\n  commit:   %s\n  built:    %s\n  OPA:      %s\n  Go:       %s %s/%s\n",
				version, commitOrUnknown(), orDefault(buildDate, "unknown"), opaVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}

// commitOrUnknown is the -ldflags commit, else the VCS revision Go stamped
// (go build with VCS stamping on), else "unknown".
func commitOrUnknown() string {
	if commit != "" {
		return commit
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return "unknown"
}
