package collector_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/breakglass-dev/breakglass/collector"
	"github.com/breakglass-dev/breakglass/collector/fakeserver"
	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/config"
)

// unbatched sends every per-user read as a request of its own.
func unbatched(o *collector.Options) { o.BatchSize = 1 }

// comparable is the snapshot without what differs between any two runs
// (request counts and durations).
func comparable(t testing.TB, doc *snapshot.Document) []byte {
	t.Helper()
	c := *doc
	c.Metadata.Collection = nil
	data, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// reverseAnswers makes the fake server answer every batch in reverse
// order: Graph documents that answers may come in any order.
func reverseAnswers(_ []string, answers []fakeserver.BatchResponse) []fakeserver.BatchResponse {
	slices.Reverse(answers)
	return answers
}

// batchStats counts the $batch requests and the per-user single GETs a
// server saw.
func batchStats(srv *fakeserver.Server) (batches, singles int) {
	for _, req := range srv.Requests() {
		if strings.HasPrefix(req, "POST /v1.0/$batch") {
			batches++
		}
	}
	return batches, srv.Total() - batches - nonUserRequests(srv)
}

var perUserPath = regexp.MustCompile(`^GET /v1\.0/(users/[^?]+|auditLogs/signIns)\?`)

// nonUserRequests counts the HTTP requests that are not per-user reads
// (the per-user reads inside batches are logged but are no HTTP request).
func nonUserRequests(srv *fakeserver.Server) int {
	n := 0
	for _, req := range srv.Requests() {
		if !perUserPath.MatchString(req) && !strings.HasPrefix(req, "POST /v1.0/$batch") {
			n++
		}
	}
	return n
}

func TestBatchedSnapshotIsIdenticalToUnbatched(t *testing.T) {
	for _, cfgName := range []string{"breakglass.yaml", "discovery.yaml"} {
		t.Run(cfgName, func(t *testing.T) {
			srvA := newServer(t)
			a := collect(t, srvA, loadConfig(t, srvA, cfgName), unbatched)
			srvB := newServer(t)
			srvB.BatchHook = reverseAnswers
			b := collect(t, srvB, loadConfig(t, srvB, cfgName), nil)
			// The two servers differ only in their URL.
			bb := bytes.ReplaceAll(comparable(t, b.doc), []byte(srvB.URL), []byte(srvA.URL))
			if !bytes.Equal(comparable(t, a.doc), bb) {
				t.Errorf("batched and unbatched snapshots differ:\n%s\n---\n%s", comparable(t, a.doc), bb)
			}
			if batches, _ := batchStats(srvB); batches == 0 || srvB.Total() >= srvA.Total() {
				t.Errorf("batched run: %d requests (%d batches), unbatched: %d", srvB.Total(), batches, srvA.Total())
			}
		})
	}
	for _, size := range collectSizes {
		t.Run(size.name, func(t *testing.T) {
			run := func(mut func(*collector.Options), hook func([]string, []fakeserver.BatchResponse) []fakeserver.BatchResponse) (*snapshot.Document, *fakeserver.Server) {
				srv := fakeserver.New(fakeserver.Large(size.o), testToken)
				srv.PageSize = 100
				srv.BatchHook = hook
				t.Cleanup(srv.Close)
				cfg, err := config.Parse("large.yaml", []byte(fakeserver.LargeConfig(size.o, srv.URL)))
				if err != nil {
					t.Fatal(err)
				}
				r := collect(t, srv, cfg, func(o *collector.Options) {
					o.Log, o.Progress = nil, nil
					if mut != nil {
						mut(o)
					}
				})
				r.requireStatus(t, nil)
				return r.doc, srv
			}
			a, srvA := run(unbatched, nil)
			b, srvB := run(nil, reverseAnswers)
			if !bytes.Equal(comparable(t, a), bytes.ReplaceAll(comparable(t, b), []byte(srvB.URL), []byte(srvA.URL))) {
				t.Errorf("batched and unbatched snapshots differ")
			}
		})
	}
}

// TestCollectRequestsPerSize pins the requests of one collection of each
// bench size, batched, and that no per-user read goes out on its own.
func TestCollectRequestsPerSize(t *testing.T) {
	want := map[string]struct{ total, batches int }{"S": {43, 8}, "M": {72, 9}, "L": {179, 10}}
	for _, size := range collectSizes {
		t.Run(size.name, func(t *testing.T) {
			r, srv := largeRun(t, size.o, 0, 100)
			r.requireStatus(t, nil)
			batches, singles := batchStats(srv)
			if singles != 0 {
				t.Errorf("%d per-user reads were sent on their own", singles)
			}
			w := want[size.name]
			if srv.Total() != w.total || batches != w.batches {
				t.Errorf("%d requests (%d batches), want %d (%d batches)", srv.Total(), batches, w.total, w.batches)
			}
		})
	}
}

// collectWith collects the sample tenant with faults, batched or not.
func collectWith(t *testing.T, batched bool, faults ...*fakeserver.Fault) (result, *fakeserver.Server) {
	t.Helper()
	srv := newServer(t)
	for _, f := range faults {
		c := *f
		srv.AddFault(&c)
	}
	var mut func(*collector.Options)
	if !batched {
		mut = unbatched
	}
	return collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), mut), srv
}

