package main

import (
	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/spf13/cobra"
)

func newSchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the snapshot JSON Schema (the Rego input document)",
		Long: `Print the JSON Schema (draft 2020-12) that every snapshot must match. scan
validates snapshots against it before evaluation; custom rule authors can
use it to see the shape of input.`,
		Example: `  breakglass schema > snapshot.schema.json
  breakglass schema | jq '.properties | keys'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := cmd.OutOrStdout().Write(snapshot.Schema())
			return err
		},
	}
}
