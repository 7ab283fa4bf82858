package collector

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	abs "github.com/microsoft/kiota-abstractions-go"
	khttp "github.com/microsoft/kiota-http-go"
	jsonserialization "github.com/microsoft/kiota-serialization-json-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	graphauth "github.com/microsoftgraph/msgraph-sdk-go-core/authentication"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// graphErrorMappings turn every 4xx/5xx into an ODataError carrying the
// Graph error code. The batch helper ignores "XXX", so 4XX and 5XX it is.
var graphErrorMappings = abs.ErrorMappings{
	"4XX": odataerrors.CreateODataErrorFromDiscriminatorValue,
	"5XX": odataerrors.CreateODataErrorFromDiscriminatorValue,
}

var registerErrorsOnce sync.Once

func registerGraphErrors() {
	registerErrorsOnce.Do(func() {
		// Errors mean "already registered" (by another client in this
		// process), which is what we want anyway.
		_ = msgraphcore.RegisterError(msgraphcore.PageIteratorErrorRegistryKey, graphErrorMappings)
		_ = msgraphcore.RegisterError(msgraphcore.BatchRequestErrorRegistryKey, graphErrorMappings)
	})
}

// graphClient sends Graph requests through the msgraph-sdk-go request
// adapter (kiota middleware: retry with Retry-After, redirect, gzip request
// bodies, telemetry; the azidentity bearer provider restricted to the
// configured host) and returns the raw JSON, so that snapshot items keep the
// exact wire field names, @odata.type included.
type graphClient struct {
	adapter    *msgraphcore.GraphRequestAdapterBase
	base       string // endpoint + "/v1.0"
	origin     string // scheme://host:port of the endpoint: the only one nextLinks may name
	reqTimeout time.Duration
	maxPages   int          // Options.MaxPages (0: the per-data-set limits)
	budgets    *budgetLayer // Graph's per-family throttling budgets (budget.go)
	batch      batchOptions // JSON batching of per-user reads (graph_batch.go)
	tr         *transport   // for the verbose log of batch items
}

func newGraphClient(o *Options, cred azcore.TokenCredential, tr *transport) (*graphClient, error) {
	registerGraphErrors()
	u, _ := url.Parse(o.GraphEndpoint)
	// Allowed hosts take the host name only: no scheme, no port.
	hosts := []string{u.Hostname()}
	scope := o.cloud().GraphAudience + "/.default"
	auth, err := graphauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred, []string{scope}, hosts)
	if err != nil {
		return nil, err
	}
	retry := &khttp.RetryHandlerOptions{
		MaxRetries:   o.MaxRetries,
		DelaySeconds: int((o.RetryDelay + time.Second - 1) / time.Second),
		ShouldRetry: func(delay time.Duration, _ int, _ *http.Request, resp *http.Response) bool {
			// Honour Retry-After, but a wait longer than MaxRetryDelay
			// fails the data set as throttled rather than stalling.
			return retryAfter(resp) <= o.MaxRetryDelay && delay <= o.MaxRetryDelay*time.Duration(o.MaxRetries)
		},
	}
	opts := msgraphcore.GraphClientOptions{GraphServiceLibraryVersion: "1.89.0"}
	mw, err := khttp.GetDefaultMiddlewaresWithOptions(retry)
	if err != nil {
		return nil, err
	}
	// The guard is the last middleware (it sees each request as sent, token
	// attached, after kiota's redirect handler) and the transport below it
	// (origin check on the wire, no redirects, bounded bodies).
	guard, err := newHostGuard(o.GraphEndpoint, tr, o.MaxResponseBytes)
	if err != nil {
		return nil, err
	}
	middleware := append([]khttp.Middleware{msgraphcore.NewGraphTelemetryHandler(&opts)}, mw...)
	middleware = append(middleware, guard)
	// Budgets wait before a request leaves; the guard below them checks
	// the origin on the wire.
	budgets := newBudgetLayer(guard, o.BudgetTimeScale)
	hc := &http.Client{
		Transport:     khttp.NewCustomTransportWithParentTransport(budgets, middleware...),
		CheckRedirect: noRedirects,
	}
	adapter, err := msgraphcore.NewGraphRequestAdapterBaseWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(
		auth, opts, jsonserialization.NewJsonParseNodeFactory(), jsonserialization.NewJsonSerializationWriterFactory(), hc)
	if err != nil {
		return nil, err
	}
	base := o.GraphEndpoint + "/v1.0"
	adapter.SetBaseUrl(base)
	return &graphClient{adapter: adapter, base: base, origin: guard.origin, reqTimeout: o.RequestTimeout, maxPages: o.MaxPages, budgets: budgets,
		batch: batchOptions{size: o.BatchSize, maxRetries: o.MaxRetries, retryDelay: o.RetryDelay, maxRetryDelay: o.MaxRetryDelay, parallel: max(1, 2*o.Concurrency)}, tr: tr}, nil
}

