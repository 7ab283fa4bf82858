package engine_test

import (
	"runtime"
	"testing"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/policies/engine"
	"github.com/breakglass-dev/breakglass/testdata/gen/gen"

	"github.com/open-policy-agent/opa/v1/ast"
)

// BenchmarkLoadInput measures snapshot bytes → validated OPA input value
// on generated tenants: "reference" is the replaced path
// (snapshot.ParseReference: encoding/json, token check, Normalize,
// whole-tree validation; then ast.InterfaceToValue), "onepass" is
// engine.ParseSnapshot (one jsontext pass building the value, data sets
// validated one at a time), "tree" is snapshot.Parse (the same pass
// building the whole generic tree) then ast.InterfaceToValue. live-MB is
// the heap still reachable once the input is built (the trees a scan
// would carry into evaluation). -bench LoadInput/XL for the large size.
func BenchmarkLoadInput(b *testing.B) {
	for _, size := range []string{"L", "XL"} {
		b.Run(size, func(b *testing.B) {
			s, err := gen.Lookup(size)
			if err != nil {
				b.Fatal(err)
			}
			data, _, _, err := gen.Tenant(7, s)
			if err != nil {
				b.Fatal(err)
			}
			paths := []struct {
				name string
				load func() (any, ast.Value, error)
			}{
				{"reference", func() (any, ast.Value, error) {
					l, err := snapshot.ParseReference("snapshot.json", data)
					if err != nil {
						return nil, nil, err
					}
					v, err := engine.BuildInput(engine.Input{Document: l.Doc})
					return l, v, err
				}},
				{"tree", func() (any, ast.Value, error) {
					l, err := snapshot.Parse("snapshot.json", data)
					if err != nil {
						return nil, nil, err
					}
					v, err := engine.BuildInput(engine.Input{Document: l.Doc})
					return l, v, err
				}},
				{"onepass", func() (any, ast.Value, error) {
					l, value, err := engine.ParseSnapshot("snapshot.json", data)
					if err != nil {
						return nil, nil, err
					}
					v, err := engine.BuildInput(engine.Input{Snapshot: value})
					return l, v, err
				}},
			}
			for _, p := range paths {
				b.Run(p.name, func(b *testing.B) {
					b.SetBytes(int64(len(data)))
					b.ReportAllocs()
					var keep []any
					for i := 0; i < b.N; i++ {
						l, v, err := p.load()
						if err != nil {
							b.Fatal(err)
						}
						if i == b.N-1 {
							keep = []any{l, v}
						}
					}
					b.StopTimer()
					var m runtime.MemStats
					runtime.GC()
					runtime.ReadMemStats(&m)
					b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "live-MB")
					runtime.KeepAlive(keep)
				})
			}
		})
	}
}
