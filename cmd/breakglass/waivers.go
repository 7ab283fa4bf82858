package main

import (
	"fmt"
	"os"

	"github.com/breakglass-dev/breakglass/config"
	"github.com/breakglass-dev/breakglass/policies/engine"
	"github.com/breakglass-dev/breakglass/report"
	"github.com/spf13/cobra"
)

// applyWaivers applies the --config file's waivers (accepted risks) to the
// results: an unknown rule id is a config error (exit 2); expiring,
// expired, unused and ineffective waivers are warned about on stderr.
// Waivers come only from --config, never from the configuration recorded
// in the snapshot: a risk acceptance belongs to the reviewed declaration.
func applyWaivers(cmd *cobra.Command, eng *engine.Engine, in engine.Input, configPath string, results []engine.Result) ([]engine.Result, error) {
	cfg, ok := in.Config.(*config.Config)
	if !ok || configPath == "" || len(cfg.Waivers) == 0 {
		return results, nil
	}
	ids := make([]string, 0, len(eng.Rules()))
	for _, r := range eng.Rules() {
		ids = append(ids, r.ID)
	}
	if err := cfg.CheckWaiverRules(configPath, ids); err != nil {
		return nil, err
	}
	cwd, _ := os.Getwd()
	out, warnings := engine.ApplyWaivers(results, engine.WaiverOptions{
		Waivers: cfg.Waivers, Path: report.DisplayPath(configPath, cwd), Now: in.Now,
		Location: cfg.Location(), WarningDays: cfg.WarningDays(),
	})
	for _, w := range warnings {
		fmt.Fprintf(cmd.ErrOrStderr(), "breakglass: warning: %s\n", w)
	}
	return out, nil
}

// provenance records how the snapshot was collected and which rules ran
// (the sources the engine compiled, as it read them).
func provenance(snapshotBytes []byte, eng *engine.Engine) (*report.Provenance, error) {
	sum, files := eng.Bundle()
	p, err := report.NewProvenance(snapshotBytes, opaVersion(), sum, files)
	if err != nil {
		return nil, err
	}
	return p, nil
}