// noRedirects makes net/http hand a 3xx back instead of following it (the
// guard then refuses it): net/http would re-send the Authorization header
// to another port of the same host.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// retryAfter reads a Retry-After header in seconds (0 when absent).
func retryAfter(resp *http.Response) time.Duration {
	if resp == nil {
		return 0
	}
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0
	}
	var secs float64
	if _, err := fmt.Sscan(v, &secs); err == nil {
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}

// graphRequest is one Graph call: a path relative to /v1.0 (or an absolute
// nextLink) with query parameters.
type graphRequest struct {
	method  abs.HttpMethod
	path    string
	query   url.Values
	headers map[string]string
	body    any
}

func (g *graphClient) url(r graphRequest) (*url.URL, error) {
	// An absolute path is a nextLink list has vetted; others are relative
	// to /v1.0.
	u, err := url.Parse(r.path)
	if err != nil || !u.IsAbs() {
		u, err = url.Parse(g.base + r.path)
	}
	if err != nil {
		return nil, err
	}
	if len(r.query) > 0 {
		// Graph wants $-prefixed system query options unescaped and spaces
		// as %20 (url.Values.Encode would write '+').
		q := u.Query()
		for k, v := range r.query {
			q[k] = v
		}
		u.RawQuery = encodeQuery(q)
	}
	return u, nil
}

func encodeQuery(q url.Values) string {
	enc := strings.ReplaceAll(q.Encode(), "+", "%20")
	return strings.ReplaceAll(enc, "%24", "$")
}

// send sends one request through the request adapter, within the
// per-request timeout, and returns the response body.
func (g *graphClient) send(ctx context.Context, r graphRequest) ([]byte, error) {
	u, err := g.url(r)
	if err != nil {
		return nil, err
	}
	ri := abs.NewRequestInformation()
	if r.method == 0 {
		r.method = abs.GET
	}
	ri.Method = r.method
	ri.SetUri(*u)
	ri.Headers.Add("Accept", "application/json")
	for k, v := range r.headers {
		ri.Headers.Add(k, v)
	}
	if r.body != nil {
		data, err := json.Marshal(r.body)
		if err != nil {
			return nil, err
		}
		ri.SetStreamContentAndContentType(data, "application/json")
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, g.reqTimeout)
	defer cancel()
	res, err := g.adapter.SendPrimitive(ctx, ri, "[]byte", graphErrorMappings)
	if err != nil {
		if perr := parent.Err(); perr != nil {
			return nil, perr // the whole run timed out or was interrupted
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, &timeoutError{after: g.reqTimeout, err: err}
		}
		return nil, graphError(err)
	}
	data, _ := res.([]byte)
	return data, nil
}

// do sends one request and decodes the JSON response (nil for 204).
func (g *graphClient) do(ctx context.Context, r graphRequest) (map[string]any, error) {
	data, err := g.send(ctx, r)
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, nil
	}
	obj, err := decodeObject(data)
	if err != nil {
		return nil, err
	}
	stripContext(obj)
	return obj, nil
}

// stripContext drops OData context annotations (@odata.context,
// x@odata.context): they only repeat the endpoint URL and the query. Type
// annotations (@odata.type) stay.
func stripContext(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			if strings.HasSuffix(k, "@odata.context") {
				delete(t, k)
				continue
			}
			stripContext(child)
		}
	case []any:
		for _, child := range t {
			stripContext(child)
		}
	}
}

// decodeObject parses a JSON object, keeping numbers exact.
func decodeObject(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &malformedError{err: err}
	}
	if dec.More() {
		return nil, &malformedError{err: errors.New("unexpected data after the JSON object")}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, &malformedError{err: fmt.Errorf("expected a JSON object, got %T", v)}
	}
	return obj, nil
}

