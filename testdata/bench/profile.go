package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/metrics"

	"github.com/breakglass-dev/breakglass/policies/engine"
	"github.com/breakglass-dev/breakglass/testdata/gen/gen"
)

// profile writes dir/cpu.pprof and dir/mem.pprof (allocations) of n
// in-process scans (load, validate, convert, evaluate, SARIF line index)
// of the generated tenant of the given size; engine start is profiled
// separately into dir/start.pprof.
//
//	go run ./testdata/bench -profile /tmp/prof -sizes XL
//	go tool pprof -top /tmp/prof/cpu.pprof
func profile(dir, size string, n int) error {
	s, err := gen.Lookup(size)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	snap, cfg, _, err := gen.Tenant(7, s)
	if err != nil {
		return err
	}
	snapPath, cfgPath := filepath.Join(dir, "snapshot.json"), filepath.Join(dir, "breakglass.yaml")
	if err := os.WriteFile(snapPath, snap, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(cfgPath, cfg, 0o644); err != nil {
		return err
	}
	ctx := context.Background()
	if err := withCPUProfile(filepath.Join(dir, "start.pprof"), func() error {
		for i := 0; i < n; i++ {
			if _, err := engine.New(ctx, engine.Options{}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if err := compileStages(n); err != nil {
		return err
	}
	eng, err := engine.New(ctx, engine.Options{})
	if err != nil {
		return err
	}
	runtime.MemProfileRate = 64 << 10
	runtime.GC()
	if err := withCPUProfile(filepath.Join(dir, "cpu.pprof"), func() error {
		for i := 0; i < n; i++ {
			if _, _, err := inProcess(ctx, eng, snapPath, cfgPath); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "mem.pprof"))
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s/{cpu,mem,start}.pprof (%d scans of size %s)\n", dir, n, size)
	return nil
}

func withCPUProfile(path string, fn func() error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	defer pprof.StopCPUProfile()
	return fn()
}

// compileStages prints the median time of each OPA compiler stage when
// compiling the embedded modules with the production configuration.
func compileStages(n int) error {
	t := time.Now()
	modules, err := engine.LoadModules(nil, false)
	if err != nil {
		return err
	}
	parse := time.Since(t)
	stages := map[string][]time.Duration{}
	for i := 0; i < n; i++ {
		m := metrics.New()
		c := engine.NewCompiler().WithMetrics(m)
		c.Compile(modules)
		if c.Failed() {
			return c.Errors
		}
		for name, v := range m.All() {
			if ns, ok := v.(int64); ok && strings.HasPrefix(name, "timer_") {
				stages[name] = append(stages[name], time.Duration(ns))
			}
		}
		modules, _ = engine.LoadModules(nil, false) // Compile rewrites modules in place
	}
	type stage struct {
		name string
		d    time.Duration
	}
	var all []stage
	for name, ds := range stages {
		all = append(all, stage{name, median(ds)})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].d > all[j].d })
	fmt.Fprintf(os.Stderr, "engine start: parse embedded modules %s; compiler stages (median of %d):\n", parse, n)
	for _, s := range all {
		fmt.Fprintf(os.Stderr, "  %-60s %s\n", s.name, s.d)
	}
	return nil
}
