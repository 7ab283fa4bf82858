package collector_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/breakglass-dev/breakglass/collector"
	"github.com/breakglass-dev/breakglass/collector/fakeserver"
	"github.com/breakglass-dev/breakglass/collector/snapshot"
)

// elsewhere is a second TLS server (same certificate, another port) that
// records every request reaching it: a hostile page points its links there.
type elsewhere struct {
	*httptest.Server
	hits  atomic.Int64
	mu    sync.Mutex
	auths []string
}

func newElsewhere(t *testing.T) *elsewhere {
	e := &elsewhere{}
	e.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.hits.Add(1)
		e.mu.Lock()
		e.auths = append(e.auths, r.Header.Get("Authorization"))
		e.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"value":[{"id":"injected"}]}`)
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *elsewhere) requireUntouched(t *testing.T) {
	t.Helper()
	if n := e.hits.Load(); n > 0 {
		e.mu.Lock()
		defer e.mu.Unlock()
		withToken := 0
		for _, a := range e.auths {
			if a != "" {
				withToken++
			}
		}
		t.Fatalf("%d requests reached the other host (%d with an Authorization header)", n, withToken)
	}
}

func hostPort(rawURL string) string { return strings.TrimPrefix(rawURL, "https://") }

func writeJSONBody(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// servePage answers with one page whose next link is next (the ARM /
// Key Vault key is "nextLink", Graph's "@odata.nextLink").
func servePage(key, next string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		writeJSONBody(w, map[string]any{"value": []any{map[string]any{"id": "page-item"}}, key: next})
	}
}

const (
	caPath   = "/identity/conditionalAccess/policies"
	subID    = "66666666-0000-4000-8000-000000000001"
	armRAPth = "/subscriptions/" + subID + "/providers/Microsoft.Authorization/roleAssignments"
)

func requireRefused(t *testing.T, r result, name string, wants ...string) {
	t.Helper()
	if got := r.status(name); got != "error" {
		t.Fatalf("%s: status %s (%s), want error", name, got, r.message(name))
	}
	for _, w := range wants {
		if !strings.Contains(r.message(name), w) {
			t.Errorf("%s message %q lacks %q", name, r.message(name), w)
		}
	}
	if n := len(r.items(name)); n != 0 {
		t.Errorf("%s kept %d items from a refused listing", name, n)
	}
}

// Graph: an @odata.nextLink to another port of the same host is refused
// before it is requested; the other port never sees a request.
func TestGraphNextLinkToAnotherPortIsRefused(t *testing.T) {
	srv := newServer(t)
	other := newElsewhere(t)
	srv.AddFault(&fakeserver.Fault{Path: caPath, Serve: servePage("@odata.nextLink", other.URL+"/v1.0"+caPath+"?$skiptoken=x")})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	other.requireUntouched(t)
	requireRefused(t, r, snapshot.ConditionalAccessPolicies, "nextLink points to another host: "+hostPort(other.URL))
}

// Graph: the same host and port under another scheme is another origin.
func TestGraphNextLinkToAnotherSchemeIsRefused(t *testing.T) {
	srv := newServer(t)
	next := "http://" + hostPort(srv.URL) + "/v1.0" + caPath + "?$skiptoken=plaintext"
	srv.AddFault(&fakeserver.Fault{Path: caPath, Serve: servePage("@odata.nextLink", next)})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	for _, req := range srv.Requests() {
		if strings.Contains(req, "plaintext") {
			t.Errorf("the http:// link was requested: %s", req)
		}
	}
	requireRefused(t, r, snapshot.ConditionalAccessPolicies, "nextLink points to another host: http://"+hostPort(srv.URL))
}

// ARM: a nextLink to another host:port is refused (azcore's bearer policy
// alone would send the token there: it checks for TLS, not the host).
func TestARMNextLinkToAnotherHostIsRefused(t *testing.T) {
	srv := newServer(t)
	other := newElsewhere(t)
	srv.AddFault(&fakeserver.Fault{Path: armRAPth, Serve: servePage("nextLink", other.URL+armRAPth+"?api-version=2022-04-01&$skiptoken=x")})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	other.requireUntouched(t)
	requireRefused(t, r, snapshot.ARMRoleAssignments, "nextLink points to another host: "+hostPort(other.URL))
}

// Key Vault: the azsecrets pager would follow any nextLink; the collector
// checks it first and the vault client's guard refuses it anyway.
func TestKeyVaultNextLinkToAnotherHostIsRefused(t *testing.T) {
	srv := newServer(t)
	other := newElsewhere(t)
	srv.AddFault(&fakeserver.Fault{Path: "/secrets/bg-01/versions", Serve: servePage("nextLink", other.URL+"/secrets/bg-01/versions?api-version=7.6&$skiptoken=x")})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	other.requireUntouched(t)
	requireRefused(t, r, snapshot.KeyVaultSecrets, "nextLink points to another host: "+hostPort(other.URL))
}

// Redirects are never followed, on Graph (kiota's redirect handler would
// follow them) nor on ARM (net/http would, keeping the token for another
// port of the same host).
func TestRedirectToAnotherHostIsRefused(t *testing.T) {
	srv := newServer(t)
	other := newElsewhere(t)
	redirect := func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}
	srv.AddFault(&fakeserver.Fault{Path: caPath, Serve: redirect})
	srv.AddFault(&fakeserver.Fault{Path: armRAPth, Serve: redirect})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	other.requireUntouched(t)
	for _, name := range []string{snapshot.ConditionalAccessPolicies, snapshot.ARMRoleAssignments} {
		requireRefused(t, r, name, "HTTP 307 redirect to "+hostPort(other.URL)+" refused")
	}
}

// A redirect to the same origin is not followed either: a 3xx is an error.
func TestRedirectToSameHostIsNotFollowed(t *testing.T) {
	srv := newServer(t)
	srv.AddFault(&fakeserver.Fault{Path: caPath, Serve: func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/v1.0/identity/conditionalAccess/namedLocations", http.StatusFound)
	}})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	requireRefused(t, r, snapshot.ConditionalAccessPolicies, "HTTP 302 redirect to "+hostPort(srv.URL)+" refused")
}

// bigPage streams a Graph page of about size bytes; chunked leaves out
// Content-Length so that only the streaming limit can stop it.
func bigPage(size int, chunked bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		item := `{"id":"` + strings.Repeat("x", 1000) + `"},`
		n := size / len(item)
		w.Header().Set("Content-Type", "application/json")
		if !chunked {
			w.Header().Set("Content-Length", strconv.Itoa(len(`{"value":[`)+n*len(item)+len(`{"id":"end"}]}`)))
		}
		fmt.Fprint(w, `{"value":[`)
		for i := 0; i < n; i++ {
			if _, err := fmt.Fprint(w, item); err != nil {
				return // the client hung up: good
			}
			if chunked && i%100 == 0 {
				w.(http.Flusher).Flush()
			}
		}
		fmt.Fprint(w, `{"id":"end"}]}`)
	}
}

func TestOversizedResponseIsRefused(t *testing.T) {
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			srv := newServer(t)
			srv.AddFault(&fakeserver.Fault{Path: caPath, Serve: bigPage(3<<20, chunked)})
			srv.AddFault(&fakeserver.Fault{Path: armRAPth, Serve: bigPage(3<<20, chunked)})
			r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), func(o *collector.Options) { o.MaxResponseBytes = 1 << 20 })
			for _, name := range []string{snapshot.ConditionalAccessPolicies, snapshot.ARMRoleAssignments} {
				requireRefused(t, r, name, "response larger than 1 MiB")
			}
			// Refused, not retried: one request each.
			if n := r.doc.Metadata.Collection.Requests[snapshot.ConditionalAccessPolicies]; n != 1 {
				t.Errorf("conditionalAccessPolicies: %d requests, want 1 (no retry of an oversized response)", n)
			}
			if r.status(snapshot.NamedLocations) != "ok" {
				t.Errorf("namedLocations: %s, want ok (the limit only fails the oversized data set)", r.status(snapshot.NamedLocations))
			}
		})
	}
}

// endless serves a chain of distinct next links on the same origin.
func endless(key string) (http.HandlerFunc, *atomic.Int64) {
	var n atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		q := r.URL.Query()
		q.Set("$skiptoken", strconv.FormatInt(i, 10))
		servePage(key, "https://"+r.Host+r.URL.Path+"?"+q.Encode())(w, r)
	}, &n
}

func TestEndlessNextLinkChainStops(t *testing.T) {
	srv := newServer(t)
	graphChain, graphServed := endless("@odata.nextLink")
	armChain, armServed := endless("nextLink")
	vaultChain, vaultServed := endless("nextLink")
	srv.AddFault(&fakeserver.Fault{Path: "/users/", PathSuffix: "/transitiveMemberOf", Serve: graphChain})
	srv.AddFault(&fakeserver.Fault{Path: armRAPth, Serve: armChain})
	srv.AddFault(&fakeserver.Fault{Path: "/secrets/bg-01/versions", Serve: vaultChain})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), func(o *collector.Options) { o.MaxPages = 30 })
	requireRefused(t, r, snapshot.TransitiveMemberOf, "did not end after 30 pages")
	requireRefused(t, r, snapshot.ARMRoleAssignments, "did not end after 30 pages")
	requireRefused(t, r, snapshot.KeyVaultSecrets, "did not end after 30 pages")
	// transitiveMemberOf is read for two declared accounts in parallel
	// (the second may be cut short when the first fails the data set).
	if n := graphServed.Load(); n < 30 || n > 60 {
		t.Errorf("graph chain: %d pages served, want 30 to 60", n)
	}
	if n := armServed.Load(); n != 30 {
		t.Errorf("ARM chain: %d pages served, want 30", n)
	}
	if n := vaultServed.Load(); n != 30 {
		t.Errorf("Key Vault chain: %d pages served, want 30", n)
	}
}

// Without an override, the per-data-set limit derived from the service's
// own caps applies: 195 Conditional Access policies fit in 20 pages.
func TestEndlessConditionalAccessChainStopsAtItsLimit(t *testing.T) {
	srv := newServer(t)
	chain, served := endless("@odata.nextLink")
	srv.AddFault(&fakeserver.Fault{Path: caPath, Serve: chain})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	requireRefused(t, r, snapshot.ConditionalAccessPolicies, "did not end after 20 pages (the limit for conditionalAccessPolicies")
	if n := served.Load(); n != 20 {
		t.Errorf("%d pages served, want 20", n)
	}
}

// An endless chain of distinct, full pages is stopped by the data set's
// byte budget (DataSetBudgetFactor × the response limit) long before the
// page limit: memory stays bounded even when every page is within limits.
func TestEndlessChainOfFullPagesStopsAtTheDataSetBudget(t *testing.T) {
	srv := newServer(t)
	var served atomic.Int64
	srv.AddFault(&fakeserver.Fault{Path: caPath, Serve: func(w http.ResponseWriter, r *http.Request) {
		i := served.Add(1)
		items := make([]any, 20)
		for j := range items {
			items[j] = map[string]any{"id": fmt.Sprintf("p%d-%d", i, j), "displayName": strings.Repeat("y", 1000)}
		}
		writeJSONBody(w, map[string]any{"value": items, "@odata.nextLink": "https://" + r.Host + r.URL.Path + "?$skiptoken=" + strconv.FormatInt(i, 10)})
	}})
	const limit = 64 << 10 // 64 KiB a response, 256 KiB for the data set
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), func(o *collector.Options) {
		o.MaxResponseBytes = limit
		o.MaxPages = 1000
	})
	requireRefused(t, r, snapshot.ConditionalAccessPolicies, "the responses for conditionalAccessPolicies exceed 256 KiB in total")
	// ~21 KB a page: the budget ends it after about 13 pages.
	if n := served.Load(); n < 10 || n > 14 {
		t.Errorf("%d pages served, want about 13", n)
	}
	if r.status(snapshot.NamedLocations) != "ok" {
		t.Errorf("namedLocations: %s (the budget is per data set)", r.status(snapshot.NamedLocations))
	}
}