// get fetches one object.
func (g *graphClient) get(ctx context.Context, path string, query url.Values) (map[string]any, error) {
	obj, err := g.do(ctx, graphRequest{path: path, query: query})
	if err == nil && obj == nil {
		return nil, &malformedError{err: errors.New("empty response body")}
	}
	return obj, err
}

// list fetches every page of a collection by following @odata.nextLink
// (absolute URLs on the endpoint's own scheme, host and port, at most the
// data set's page limit) and returns the items. max > 0 stops after that
// many items (truncated reports whether more were available).
func (g *graphClient) list(ctx context.Context, r graphRequest, max int) (items []map[string]any, truncated bool, err error) {
	return g.pages(ctx, r, nil, max)
}

// pages is list with the first page already read when first is not nil
// (the answer of a batch item): the rest is read by following its
// nextLink, vetted like any other.
func (g *graphClient) pages(ctx context.Context, r graphRequest, first map[string]any, max int) (items []map[string]any, truncated bool, err error) {
	seen := map[string]bool{}
	limit, name := pageLimit(ctx)
	if g.maxPages > 0 {
		limit = g.maxPages
	}
	for pages := 1; ; pages++ {
		page := first
		if page == nil {
			if page, err = g.do(ctx, r); err != nil {
				return nil, false, err
			}
		}
		first = nil
		arr, next, err := decodeGraphPage(page)
		if err != nil {
			return nil, false, err
		}
		items = append(items, arr...)
		if next == "" {
			return items, false, nil
		}
		if max > 0 && len(items) >= max {
			return items[:max], true, nil
		}
		if _, err := checkLink(g.origin, next); err != nil {
			return nil, false, err
		}
		if seen[next] {
			return nil, false, &malformedError{err: errors.New("@odata.nextLink repeats a page already read")}
		}
		if pages >= limit {
			return nil, false, &pageLimitError{limit: limit, name: name}
		}
		seen[next] = true
		// The nextLink carries every query option; only headers carry over.
		r = graphRequest{path: next, headers: r.headers}
	}
}

// decodeGraphPage takes a decoded Graph collection page apart: the items
// of its "value" array and its @odata.nextLink ("" on the last page).
func decodeGraphPage(page map[string]any) ([]map[string]any, string, error) {
	if page == nil {
		return nil, "", &malformedError{err: errors.New("empty response body")}
	}
	raw, ok := page["value"]
	if !ok {
		return nil, "", &malformedError{err: errors.New(`collection response has no "value" array`)}
	}
	arr, ok := raw.([]any)
	if !ok && raw != nil {
		return nil, "", &malformedError{err: errors.New(`"value" is not an array`)}
	}
	items := make([]map[string]any, 0, len(arr))
	for _, it := range arr {
		obj, ok := it.(map[string]any)
		if !ok {
			return nil, "", &malformedError{err: errors.New("collection item is not an object")}
		}
		items = append(items, obj)
	}
	next, ok := page["@odata.nextLink"].(string)
	if !ok && page["@odata.nextLink"] != nil {
		return nil, "", &malformedError{err: errors.New("@odata.nextLink is not a string")}
	}
	return items, next, nil
}

// apiError is a non-2xx answer from Graph, ARM or Key Vault.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string {
	msg := fmt.Sprintf("HTTP %d", e.Status)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// malformedError is a response that is not the JSON we expect.
type malformedError struct{ err error }

func (e *malformedError) Error() string { return "malformed response: " + e.err.Error() }

// timeoutError is a request that did not finish within --request-timeout.
type timeoutError struct {
	after time.Duration
	err   error
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("no complete response within %s (raise --request-timeout if the network is slow)", e.after)
}

// graphError converts the SDK's errors: an ODataError (with the Graph error
// code), a bare ApiError, or a plain error (e.g. malformed JSON error body).
func graphError(err error) error {
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) {
		ae := &apiError{Status: oe.ResponseStatusCode}
		if me := oe.GetErrorEscaped(); me != nil {
			if c := me.GetCode(); c != nil {
				ae.Code = *c
			}
			if m := me.GetMessage(); m != nil {
				ae.Message = *m
			}
		}
		return ae
	}
	var ae *abs.ApiError
	if errors.As(err, &ae) {
		return &apiError{Status: ae.ResponseStatusCode, Message: ae.Message}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &malformedError{err: err}
	}
	return err
}
