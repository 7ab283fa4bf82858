package main

import (
	"encoding/json"
	"fmt"
	"io"
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
	cmd.Flags().StringVarP(&o.format, "format", "f", "text", "output format: text, json or markdown")
	cmd.Flags().StringArrayVarP(&o.policyDirs, "policy", "p", nil, "directory of custom Rego rules to include (repeatable)")
	cmd.Flags().StringArrayVar(&o.mappingFile, "mappings", nil, "extra control framework file (repeatable)")
}

func (o *catalogueOptions) engine(cmd *cobra.Command) (*engine.Engine, error) {
	if o.format != "text" && o.format != "json" && o.format != "markdown" {
		return nil, usageError("--format %q: use text, json or markdown", o.format)
	}
	return loadEngine(cmd, o.policyDirs, o.mappingFile)
}

// loadEngine loads the built-in mappings plus --mappings files and compiles
// the built-in plus --policy rules; every failure is a usage error (exit 2).
func loadEngine(cmd *cobra.Command, policyDirs, mappingFiles []string) (*engine.Engine, error) {
	maps, err := mappings.LoadBuiltin()
	if err != nil {
		return nil, err
	}
	for _, path := range mappingFiles {
		if err := maps.AddFile(path); err != nil {
			return nil, err
		}
	}
	eng, err := engine.New(cmd.Context(), engine.Options{Mappings: maps, PolicyDirs: policyDirs})
	if err != nil {
		return nil, err
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
		Example: `  breakglass rules
  breakglass rules --format json | jq -r '.[] | select(.severity == "critical") | .id'
  breakglass rules --policy ./policies-acme --format markdown > rules.md`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			eng, err := o.engine(cmd)
			if err != nil {
				return err
			}
			switch o.format {
			case "json":
				return writeJSON(cmd, eng.Rules())
			case "markdown":
				return writeRulesMarkdown(cmd.OutOrStdout(), eng)
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
		Example: `  breakglass controls
  breakglass controls --format json > control-matrix.json
  breakglass controls --mappings internal-controls.yaml   # with your own framework`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			eng, err := o.engine(cmd)
			if err != nil {
				return err
			}
			entries := controlMatrix(eng)
			switch o.format {
			case "json":
				return writeJSON(cmd, entries)
			case "markdown":
				return usageError("controls: --format markdown is not supported; use text or json")
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

// writeRulesMarkdown renders the catalogue as docs/rules.md (kept in sync
// by TestRulesDocIsCurrent). Each rule has an explicit anchor so SARIF help
// links (docs/rules.md#bg-ca-002) resolve.
func writeRulesMarkdown(w io.Writer, eng *engine.Engine) error {
	var b strings.Builder
	b.WriteString("# Rule catalogue\n\nGenerated by `breakglass rules --format markdown`; do not edit by hand.\n\n")
	b.WriteString("| id | severity | judges | title |\n|---|---|---|---|\n")
	for _, r := range eng.Rules() {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s |\n", r.ID, strings.ToLower(r.ID), r.Severity, r.Resource, r.Title)
	}
	for _, r := range eng.Rules() {
		fmt.Fprintf(&b, "\n<a id=\"%s\"></a>\n## %s: %s\n\n", strings.ToLower(r.ID), r.ID, r.Title)
		fmt.Fprintf(&b, "Severity **%s**; judges each `%s`; needs data sets: %s.\n\n", r.Severity, r.Resource, codeList(r.Requires))
		fmt.Fprintf(&b, "%s\n\n**Remediation.** %s\n\n**Controls.**\n\n", r.Description, r.Remediation)
		for _, fw := range eng.Mappings().Frameworks {
			if ids := r.Controls[fw.ID]; len(ids) > 0 {
				var named []string
				for _, id := range ids {
					c, _ := fw.Control(id)
					named = append(named, fmt.Sprintf("%s (%s)", id, c.Title))
				}
				fmt.Fprintf(&b, "- %s: %s\n", fw.Title, strings.Join(named, "; "))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func codeList(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	return "`" + strings.Join(items, "`, `") + "`"
}
