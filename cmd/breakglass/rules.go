package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/breakglass-dev/breakglass/mappings"
	"github.com/breakglass-dev/breakglass/policies/engine"
	"github.com/spf13/cobra"
)

type catalogueOptions struct {
	format      string
	policyDirs  []string
	mappingFile []string
}

func (o *catalogueOptions) flags(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&o.format, "format", "f", "text", "output format: text or json")
	cmd.Flags().StringArrayVarP(&o.policyDirs, "policy", "p", nil, "directory of custom Rego rules to include (repeatable)")
	cmd.Flags().StringArrayVar(&o.mappingFile, "mappings", nil, "extra control framework file (repeatable)")
}

func (o *catalogueOptions) engine(cmd *cobra.Command) (*engine.Engine, error) {
	if o.format != "text" && o.format != "json" {
		return nil, usageError("--format %q: use text or json", o.format)
	}
	maps, err := mappings.LoadBuiltin()
	if err != nil {
		return nil, err
	}
	for _, path := range o.mappingFile {
		if err := maps.AddFile(path); err != nil {
			return nil, &exitError{code: exitUsage, err: err}
		}
	}
	eng, err := engine.New(cmd.Context(), engine.Options{Mappings: maps, PolicyDirs: o.policyDirs})
	if err != nil {
		return nil, &exitError{code: exitUsage, err: err}
	}
	return eng, nil
}

func writeJSON(cmd *cobra.Command, v any) error {
	enc := json.NewEncoder(cmd.OutOrStdout())
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func newRulesCmd() *cobra.Command {
	var o catalogueOptions
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the rule catalogue with severities and control mappings",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			eng, err := o.engine(cmd)
			if err != nil {
				return err
			}
			if o.format == "json" {
				return writeJSON(cmd, eng.Rules())
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEVERITY\tRESOURCE\tTITLE")
			for _, r := range eng.Rules() {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Resource, r.Title)
			}
			return tw.Flush()
		},
	}
	o.flags(cmd)
	return cmd
}

type controlEntry struct {
	Framework string   `json:"framework"`
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Rules     []string `json:"rules"`
}

func newControlsCmd() *cobra.Command {
	var o catalogueOptions
	cmd := &cobra.Command{
		Use:   "controls",
		Short: "List the control catalogues and which rules assess each control",
		Long: `List every control of every loaded framework (ISO/IEC 27001:2022 Annex A,
NIST SP 800-53 Rev. 5, SOC 2 2017 TSC, plus --mappings files) with the rules
mapped to it. A control with no rules is "not assessed" by breakglass.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			eng, err := o.engine(cmd)
			if err != nil {
				return err
			}
			entries := controlMatrix(eng)
			if o.format == "json" {
				return writeJSON(cmd, entries)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "FRAMEWORK\tCONTROL\tTITLE\tRULES")
			for _, e := range entries {
				rules := strings.Join(e.Rules, ", ")
				if rules == "" {
					rules = "(not assessed)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Framework, e.ID, e.Title, rules)
			}
			return tw.Flush()
		},
	}
	o.flags(cmd)
	return cmd
}

// controlMatrix lists controls in catalogue order with the rules mapped
// to each, rules sorted by ID.
func controlMatrix(eng *engine.Engine) []controlEntry {
	var out []controlEntry
	for _, fw := range eng.Mappings().Frameworks {
		for _, c := range fw.Controls {
			e := controlEntry{Framework: fw.ID, ID: c.ID, Title: c.Title, Rules: []string{}}
			for _, r := range eng.Rules() {
				for _, id := range r.Controls[fw.ID] {
					if id == c.ID {
						e.Rules = append(e.Rules, r.ID)
					}
				}
			}
			out = append(out, e)
		}
	}
	return out
}