func TestBatchItemForbiddenFailsOnlyItsDataSet(t *testing.T) {
	// A declared account's methods refused: authenticationMethods is
	// forbidden, with the message of the unbatched run.
	deny := &fakeserver.Fault{Path: "/users/" + bg2, PathSuffix: "/authentication/methods", Status: 403, Code: "Authorization_RequestDenied", Message: "Insufficient privileges to complete the operation."}
	b, _ := collectWith(t, true, deny)
	u, _ := collectWith(t, false, deny)
	b.requireStatus(t, map[string]string{snapshot.AuthenticationMethods: "forbidden"})
	if b.message(snapshot.AuthenticationMethods) != u.message(snapshot.AuthenticationMethods) || !strings.Contains(b.message(snapshot.AuthenticationMethods), "UserAuthenticationMethod.Read.All") {
		t.Errorf("batched message %q, unbatched %q", b.message(snapshot.AuthenticationMethods), u.message(snapshot.AuthenticationMethods))
	}

	// A candidate's memberships refused: only candidates is forbidden.
	denyCand := &fakeserver.Fault{Path: "/users/" + alice, PathSuffix: "/transitiveMemberOf", Status: 403, Code: "Authorization_RequestDenied", Message: "Insufficient privileges to complete the operation."}
	b, _ = collectWith(t, true, denyCand)
	u, _ = collectWith(t, false, denyCand)
	b.requireStatus(t, map[string]string{snapshot.Candidates: "forbidden"})
	if b.message(snapshot.Candidates) != u.message(snapshot.Candidates) {
		t.Errorf("batched message %q, unbatched %q", b.message(snapshot.Candidates), u.message(snapshot.Candidates))
	}
	if b.item(snapshot.TransitiveMemberOf, bg1) == nil {
		t.Error("the declared accounts' memberships are missing")
	}
}

func TestBatchItemThrottledIsRetriedAlone(t *testing.T) {
	srv := newServer(t)
	srv.AddFault(&fakeserver.Fault{Path: "/users/" + bg2, PathSuffix: "/authentication/methods", Status: 429, Code: "TooManyRequests", RetryAfter: "0.05", Times: 1})
	var mu sync.Mutex
	var batches [][]string
	srv.BatchHook = func(urls []string, answers []fakeserver.BatchResponse) []fakeserver.BatchResponse {
		mu.Lock()
		batches = append(batches, append([]string(nil), urls...))
		mu.Unlock()
		return answers
	}
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	r.requireStatus(t, nil)
	if m := r.item(snapshot.AuthenticationMethods, bg2); m == nil || len(m["methods"].([]any)) == 0 {
		t.Errorf("bg2's methods missing after the retry: %v", m)
	}
	target := "/users/" + bg2 + "/authentication/methods"
	sent := 0
	for _, urls := range batches {
		if slices.Contains(urls, target) {
			sent++
			if sent == 2 && len(urls) != 1 {
				t.Errorf("the retry batch carried %d items, want only the throttled one: %v", len(urls), urls)
			}
		}
	}
	if sent != 2 {
		t.Errorf("the throttled item was sent %d times, want 2", sent)
	}
	if !strings.Contains(r.log, "GET  /v1.0/users/"+bg2+"/authentication/methods 429 (in $batch)") {
		t.Errorf("the verbose log does not show the throttled item:\n%s", r.log)
	}
	if !strings.Contains(r.log, "authenticationMethods") || !strings.Contains(r.log, "(1 throttled)") {
		t.Errorf("the summary does not count the throttled item:\n%s", r.log)
	}
}

