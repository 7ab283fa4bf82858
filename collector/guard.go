package collector

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	khttp "github.com/microsoft/kiota-http-go"
)

// Every client (Graph, ARM, each Key Vault) talks to exactly one origin:
// the scheme, host and port of its endpoint. A hostGuard enforces that at
// two levels:
//
//   - inside the SDK pipeline, after the bearer token was attached (a kiota
//     middleware for Graph, an azcore per-retry policy for ARM and Key
//     Vault): a request for any other origin is refused, so the token never
//     leaves its endpoint, whatever a nextLink, a redirect or an SDK
//     default says;
//   - as the HTTP transport of that client: the same origin check on what
//     actually goes on the wire, no redirect is followed (a 3xx answer is an
//     error), and a response body larger than the size limit is cut off
//     while it streams in (never read whole, then checked).
type hostGuard struct {
	origin  string // scheme://host:port, lower case, explicit port
	next    http.RoundTripper
	maxBody int64 // per response
	maxSet  int64 // per data set, all its responses together
}

func newHostGuard(endpoint string, next http.RoundTripper, maxBody int64) (*hostGuard, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("endpoint %q is not an absolute URL", endpoint)
	}
	return &hostGuard{origin: originOf(u), next: next, maxBody: maxBody, maxSet: dataSetBudget(maxBody)}, nil
}

// dataSetBudget is how many response bytes one data set may read in
// total: DataSetBudgetFactor times the per-response limit.
func dataSetBudget(maxBody int64) int64 {
	if maxBody <= 0 {
		return 0
	}
	return DataSetBudgetFactor * maxBody
}

// originOf is scheme://host:port with the scheme's default port made
// explicit, so that https://h and https://h:443 are the same origin and
// https://h:8443 is another.
func originOf(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	return scheme + "://" + hostPort(u)
}

func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// checkLink vets a paging link (Graph @odata.nextLink, ARM and Key Vault
// nextLink) before it is requested: it must be an absolute URL on the
// origin of the endpoint the page came from, without user info.
func checkLink(origin, link string) (*url.URL, error) {
	u, err := url.Parse(link)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return nil, &offHostError{what: "nextLink", target: "(not an absolute URL)", origin: origin}
	}
	if u.User != nil {
		return nil, &offHostError{what: "nextLink", target: "(a URL with user info)", origin: origin}
	}
	if o := originOf(u); o != origin {
		return nil, &offHostError{what: "nextLink", target: displayTarget(origin, u), origin: origin}
	}
	return u, nil
}

// displayTarget names where a link points: host:port, with the scheme when
// only the scheme differs or the scheme is not the endpoint's.
func displayTarget(origin string, u *url.URL) string {
	if !strings.HasPrefix(origin, strings.ToLower(u.Scheme)+"://") {
		return strings.ToLower(u.Scheme) + "://" + hostPort(u)
	}
	return hostPort(u)
}

func (g *hostGuard) check(u *url.URL) error {
	if originOf(u) != g.origin || u.User != nil {
		return &offHostError{what: "request", target: displayTarget(g.origin, u), origin: g.origin}
	}
	return nil
}

// Intercept is the kiota middleware (last in the Graph chain, after the
// redirect handler: it sees every request as it is sent).
func (g *hostGuard) Intercept(p khttp.Pipeline, i int, req *http.Request) (*http.Response, error) {
	if err := g.check(req.URL); err != nil {
		return nil, err
	}
	return p.Next(req, i)
}

// Do is the azcore policy (per retry, after the bearer token policy).
func (g *hostGuard) Do(req *policy.Request) (*http.Response, error) {
	if err := g.check(req.Raw().URL); err != nil {
		return nil, err
	}
	return req.Next()
}

