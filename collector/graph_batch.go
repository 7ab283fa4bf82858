package collector

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
)

// JSON batching ("Combine multiple HTTP requests using JSON batching",
// https://learn.microsoft.com/graph/json-batching): POST /$batch with
// {"requests": [{id, method, url, headers}]}, up to 20, urls relative to
// the version (/v1.0); the answer is {"responses": [{id, status, headers,
// body}]}, in any order, each with its own status. The batch is 200 even
// when every item failed; an item Graph throttled is a 429 with its own
// Retry-After, and only that item is sent again.
//
// Graph evaluates every request in a batch against the throttling limits on
// its own ("Throttling and batching", https://learn.microsoft.com/graph/throttling):
// each item takes its family's budget here too (budgetLayer.roundTripBatch),
// and a batch never holds more of a budget than the budget has.
//
// msgraph-sdk-go-core has batch support (BatchRequest), but it decodes item
// bodies through kiota's parse nodes (numbers become float64, so snapshot
// items would no longer carry the wire values exactly), reports item
// statuses without their Retry-After, and would need its own hook for the
// budgets. The batch here is sent through the same request adapter as
// every other Graph request (kiota retry of the whole batch on 429/503/504,
// the host guard, the response-size limits, the budgets), and items keep
// the exact JSON that single requests give.

// maxBatchItems is Graph's limit of requests in one batch.
const maxBatchItems = 20

// batchOptions are the batching settings of a graphClient.
type batchOptions struct {
	size          int // items per batch; 1 sends single requests
	maxRetries    int // per item, on 429/503/504 inside a batch
	retryDelay    time.Duration
	maxRetryDelay time.Duration
	parallel      int // batches (or single requests) in flight from one call
}

// errBatchSkipped marks an item that was not sent because its data set had
// already failed (stop reported true).
var errBatchSkipped = errors.New("not requested: the data set had already failed")

// batchResult is the answer to one item: its first page or object, or the
// error a single request would have returned.
type batchResult struct {
	obj map[string]any
	err error
}

// itemCost is what one batch item takes from the budgets.
type itemCost struct {
	family string
	cost   int // resource units (directory family)
}

type batchCostsKey struct{}

// batchCostsFrom returns the item costs of a $batch request (nil for any
// other request).
func batchCostsFrom(ctx context.Context) []itemCost {
	c, _ := ctx.Value(batchCostsKey{}).([]itemCost)
	return c
}

