package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/breakglass-dev/breakglass/collector"
	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/config"
)

const defaultSnapshotPath = "breakglass-snapshot.json"

func newCollectCmd() *cobra.Command {
	var (
		o          collector.Options
		configPath string
		output     string
		quiet      bool
		verbose    bool

		maxResponseMiB int64
	)
	cmd := &cobra.Command{
		Use:   "collect",
		Short: "Read the tenant through Microsoft Graph and Azure Resource Manager into a snapshot",
		Long: `collect reads what the break-glass rules need from Microsoft Graph, Azure
Resource Manager and Key Vault (secret metadata only, never values) and writes
one snapshot JSON file atomically.

Authentication (--auth):
  default             azidentity DefaultAzureCredential (environment, workload
                      identity, managed identity, Azure CLI, ...)
  cli                 Azure CLI (az login)
  workload-identity   AZURE_FEDERATED_TOKEN_FILE, or GitHub Actions OIDC
                      (permissions: id-token: write) with AZURE_CLIENT_ID and
                      AZURE_TENANT_ID
  managed-identity    system-assigned, or user-assigned with AZURE_CLIENT_ID
  client-secret       AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET
  client-certificate  AZURE_TENANT_ID, AZURE_CLIENT_ID,
                      AZURE_CLIENT_CERTIFICATE_PATH [+ _PASSWORD]
  token               a bearer token in BREAKGLASS_ACCESS_TOKEN, used for every
                      endpoint (emulators, air-gapped runs)

Exit codes: 0 snapshot written (even if some data sets are forbidden or
failed: they are recorded in the snapshot and summarised on stderr);
2 bad flags or config; 3 nothing useful could be collected (no snapshot).`,
		Example: `  breakglass collect --config breakglass.yaml --output snapshot.json
  breakglass collect --auth cli --tenant 00000000-0000-0000-0000-000000000000
  BREAKGLASS_ACCESS_TOKEN=... breakglass collect --auth token --graph-endpoint https://localhost:8443 --arm-endpoint https://localhost:8443`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			stderr := cmd.ErrOrStderr()
			quiet = isQuiet(cmd)
			if quiet && verbose {
				return usageError("--quiet and --verbose contradict each other")
			}
			if maxResponseMiB < 1 || maxResponseMiB > 1<<20 {
				return usageError("--max-response-mib %d: give a size in MiB between 1 and 1048576", maxResponseMiB)
			}
			o.MaxResponseBytes = maxResponseMiB << 20
			if o.MaxPages < 0 {
				return usageError("--max-pages %d: give a positive number of pages (0 keeps the per-data-set limits)", o.MaxPages)
			}
			if o.MaxCandidates < 1 {
				return usageError("--max-candidates %d: give a positive number of candidate users", o.MaxCandidates)
			}
			// A full collection can take half an hour: find an unwritable
			// --output before the first request, not after the last.
			if err := checkWritable(output); err != nil {
				return usageError("--output %s: %v", output, err)
			}
			cfg, err := loadCollectConfig(cmd, configPath, stderr, quiet)
			if err != nil {
				return err
			}
			o.Config = cfg
			o.ToolName, o.ToolVersion = "breakglass", version
			if verbose {
				o.Log = stderr
			}
			if !quiet && (verbose || isTerminal(stderr)) {
				o.Progress = stderr
			}
			if o.Progress != nil || verbose {
				fmt.Fprintf(stderr, "breakglass: collecting (auth %s, concurrency %d)\n", orDefault(o.Auth, collector.AuthDefault), o.Concurrency)
			}
			start := time.Now()
			doc, err := collector.Run(cmd.Context(), o)
			if err != nil {
				return collectError(err)
			}
			data, err := doc.Marshal()
			if err != nil {
				return &collector.FatalError{Msg: "cannot encode the snapshot, no snapshot written", Err: err}
			}
			if err := snapshot.WriteFile(output, data); err != nil {
				return &collector.FatalError{Msg: "no snapshot written; check that the directory exists and is writable", Err: err}
			}
			if !quiet {
				printSummary(stderr, doc, output, time.Since(start))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&configPath, "config", "c", "", "breakglass.yaml declaring the accounts (default: ./breakglass.yaml if present, else discovery mode)")
	f.StringVarP(&output, "output", "o", defaultSnapshotPath, "snapshot file to write (atomically)")
	f.StringVar(&o.Auth, "auth", collector.AuthDefault, "authentication: "+strings.Join(collector.AuthModes, ", "))
	f.StringVar(&o.TenantID, "tenant", "", "tenant id (default: the config's tenantId, then AZURE_TENANT_ID)")
	f.StringVar(&o.ClientID, "client-id", "", "application (client) id (default: AZURE_CLIENT_ID)")
	f.StringVar(&o.Cloud, "cloud", "public", "national cloud preset for endpoints and token audiences: public, usgov, china")
	f.StringVar(&o.GraphEndpoint, "graph-endpoint", "", "Microsoft Graph base URL (default from --cloud, e.g. https://graph.microsoft.com)")
	f.StringVar(&o.ARMEndpoint, "arm-endpoint", "", "Azure Resource Manager base URL (default from --cloud, e.g. https://management.azure.com)")
	f.IntVar(&o.Concurrency, "concurrency", 4, "requests in flight at once (Graph throttles Conditional Access reads hard; keep it low)")
	f.DurationVar(&o.Timeout, "timeout", 30*time.Minute, "give up on the whole collection after this long")
	f.DurationVar(&o.RequestTimeout, "request-timeout", 3*time.Minute, "give up on one request (retries included) after this long; the data set is then error")
	f.IntVar(&o.MaxCandidates, "max-candidates", collector.DefaultMaxCandidates, "undeclared candidate users (allowed-role holders, users named like break-glass accounts, exclusion-group members) whose methods and memberships are read; with more, authenticationMethods and transitiveMemberOf are error (declared accounts are always read in full)")
	f.IntVar(&o.MaxRetries, "max-retries", 3, "retries on 429/503/504 (Retry-After is honoured)")
	f.IntVar(&o.MaxPages, "max-pages", 0, "pages one listing may follow through next links (0: the per-data-set limits of docs/security.md, 1000 for most); a longer listing makes its data set error")
	f.Int64Var(&maxResponseMiB, "max-response-mib", collector.DefaultMaxResponseBytes>>20, "largest HTTP response body accepted, in MiB; a larger one makes its data set error and is never read whole")
	f.BoolVarP(&verbose, "verbose", "v", false, "log every request (method, path, status, duration; never headers or tokens) and progress")
	return cmd
}

// loadCollectConfig reads --config, or ./breakglass.yaml when present, or
// falls back to discovery mode.
func loadCollectConfig(cmd *cobra.Command, path string, stderr io.Writer, quiet bool) (*config.Config, error) {
	if path == "" {
		if _, err := os.Stat("breakglass.yaml"); err == nil {
			path = "breakglass.yaml"
		} else {
			if !quiet {
				fmt.Fprintln(stderr, "breakglass: no --config and no ./breakglass.yaml: discovery mode (no declared accounts; candidates are collected for BG-INV-004)")
			}
			return config.Default(), nil
		}
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if cfg.Discovery() && !quiet {
		fmt.Fprintf(stderr, "breakglass: %s declares no accounts: discovery mode (candidates are collected for BG-INV-004)\n", path)
	}
	return cfg, nil
}

// collectError words an error of collector.Run for the user; classify
// gives it its exit code (a *collector.UsageError 2, anything else 3).
func collectError(err error) error {
	var ue *collector.UsageError
	switch {
	case errors.As(err, &ue):
		return err
	case errors.Is(err, context.Canceled):
		return &collector.FatalError{Msg: "collection interrupted, no snapshot written"}
	}
	return &collector.FatalError{Msg: "collection failed, no snapshot written", Err: err}
}

// printSummary names every data set that is not ok, and what to do.
func printSummary(w io.Writer, doc *snapshot.Document, path string, took time.Duration) {
	var names []string
	for name, ds := range doc.DataSets {
		if ds.Status != snapshot.StatusOK {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	requests := 0
	if c := doc.Metadata.Collection; c != nil {
		for _, n := range c.Requests {
			requests += n
		}
	}
	incomplete := 0
	for _, n := range names {
		if doc.DataSets[n].Status != snapshot.StatusSkipped {
			incomplete++
		}
	}
	if len(names) > 0 {
		fmt.Fprintf(w, "breakglass: %d of %d data sets not collected (rules that need them report `error`):\n", len(names), len(doc.DataSets))
		for _, n := range names {
			ds := doc.DataSets[n]
			fmt.Fprintf(w, "  %-36s %-10s %s\n", n, ds.Status, ds.Message)
		}
	}
	fmt.Fprintf(w, "breakglass: wrote %s (tenant %s, %d requests, %.1fs", path, doc.Metadata.TenantID, requests, took.Seconds())
	if incomplete > 0 {
		fmt.Fprintf(w, ", %d incomplete data sets", incomplete)
	}
	fmt.Fprintln(w, ")")
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
