package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"

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
