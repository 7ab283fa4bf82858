package main

import (
	"time"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/spf13/pflag"
)

// evalOptions are the inputs and limits of one evaluation, shared by scan
// and evidence (which scans, then packs what it read).
type evalOptions struct {
	configPath  string
	baseline    string
	policyDirs  []string
	mappingFile []string
	now         string
	timeout     time.Duration
	maxSize     int64
	maxMemory   uint64
}

// addFlags registers the evaluation flags; packed says the inputs are
// copied into an evidence pack.
func (o *evalOptions) addFlags(f *pflag.FlagSet, configHelp string, packed bool) {
	inPack := ""
	if packed {
		inPack = "; included in the pack"
	}
	f.StringVarP(&o.configPath, "config", "c", "", configHelp)
	f.StringVar(&o.baseline, "baseline", "", "older snapshot to compare against (enables BG-DRIFT-001"+inPack+")")
	f.StringArrayVarP(&o.policyDirs, "policy", "p", nil, "directory of custom Rego rules (repeatable"+inPack+")")
	f.StringArrayVar(&o.mappingFile, "mappings", nil, "extra control framework file (repeatable"+inPack+")")
	f.StringVar(&o.now, "now", "", "evaluate time-based rules and waivers as of this RFC 3339 time (default: the snapshot's collectedAt)")
	f.Int64Var(&o.maxSize, "max-snapshot-size", snapshot.DefaultMaxSize, "refuse a snapshot or baseline larger than this many bytes")
	f.Uint64Var(&o.maxMemory, "max-memory", 4096, "stop rule evaluation when the scan's heap passes this many MiB; rules still running report error (0: no limit)")
	f.DurationVar(&o.timeout, "timeout", 5*time.Minute, "bound rule evaluation; rules still running then report error (the others report normally)")
}

// check validates the flags that have no natural default check.
func (o *evalOptions) check() error {
	if o.timeout <= 0 {
		return usageError("--timeout %s: give a positive duration such as 5m or 90s", o.timeout)
	}
	return nil
}

// overwrittenInput names the input (SNAPSHOT, --config, --baseline) that
// writing output would overwrite, or "".
func (o *evalOptions) overwrittenInput(snapshotPath, output string) string {
	for _, in := range []struct{ flag, path string }{{"SNAPSHOT", snapshotPath}, {"--config", o.configPath}, {"--baseline", o.baseline}} {
		if sameFile(output, in.path) {
			return in.flag
		}
	}
	return ""
}
