package collector

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	khttp "github.com/microsoft/kiota-http-go"
)

// countingRT records what reaches the wire below the layer under test.
type countingRT struct{ n atomic.Int64 }

func (c *countingRT) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(`{"value":[]}`)), Header: http.Header{}, Request: r}, nil
}

func (c *countingRT) Do(r *http.Request) (*http.Response, error) { return c.RoundTrip(r) }

func TestOriginOf(t *testing.T) {
	for _, c := range []struct{ a, b string }{
		{"https://graph.microsoft.com/v1.0", "https://GRAPH.microsoft.com:443/x?y"},
		{"https://127.0.0.1:8443", "https://127.0.0.1:8443/v1.0/users"},
		{"https://[::1]:8443", "https://[::1]:8443/"},
	} {
		ua, _ := url.Parse(c.a)
		ub, _ := url.Parse(c.b)
		if originOf(ua) != originOf(ub) {
			t.Errorf("%s and %s: different origins %s, %s", c.a, c.b, originOf(ua), originOf(ub))
		}
	}
	for _, link := range []string{
		"https://127.0.0.1:8444/v1.0/users", // port
		"http://127.0.0.1:8443/v1.0/users",  // scheme
		"https://localhost:8443/v1.0/users", // host
		"https://127.0.0.1/v1.0/users",      // default port 443
		"https://user@127.0.0.1:8443/v1.0/users",
		"/v1.0/users", // relative
		"127.0.0.1:8443/v1.0/users",
		"https://127.0.0.1:8443@evil.example/v1.0",
	} {
		if _, err := checkLink("https://127.0.0.1:8443", link); err == nil {
			t.Errorf("checkLink accepted %s", link)
		} else if !strings.HasPrefix(err.Error(), "nextLink points to another host: ") {
			t.Errorf("checkLink(%s): %v", link, err)
		}
	}
	if _, err := checkLink("https://127.0.0.1:8443", "https://127.0.0.1:8443/v1.0/users?$skiptoken=x"); err != nil {
		t.Error(err)
	}
}

// As an azcore per-retry policy (where ARM and Key Vault clients have the
// bearer token attached), the guard refuses another origin before the
// transport is reached, even when the transport itself does not check.
func TestGuardAsAzcorePolicy(t *testing.T) {
	wire := &countingRT{}
	guard, _ := newHostGuard("https://127.0.0.1:8443", nil, 0)
	pl := runtime.NewPipeline("test", "v0", runtime.PipelineOptions{}, &policy.ClientOptions{
		Transport:        wire,
		PerRetryPolicies: []policy.Policy{headerPolicy{}, guard},
		Retry:            policy.RetryOptions{MaxRetries: 3, RetryDelay: time.Millisecond},
	})
	for _, target := range []string{"https://127.0.0.1:8444/x", "http://127.0.0.1:8443/x", "https://evil.example/x"} {
		req, _ := runtime.NewRequest(context.Background(), http.MethodGet, target)
		_, err := pl.Do(req)
		var oe *offHostError
		if !errors.As(err, &oe) {
			t.Errorf("%s: err = %v, want offHostError", target, err)
		}
	}
	if n := wire.n.Load(); n != 0 {
		t.Fatalf("%d requests reached the transport (no retries either)", n)
	}
	req, _ := runtime.NewRequest(context.Background(), http.MethodGet, "https://127.0.0.1:8443/x")
	if _, err := pl.Do(req); err != nil || wire.n.Load() != 1 {
		t.Fatalf("same origin: err %v, %d requests", err, wire.n.Load())
	}
}

// headerPolicy stands in for the bearer token policy.
type headerPolicy struct{}

func (headerPolicy) Do(req *policy.Request) (*http.Response, error) {
	req.Raw().Header.Set("Authorization", "Bearer secret")
	return req.Next()
}

// As the last kiota middleware (after the redirect handler), likewise.
func TestGuardAsKiotaMiddleware(t *testing.T) {
	wire := &countingRT{}
	guard, _ := newHostGuard("https://127.0.0.1:8443", nil, 0)
	tr := khttp.NewCustomTransportWithParentTransport(wire, append(khttp.GetDefaultMiddlewares(), guard)...)
	for _, target := range []string{"https://127.0.0.1:8444/x", "https://evil.example/x"} {
		req, _ := http.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("Authorization", "Bearer secret")
		if _, err := tr.RoundTrip(req); err == nil {
			t.Errorf("%s: sent", target)
		}
	}
	if n := wire.n.Load(); n != 0 {
		t.Fatalf("%d requests reached the transport", n)
	}
}

// The Graph and ARM clients, given an absolute URL on another port (as a
// nextLink the list check missed would be), send nothing there.
func TestClientsSendNothingToAnotherOrigin(t *testing.T) {
	var home, away atomic.Int64
	homeSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { home.Add(1) }))
	defer homeSrv.Close()
	awaySrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { away.Add(1) }))
	defer awaySrv.Close()
	o := &Options{Auth: AuthToken, GraphEndpoint: homeSrv.URL, ARMEndpoint: homeSrv.URL, HTTPClient: homeSrv.Client(),
		LookupEnv: func(string) (string, bool) { return "", false }}
	if err := o.setDefaults(); err != nil {
		t.Fatal(err)
	}
	tr := newTransport(homeSrv.Client().Transport, 2, nil)
	cred := &staticTokenCredential{token: "secret", expires: time.Now().Add(time.Hour)}
	g, err := newGraphClient(o, cred, tr)
	if err != nil {
		t.Fatal(err)
	}
	a, err := newARMClient(o, cred, tr)
	if err != nil {
		t.Fatal(err)
	}
	var oe *offHostError
	if _, err := g.do(context.Background(), graphRequest{path: awaySrv.URL + "/v1.0/users"}); !errors.As(err, &oe) {
		t.Errorf("graph: err = %v, want offHostError", err)
	}
	if _, err := a.get(context.Background(), awaySrv.URL+"/subscriptions?api-version=1"); !errors.As(err, &oe) {
		t.Errorf("arm: err = %v, want offHostError", err)
	}
	if away.Load() != 0 || home.Load() != 0 {
		t.Fatalf("requests: home %d, away %d; want none", home.Load(), away.Load())
	}
}

var _ azcore.TokenCredential = (*staticTokenCredential)(nil)

// limitedBody fails at limit+1 bytes, whatever the read sizes.
func TestLimitedBody(t *testing.T) {
	for _, size := range []int{0, 10, 99, 100} {
		b := &limitedBody{rc: io.NopCloser(strings.NewReader(strings.Repeat("a", size))), left: 100, limit: 100}
		if data, err := io.ReadAll(b); err != nil || len(data) != size {
			t.Errorf("%d bytes: %d, %v", size, len(data), err)
		}
	}
	b := &limitedBody{rc: io.NopCloser(strings.NewReader(strings.Repeat("a", 101))), left: 100, limit: 100}
	var te *tooLargeError
	if _, err := io.ReadAll(b); !errors.As(err, &te) {
		t.Errorf("101 bytes: err = %v", err)
	}
}
