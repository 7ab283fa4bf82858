package collector_test

import (
	"context"
	"fmt"
	"regexp"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/breakglass-dev/breakglass/collector"
	"github.com/breakglass-dev/breakglass/collector/fakeserver"
	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/config"
)

func largeRun(t testing.TB, o fakeserver.LargeOptions, latency time.Duration, pageSize int) (result, *fakeserver.Server) {
	t.Helper()
	srv := fakeserver.New(fakeserver.Large(o), testToken)
	srv.Latency = latency
	srv.PageSize = pageSize
	t.Cleanup(srv.Close)
	cfg, err := config.Parse("large.yaml", []byte(fakeserver.LargeConfig(o, srv.URL)))
	if err != nil {
		t.Fatal(err)
	}
	r := collect(t, srv, cfg, func(o *collector.Options) { o.Log, o.Progress = nil, nil })
	return r, srv
}

// TestRequestsDoNotScaleWithUsersOrGroupSize: a tenant with 100,000 users
// and CA policies that include 100,000-member groups costs exactly as many
// requests as the same tenant with no extra users at all.
func TestRequestsDoNotScaleWithUsersOrGroupSize(t *testing.T) {
	small := fakeserver.LargeOptions{Users: 0, BigGroups: 3, BigGroupMembers: 0, CAPolicies: 30, RoleHolders: 12, Subscriptions: 3}
	big := small
	big.Users, big.BigGroupMembers = 100000, 100000
	rs, srvSmall := largeRun(t, small, 0, 100)
	rb, srvBig := largeRun(t, big, 0, 100)
	rs.requireStatus(t, nil)
	rb.requireStatus(t, nil)
	if srvSmall.Total() != srvBig.Total() {
		t.Errorf("small tenant: %d requests, large tenant: %d requests", srvSmall.Total(), srvBig.Total())
	}
	if n := len(rb.items(snapshot.Users)); n != 12 {
		t.Errorf("users: %d items, want the 12 role holders", n)
	}
	// More privileged principals are read too: each one's user object is
	// asked for (inside the JSON batches), so the users data set grows
	// while the requests stay within the same batches.
	more := small
	more.RoleHolders = 20
	rm, srvMore := largeRun(t, more, 0, 100)
	rm.requireStatus(t, nil)
	if n := len(rm.items(snapshot.Users)); n != 20 {
		t.Errorf("users: %d items, want the 20 role holders", n)
	}
	asked := 0
	for _, req := range srvMore.Requests() {
		if holderGET.MatchString(req) {
			asked++
		}
	}
	if asked != 19 { // the declared bg-02 is asked for by its UPN
		t.Errorf("role holders' user objects asked for by id: %d, want 19", asked)
	}
	if srvMore.Total() != srvSmall.Total() {
		t.Errorf("20 role holders: %d requests, 12 role holders: %d (both fit the same batches)", srvMore.Total(), srvSmall.Total())
	}
}

// holderGET is a request for a role holder's user object.
var holderGET = regexp.MustCompile(`^GET /v1\.0/users/ab000000-[^/?]*\?`)

// BenchmarkCollectLargeTenant collects a synthetic large tenant (100k users,
// 195 CA policies including 100k-member groups, 40 role holders, 20
// subscriptions) from the fake server with 20 ms added to every request:
//
//	go test ./collector -run '^$' -bench CollectLargeTenant -benchtime 3x
func BenchmarkCollectLargeTenant(b *testing.B) {
	o := fakeserver.LargeOptions{Users: 100000, BigGroups: 5, BigGroupMembers: 100000, CAPolicies: 195, RoleHolders: 40, Subscriptions: 20}
	for _, conc := range []int{4, 8} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			srv := fakeserver.New(fakeserver.Large(o), testToken)
			srv.Latency = 20 * time.Millisecond
			srv.PageSize = 100
			b.Cleanup(srv.Close)
			cfg, err := config.Parse("large.yaml", []byte(fakeserver.LargeConfig(o, srv.URL)))
			if err != nil {
				b.Fatal(err)
			}
			var peak atomic.Uint64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				var ms runtime.MemStats
				for {
					runtime.ReadMemStats(&ms)
					if ms.HeapInuse > peak.Load() {
						peak.Store(ms.HeapInuse)
					}
					select {
					case <-stop:
						return
					case <-time.After(5 * time.Millisecond):
					}
				}
			}()
			runtime.GC()
			var requests int
			var bytesOut int
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				before := srv.Total()
				opts := options(srv, cfg, nil)
				opts.Log, opts.Progress = nil, nil
				opts.Concurrency = conc
				doc, err := collector.Run(context.Background(), opts)
				if err != nil {
					b.Fatal(err)
				}
				for name, ds := range doc.DataSets {
					if ds.Status != snapshot.StatusOK {
						b.Fatalf("%s: %s %s", name, ds.Status, ds.Message)
					}
				}
				data, _ := doc.Marshal()
				bytesOut = len(data)
				requests = srv.Total() - before
				if i == 0 {
					b.Logf("requests per data set: %v", doc.Metadata.Collection.Requests)
				}
			}
			b.StopTimer()
			close(stop)
			wg.Wait()
			b.ReportMetric(float64(requests), "requests/op")
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(bytesOut)/1024, "snapshot-KiB")
			if v := srv.Violations(); len(v) > 0 {
				b.Fatalf("violations: %v", v)
			}
		})
	}
}