// RoundTrip is the transport of the client.
func (g *hostGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := g.check(req.URL); err != nil {
		return nil, err
	}
	resp, err := g.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		resp.Body.Close()
		target := "(no Location)"
		if loc, err := resp.Location(); err == nil {
			target = displayTarget(g.origin, loc)
		}
		return nil, &redirectError{status: resp.StatusCode, target: target, origin: g.origin}
	}
	if g.maxBody > 0 {
		if resp.ContentLength > g.maxBody {
			resp.Body.Close()
			return nil, &tooLargeError{limit: g.maxBody}
		}
		resp.Body = &limitedBody{rc: resp.Body, left: g.maxBody, limit: g.maxBody, set: dataSetFrom(req.Context()), setLimit: g.maxSet}
	}
	return resp, nil
}

// limitedBody fails the read that goes past limit bytes: the body is never
// buffered beyond the limit, and closing it early drops the connection
// instead of downloading the rest.
//
// It also charges what it reads to the data set of the request: once a
// data set has read more than setLimit bytes in all (an endless chain of
// distinct, full pages), its next read fails.
type limitedBody struct {
	rc    io.ReadCloser
	left  int64
	limit int64

	set      *dsCounter // nil: not tied to a data set
	setLimit int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, &tooLargeError{limit: b.limit}
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, &tooLargeError{limit: b.limit}
	}
	if b.set != nil && b.setLimit > 0 && b.set.bytes.Add(int64(n)) > b.setLimit {
		return n, &dataSetTooLargeError{limit: b.setLimit, name: b.set.name}
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// hostileError marks a response breakglass refused to trust: the data set
// becomes error with the message, and the SDK retry policies do not retry.
type hostileError interface {
	error
	hostile()
}

// offHostError is a link or request to another origin than the endpoint's.
type offHostError struct {
	what   string // "nextLink" or "request"
	target string
	origin string
}

func (e *offHostError) Error() string {
	if e.what == "nextLink" {
		return fmt.Sprintf("nextLink points to another host: %s (only %s is trusted; the link was not followed and nothing from this listing was kept)", e.target, e.origin)
	}
	return fmt.Sprintf("refused to send a request to another host: %s (this client only talks to %s; the bearer token never leaves it)", e.target, e.origin)
}

// redirectError is a 3xx answer: redirects are never followed.
type redirectError struct {
	status int
	target string
	origin string
}

func (e *redirectError) Error() string {
	return fmt.Sprintf("HTTP %d redirect to %s refused: breakglass follows no redirects (the bearer token is only sent to %s)", e.status, e.target, e.origin)
}

// tooLargeError is a response body over the size limit.
type tooLargeError struct{ limit int64 }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("response larger than %s: refused without reading the rest (raise --max-response-mib if a real tenant returns pages this large)", mib(e.limit))
}

// dataSetTooLargeError is a data set whose responses together exceed its
// budget.
type dataSetTooLargeError struct {
	limit int64
	name  string
}

func (e *dataSetTooLargeError) Error() string {
	return fmt.Sprintf("the responses for %s exceed %s in total (%d times --max-response-mib): stopped reading (raise --max-response-mib if a real tenant holds this much)", e.name, mib(e.limit), DataSetBudgetFactor)
}

// pageLimitError is a listing that did not end within its page limit.
type pageLimitError struct {
	limit int
	name  string
}

func (e *pageLimitError) Error() string {
	return fmt.Sprintf("listing did not end after %d pages (the limit for %s, far above what a real tenant holds): stopped following nextLink (raise --max-pages if a real tenant has more)", e.limit, e.name)
}

func (*offHostError) hostile()         {}
func (*redirectError) hostile()        {}
func (*tooLargeError) hostile()        {}
func (*dataSetTooLargeError) hostile() {}
func (*pageLimitError) hostile()       {}

// NonRetriable tells azcore's retry policy not to retry.
func (*offHostError) NonRetriable()         {}
func (*redirectError) NonRetriable()        {}
func (*tooLargeError) NonRetriable()        {}
func (*dataSetTooLargeError) NonRetriable() {}
func (*pageLimitError) NonRetriable()       {}

func mib(n int64) string {
	switch {
	case n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
