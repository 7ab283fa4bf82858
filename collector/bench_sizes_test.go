package collector_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/breakglass-dev/breakglass/collector"
	"github.com/breakglass-dev/breakglass/collector/fakeserver"
	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/config"
)

// collectSizes are the fake-server tenants of the bench table's sizes
// (make bench): S sample-like, M 10k users and 50 policies, L 100k users,
// 195 policies including 100k-member groups.
var collectSizes = []struct {
	name string
	o    fakeserver.LargeOptions
}{
	{"S", fakeserver.LargeOptions{Users: 10, BigGroups: 1, BigGroupMembers: 10, CAPolicies: 14, RoleHolders: 5, Subscriptions: 1}},
	{"M", fakeserver.LargeOptions{Users: 10000, BigGroups: 3, BigGroupMembers: 10000, CAPolicies: 50, RoleHolders: 20, Subscriptions: 5}},
	{"L", fakeserver.LargeOptions{Users: 100000, BigGroups: 5, BigGroupMembers: 100000, CAPolicies: 195, RoleHolders: 40, Subscriptions: 20}},
}

// BenchmarkCollectSizes collects each size from the fake server with
// BREAKGLASS_BENCH_LATENCY (default 100ms) added to every request and
// reports the requests one collection costs.
func BenchmarkCollectSizes(b *testing.B) {
	latency := 100 * time.Millisecond
	if v := os.Getenv("BREAKGLASS_BENCH_LATENCY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatal(err)
		}
		latency = d
	}
	for _, size := range collectSizes {
		b.Run(size.name, func(b *testing.B) {
			srv := fakeserver.New(fakeserver.Large(size.o), testToken)
			srv.Latency = latency
			srv.PageSize = 100
			b.Cleanup(srv.Close)
			cfg, err := config.Parse("large.yaml", []byte(fakeserver.LargeConfig(size.o, srv.URL)))
			if err != nil {
				b.Fatal(err)
			}
			var requests int
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				before := srv.Total()
				opts := options(srv, cfg, nil)
				opts.Log, opts.Progress = nil, nil
				doc, err := collector.Run(context.Background(), opts)
				if err != nil {
					b.Fatal(err)
				}
				for name, ds := range doc.DataSets {
					if ds.Status != snapshot.StatusOK {
						b.Fatalf("%s: %s %s", name, ds.Status, ds.Message)
					}
				}
				requests = srv.Total() - before
			}
			b.ReportMetric(float64(requests), "requests/op")
		})
	}
}
