package main

import "github.com/spf13/cobra"

// --quiet (-q) is a persistent flag of the root, so every command accepts
// it and it means one thing: no notes, progress or summaries on stderr.
// Errors and warnings always print, and reports (stdout, --output files)
// are the same with or without it.
const quietUsage = "print no notes, progress or summaries on stderr (errors and warnings still print; reports are unchanged)"

func addQuietFlag(root *cobra.Command) {
	root.PersistentFlags().BoolP("quiet", "q", false, quietUsage)
}

// isQuiet reports whether --quiet was given to cmd or a parent.
func isQuiet(cmd *cobra.Command) bool {
	q, err := cmd.Flags().GetBool("quiet")
	return err == nil && q
}
