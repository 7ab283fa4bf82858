// Command gen writes a generated tenant: snapshot.json, breakglass.yaml and
// baseline.json (see package gen).
//
//	go run ./testdata/gen -seed 7 -size L -out /tmp/tenant-L
//	breakglass scan /tmp/tenant-L/snapshot.json --config /tmp/tenant-L/breakglass.yaml --baseline /tmp/tenant-L/baseline.json
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/breakglass-dev/breakglass/testdata/gen/gen"
)

func main() {
	seed := flag.Int64("seed", 1, "random seed: the same seed and size give byte-identical files")
	size := flag.String("size", "S", "tenant size: "+strings.Join(gen.SizeNames(), ", "))
	out := flag.String("out", "", "directory to write snapshot.json, breakglass.yaml and baseline.json into (created if missing)")
	flag.Parse()
	if err := run(*seed, *size, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(2)
	}
}

func run(seed int64, sizeName, out string) error {
	if out == "" {
		return fmt.Errorf("-out DIR is required")
	}
	size, err := gen.Lookup(sizeName)
	if err != nil {
		return err
	}
	snap, cfg, base, err := gen.Tenant(seed, size)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for name, data := range map[string][]byte{"snapshot.json": snap, "breakglass.yaml": cfg, "baseline.json": base} {
		if err := os.WriteFile(filepath.Join(out, name), data, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("wrote %s/{snapshot.json,breakglass.yaml,baseline.json} (seed %d, size %s, %d bytes of snapshot)\n", out, seed, size.Name, len(snap))
	return nil
}