// wireBatchItem and wireBatchAnswer are the JSON batching wire format.
type wireBatchItem struct {
	ID      string            `json:"id"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
}

type wireBatchAnswer struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// relativeURL is the item url of r: its path below /v1.0 and its query.
func relativeURL(r graphRequest) (string, error) {
	if !strings.HasPrefix(r.path, "/") || strings.HasPrefix(r.path, "//") {
		return "", fmt.Errorf("batch item path %q is not relative to the Graph version", r.path)
	}
	u := r.path
	if len(r.query) > 0 {
		u += "?" + encodeQuery(r.query)
	}
	return u, nil
}

// costOf classifies a batch item like budgetLayer classifies a request.
func (g *graphClient) costOf(r graphRequest) itemCost {
	u, err := g.url(r)
	if err != nil {
		return itemCost{family: familyDirectory, cost: 1}
	}
	method := http.MethodGet
	if r.method != 0 {
		method = r.method.String()
	}
	fam := requestFamily(method, u)
	cost := 1
	if fam == familyDirectory {
		cost = directoryCost(method, u)
	}
	return itemCost{family: fam, cost: cost}
}

// batchGet reads the first page (or the object) of every request, GETs
// relative to /v1.0, in JSON batches of up to batch.size items. Results are
// in the order of reqs. stop, checked before each batch is sent, ends the
// reading early (the data set failed): the items not sent get
// errBatchSkipped.
func (g *graphClient) batchGet(ctx context.Context, reqs []graphRequest, stop func() bool) []batchResult {
	out := make([]batchResult, len(reqs))
	if g.batch.size <= 1 {
		// Unbatched: one request per item, as many in flight as before.
		idx := make([]string, len(reqs))
		for i := range reqs {
			idx[i] = strconv.Itoa(i)
		}
		forEach(idx, g.batch.parallel, func(k string) {
			i, _ := strconv.Atoi(k)
			if stop != nil && stop() {
				out[i].err = errBatchSkipped
				return
			}
			out[i].obj, out[i].err = g.get(ctx, reqs[i].path, reqs[i].query)
		})
		return out
	}
	costs := make([]itemCost, len(reqs))
	for i, r := range reqs {
		costs[i] = g.costOf(r)
	}
	attempts := make([]int, len(reqs))
	pending := make([]int, len(reqs))
	for i := range pending {
		pending[i] = i
	}
	for len(pending) > 0 {
		var chunks [][]int
		for rest := pending; len(rest) > 0; {
			var chunk []int
			chunk, rest = g.budgets.pack(costs, rest, g.batch.size)
			chunks = append(chunks, chunk)
		}
		var mu sync.Mutex
		var retry []int
		var wait time.Duration
		keys := make([]string, len(chunks))
		for i := range chunks {
			keys[i] = strconv.Itoa(i)
		}
		forEach(keys, g.batch.parallel, func(k string) {
			ci, _ := strconv.Atoi(k)
			chunk := chunks[ci]
			if stop != nil && stop() {
				for _, i := range chunk {
					out[i].err = errBatchSkipped
				}
				return
			}
			again, w := g.sendBatch(ctx, reqs, costs, chunk, attempts, out)
			mu.Lock()
			retry = append(retry, again...)
			wait = max(wait, w)
			mu.Unlock()
		})
		if len(retry) == 0 {
			break
		}
		// Only the throttled items go again, after their Retry-After (the
		// budgets of their families are closed as long).
		select {
		case <-ctx.Done():
			for _, i := range retry {
				out[i].err = ctx.Err()
			}
			return out
		case <-time.After(wait):
		}
		slices.Sort(retry)
		pending = retry
	}
	return out
}

// sendBatch sends the items chunk names as one batch and records their
// results in out; it returns the items to send again (429/503/504 within
// the retry limit) and how long to wait first.
func (g *graphClient) sendBatch(ctx context.Context, reqs []graphRequest, costs []itemCost, chunk []int, attempts []int, out []batchResult) (retry []int, wait time.Duration) {
	items := make([]wireBatchItem, 0, len(chunk))
	sent := make([]*wireBatchItem, len(chunk)) // by position in chunk; nil: not sent
	chunkCosts := make([]itemCost, 0, len(chunk))
	for n, i := range chunk {
		u, err := relativeURL(reqs[i])
		if err != nil {
			out[i].err = err
			continue
		}
		method := "GET"
		if reqs[i].method != 0 {
			method = reqs[i].method.String()
		}
		items = append(items, wireBatchItem{ID: strconv.Itoa(n + 1), Method: method, URL: u, Headers: reqs[i].headers})
		chunkCosts = append(chunkCosts, costs[i])
	}
	for k := range items {
		n, _ := strconv.Atoi(items[k].ID)
		sent[n-1] = &items[k]
	}
	if len(items) == 0 {
		return nil, 0
	}
	answers, err := g.postBatch(context.WithValue(ctx, batchCostsKey{}, chunkCosts), items)
	if err != nil {
		// The batch as a whole failed: every item fails as its single
		// request would have.
		for _, i := range chunk {
			if out[i].err == nil {
				out[i].err = err
			}
		}
		return nil, 0
	}
	for n, i := range chunk {
		it := sent[n]
		if it == nil || out[i].err != nil {
			continue
		}
		a, ok := answers[it.ID]
		if g.tr != nil && g.tr.log != nil {
			status := "missing"
			if ok {
				status = strconv.Itoa(a.Status)
			}
			name := "-"
			if c := dataSetFrom(ctx); c != nil {
				name = c.name
			}
			g.tr.logLine(fmt.Sprintf("%-36s %-4s %s %s (in $batch)", name, it.Method, "/v1.0"+it.URL, status))
		}
		if !ok {
			out[i].err = &malformedError{err: fmt.Errorf("the $batch response has no answer for %s %s", it.Method, it.URL)}
			continue
		}
		switch a.Status {
		case http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			ra := answerRetryAfter(a)
			if a.Status == http.StatusTooManyRequests {
				g.budgets.itemThrottled(costs[i].family, ra)
			}
			if attempts[i] < g.batch.maxRetries && ra <= g.batch.maxRetryDelay {
				if ra <= 0 {
					ra = backoff(g.batch.retryDelay, attempts[i])
				}
				attempts[i]++
				retry = append(retry, i)
				wait = max(wait, ra)
				continue
			}
		}
		out[i].obj, out[i].err = decodeAnswer(a)
	}
	return retry, wait
}

// backoff is the wait before retry attempt+1 when the service names none:
// base doubled per attempt, with jitter (as kiota's retry handler does).
func backoff(base time.Duration, attempt int) time.Duration {
	d := base << attempt
	return d + time.Duration(rand.Int64N(int64(d)/2+1))
}

// answerRetryAfter reads the Retry-After header of a batch item.
func answerRetryAfter(a wireBatchAnswer) time.Duration {
	for k, v := range a.Headers {
		if strings.EqualFold(k, "Retry-After") {
			return retryAfter(&http.Response{Header: http.Header{"Retry-After": {v}}})
		}
	}
	return 0
}

// decodeAnswer turns a batch item's answer into what a single request
// gives: the decoded object for 2xx, an apiError with the Graph code and
// message otherwise.
func decodeAnswer(a wireBatchAnswer) (map[string]any, error) {
	body := bytes.TrimSpace(a.Body)
	if a.Status >= 200 && a.Status < 300 {
		if len(body) == 0 || bytes.Equal(body, []byte("null")) {
			return nil, &malformedError{err: errors.New("empty response body")}
		}
		obj, err := decodeObject(body)
		if err != nil {
			return nil, err
		}
		stripContext(obj)
		return obj, nil
	}
	if a.Status < 400 || a.Status > 599 {
		return nil, &malformedError{err: fmt.Errorf("batch item answered with status %d", a.Status)}
	}
	ae := &apiError{Status: a.Status}
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if len(body) > 0 && json.Unmarshal(body, &e) == nil {
		ae.Code, ae.Message = e.Error.Code, e.Error.Message
	}
	return nil, ae
}

// postBatch sends one $batch request through the Graph request adapter
// and returns the answers by id.
func (g *graphClient) postBatch(ctx context.Context, items []wireBatchItem) (map[string]wireBatchAnswer, error) {
	raw, err := g.send(ctx, graphRequest{method: abs.POST, path: "/$batch", body: map[string]any{"requests": items}})
	if err != nil {
		return nil, err
	}
	var env struct {
		Responses *[]wireBatchAnswer `json:"responses"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&env); err != nil {
		return nil, &malformedError{err: fmt.Errorf("$batch response: %w", err)}
	}
	if env.Responses == nil {
		return nil, &malformedError{err: errors.New(`$batch response has no "responses" array`)}
	}
	out := make(map[string]wireBatchAnswer, len(*env.Responses))
	for _, a := range *env.Responses {
		if _, dup := out[a.ID]; dup {
			return nil, &malformedError{err: fmt.Errorf("$batch response answers request %q twice", a.ID)}
		}
		out[a.ID] = a
	}
	return out, nil
}

// batchList lists every request's collection: the first pages in batches,
// the rest by following each listing's nextLink (vetted against the
// endpoint's origin, within the page limit, as list does).
func (g *graphClient) batchList(ctx context.Context, reqs []graphRequest, stop func() bool) []listResult {
	first := g.batchGet(ctx, reqs, stop)
	out := make([]listResult, len(reqs))
	for i, f := range first {
		if f.err != nil {
			out[i].err = f.err
			continue
		}
		out[i].items, _, out[i].err = g.pages(ctx, reqs[i], f.obj, 0)
	}
	return out
}

// listResult is one listing of batchList.
type listResult struct {
	items []map[string]any
	err   error
}