func TestBatchItemThrottledTooOftenIsThrottled(t *testing.T) {
	b, _ := collectWith(t, true, &fakeserver.Fault{PathSuffix: "/transitiveMemberOf", Status: 429, Code: "TooManyRequests", RetryAfter: "0.01"})
	// As unbatched: once transitiveMemberOf failed, the candidates'
	// memberships are not asked for (BG-INV-004 then reports error on
	// the failed data set).
	u, _ := collectWith(t, false, &fakeserver.Fault{PathSuffix: "/transitiveMemberOf", Status: 429, Code: "TooManyRequests", RetryAfter: "0.01"})
	b.requireStatus(t, map[string]string{snapshot.TransitiveMemberOf: "throttled"})
	u.requireStatus(t, map[string]string{snapshot.TransitiveMemberOf: "throttled"})
	if b.message(snapshot.TransitiveMemberOf) != u.message(snapshot.TransitiveMemberOf) {
		t.Errorf("batched message %q, unbatched %q", b.message(snapshot.TransitiveMemberOf), u.message(snapshot.TransitiveMemberOf))
	}
}

func TestBatchItemServerErrorAsUnbatched(t *testing.T) {
	fault := &fakeserver.Fault{Path: "/users/" + bg2, PathSuffix: "/ownedObjects", Status: 500, Code: "UnknownError", Message: "boom"}
	b, _ := collectWith(t, true, fault)
	u, _ := collectWith(t, false, fault)
	b.requireStatus(t, map[string]string{snapshot.ApplicationOwnership: "error"})
	if b.message(snapshot.ApplicationOwnership) != u.message(snapshot.ApplicationOwnership) {
		t.Errorf("batched message %q, unbatched %q", b.message(snapshot.ApplicationOwnership), u.message(snapshot.ApplicationOwnership))
	}
	// A 503 inside a batch is retried like a 429.
	b, _ = collectWith(t, true, &fakeserver.Fault{Path: "/users/" + bg2, PathSuffix: "/ownedObjects", Status: 503, Code: "ServiceUnavailable", Times: 2})
	b.requireStatus(t, nil)
}

func TestBatchMissingAnswerIsAnError(t *testing.T) {
	srv := newServer(t)
	srv.BatchHook = func(urls []string, answers []fakeserver.BatchResponse) []fakeserver.BatchResponse {
		var out []fakeserver.BatchResponse
		for i, a := range answers {
			if urls[i] != "/users/"+bg1+"/authentication/methods" {
				out = append(out, a)
			}
		}
		return out
	}
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	r.requireStatus(t, map[string]string{snapshot.AuthenticationMethods: "error"})
	if msg := r.message(snapshot.AuthenticationMethods); !strings.Contains(msg, "no answer for GET /users/"+bg1+"/authentication/methods") {
		t.Errorf("message: %s", msg)
	}
}

func TestFailedBatchFailsItsItems(t *testing.T) {
	r, _ := collectWith(t, true, &fakeserver.Fault{Method: "POST", Path: "/$batch", Status: 500, Code: "UnknownError", Message: "batch failed"})
	r.requireStatus(t, map[string]string{snapshot.Users: "error", snapshot.SignInActivity: "ok"})
	if msg := r.message(snapshot.Users); !strings.Contains(msg, "HTTP 500 UnknownError: batch failed") {
		t.Errorf("message: %s", msg)
	}
	// A garbage batch answer is malformed.
	r, _ = collectWith(t, true, &fakeserver.Fault{Method: "POST", Path: "/$batch", Garbage: true})
	r.requireStatus(t, map[string]string{snapshot.Users: "error"})
	if msg := r.message(snapshot.Users); !strings.Contains(msg, "malformed") {
		t.Errorf("message: %s", msg)
	}
}

func TestBatchItemNextLinkOffHostIsRefused(t *testing.T) {
	srv := newServer(t)
	srv.AddFault(&fakeserver.Fault{Path: "/users/" + bg2, PathSuffix: "/transitiveMemberOf", Serve: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"value": []any{}, "@odata.nextLink": "https://evil.example.com/v1.0/users?$skiptoken=x"})
	}})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	r.requireStatus(t, map[string]string{snapshot.TransitiveMemberOf: "error"})
	if msg := r.message(snapshot.TransitiveMemberOf); !strings.Contains(msg, "nextLink points to another host: evil.example.com:443") {
		t.Errorf("message: %s", msg)
	}
	for _, req := range srv.Requests() {
		if strings.Contains(req, "evil") {
			t.Errorf("followed: %s", req)
		}
	}
}
