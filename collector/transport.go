package collector

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// dsCounter counts the HTTP requests (retries included) made for a data
// set and the response bytes read for it.
type dsCounter struct {
	name     string
	requests atomic.Int64
	bytes    atomic.Int64 // response body bytes read (the guard counts them)
}

type dsKey struct{}

// withDataSet tags ctx so that the transport attributes requests to name.
func withDataSet(ctx context.Context, c *dsCounter) context.Context {
	return context.WithValue(ctx, dsKey{}, c)
}

func dataSetFrom(ctx context.Context) *dsCounter {
	c, _ := ctx.Value(dsKey{}).(*dsCounter)
	return c
}

// transport is the bottom of every pipeline (Graph, ARM, Key Vault): it
// bounds the requests in flight, counts them per data set and, when
// verbose, logs method, path, status and duration. It never logs headers.
type transport struct {
	base  http.RoundTripper
	sem   chan struct{}
	total atomic.Int64

	logMu sync.Mutex
	log   io.Writer
}

func newTransport(base http.RoundTripper, concurrency int, log io.Writer) *transport {
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = concurrency * 2
		t.ResponseHeaderTimeout = 2 * time.Minute
		base = t
	}
	return &transport{base: base, sem: make(chan struct{}, concurrency), log: log}
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	t.total.Add(1)
	if c := dataSetFrom(ctx); c != nil {
		c.requests.Add(1)
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	<-t.sem
	if t.log != nil {
		status := "error"
		if err == nil {
			status = fmt.Sprint(resp.StatusCode)
		}
		name := "-"
		if c := dataSetFrom(ctx); c != nil {
			name = c.name
		}
		path := req.URL.EscapedPath()
		if req.URL.RawQuery != "" {
			path += "?" + req.URL.RawQuery
		}
		t.logLine(fmt.Sprintf("%-36s %-4s %s %s %dms", name, req.Method, path, status, time.Since(start).Milliseconds()))
	}
	return resp, err
}

// logLine writes one line to the verbose log (if any).
func (t *transport) logLine(line string) {
	if t == nil || t.log == nil {
		return
	}
	t.logMu.Lock()
	fmt.Fprintln(t.log, line)
	t.logMu.Unlock()
}

// Do lets the transport serve as an azcore policy.Transporter.
func (t *transport) Do(req *http.Request) (*http.Response, error) { return t.RoundTrip(req) }
