package engine_test

import (
	"context"
	"testing"

	"github.com/breakglass-dev/breakglass/policies/engine"
)

// BenchmarkScanSample measures one full evaluation of every rule on the
// sample tenant, input conversion included (compile and prepare happen
// once, outside the loop, as in the CLI).
func BenchmarkScanSample(b *testing.B) {
	eng := newEngine(b)
	snap, cfg := loadSample(b)
	in := engine.Input{Document: snap.Doc, Config: cfg, Now: snap.CollectedAt}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := eng.Scan(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEngineNew measures compile + prepare of the built-in rules.
func BenchmarkEngineNew(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := engine.New(context.Background(), engine.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
