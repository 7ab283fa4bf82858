package collector

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Microsoft Graph throttles per service, and the limits that bind a
// collection are documented in "Microsoft Graph service-specific throttling
// limits" (https://learn.microsoft.com/graph/throttling-limits):
//
//   - Identity and access reports (sign-in logs, authentication methods,
//     signInActivity and the other report resources): 5 requests per 10 s
//     per app per tenant, and GET signInActivity 10 requests per minute.
//   - Identity protection and Conditional Access (policies, named
//     locations): 1 request per second per tenant for all apps, and the 429
//     carries no Retry-After.
//   - Identity and access (users, groups, directory objects, ...): resource
//     units per app and tenant, 3,500 per 10 s for the smallest tenant size
//     (S, under 50 users; 5,000 for M, 8,000 for L), with documented
//     per-request costs.
//
// The collector keeps one budget per limit, shared by every goroutine, and
// takes from it before a request is sent (retries included: they go through
// the same layer). A budget of N per window W lets a request go only while
// fewer than N have been taken in the last W, where a request's tokens come
// back W after its response arrived — never sooner, so a server that counts
// arrivals in any window W never sees more than N. Reads therefore run as fast
// as the budgets allow and no faster. A 429 closes the request's budgets for
// its Retry-After, or each for its own window when the service sends none.

// Graph request families (the unit of accounting in the summary).
const (
	familySignIns           = "signIns"               // auditLogs: identity and access reports
	familyAuthMethods       = "authenticationMethods" // users/{id}/authentication/...: identity and access reports
	familySignInActivity    = "signInActivity"        // users with $select/$filter signInActivity
	familyConditionalAccess = "conditionalAccess"     // identity/conditionalAccess/...: 1 request/s per tenant
	familyDirectory         = "directory"             // everything else: identity and access resource units
)

var familyOrder = []string{familySignIns, familyAuthMethods, familySignInActivity, familyConditionalAccess, familyDirectory}

// budgetSpec is one documented limit: capacity tokens per window.
type budgetSpec struct {
	name     string
	capacity int
	window   time.Duration
	source   string // the documented limit, for messages
}

// graphBudgetSpecs are the documented limits (see above). Identity and access
// reports names one limit for all its resources, so sign-in logs,
// authentication methods and signInActivity draw from the same budget;
// signInActivity also has its own.
var graphBudgetSpecs = []budgetSpec{
	{name: "reports", capacity: 5, window: 10 * time.Second, source: "identity and access reports: 5 requests per 10 s per app per tenant"},
	{name: "signInActivity", capacity: 10, window: time.Minute, source: "GET signInActivity: 10 requests per minute"},
	{name: "conditionalAccess", capacity: 1, window: time.Second, source: "Conditional Access and named locations: 1 request per second per tenant"},
	{name: "directory", capacity: 3500, window: 10 * time.Second, source: "identity and access: 3,500 resource units per 10 s per app per tenant (tenant size S)"},
}

// familyBudgets names, per family, the budgets a request draws from, in
// the order they are taken (the same order everywhere, so no deadlock).
var familyBudgets = map[string][]string{
	familySignIns:           {"reports"},
	familyAuthMethods:       {"reports"},
	familySignInActivity:    {"signInActivity", "reports"},
	familyConditionalAccess: {"conditionalAccess"},
	familyDirectory:         {"directory"},
}

// budget is one token budget with a sliding window.
type budget struct {
	spec   budgetSpec
	window time.Duration // spec.window scaled

	mu      sync.Mutex
	held    int           // tokens of requests in flight
	returns []tokenReturn // tokens of finished requests, by return time
	closed  time.Time     // after a 429: nothing goes before this
	changed chan struct{} // closed (and replaced) whenever tokens come back
}

type tokenReturn struct {
	at time.Time
	n  int
}

func newBudget(spec budgetSpec, scale float64) *budget {
	return &budget{spec: spec, window: time.Duration(float64(spec.window) * scale), changed: make(chan struct{})}
}

// take blocks until n tokens are free (n is capped at the capacity, so an
// over-sized request still goes, alone) and the budget is not closed.
func (b *budget) take(ctx context.Context, n int) error {
	n = min(max(n, 1), b.spec.capacity)
	for {
		b.mu.Lock()
		now := time.Now()
		used := b.held
		next := time.Time{}
		keep := b.returns[:0]
		for _, r := range b.returns {
			if r.at.After(now) {
				keep = append(keep, r)
				used += r.n
				if next.IsZero() || r.at.Before(next) {
					next = r.at
				}
			}
		}
		b.returns = keep
		if !now.Before(b.closed) && used+n <= b.spec.capacity {
			b.held += n
			b.mu.Unlock()
			return nil
		}
		if now.Before(b.closed) && (next.IsZero() || b.closed.After(next)) {
			next = b.closed
		}
		changed := b.changed
		b.mu.Unlock()
		var timer *time.Timer
		var fire <-chan time.Time
		if !next.IsZero() {
			timer = time.NewTimer(time.Until(next))
			fire = timer.C
		}
		select {
		case <-ctx.Done():
		case <-fire:
		case <-changed:
		}
		if timer != nil {
			timer.Stop()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// give returns n tokens a window after now (the response arrived); closeFor
// > 0 closes the budget for that long (a 429).
func (b *budget) give(n int, closeFor time.Duration) {
	n = min(max(n, 1), b.spec.capacity)
	b.mu.Lock()
	now := time.Now()
	b.held -= n
	b.returns = append(b.returns, tokenReturn{at: now.Add(b.window), n: n})
	if closeFor > 0 && now.Add(closeFor).After(b.closed) {
		b.closed = now.Add(closeFor)
	}
	close(b.changed)
	b.changed = make(chan struct{})
	b.mu.Unlock()
}

// budgetLayer is an http.RoundTripper below kiota's retry handler: every
// Graph request, retries included, takes from its family's budgets first.
type budgetLayer struct {
	next    http.RoundTripper
	budgets map[string]*budget

	mu      sync.Mutex
	stats   map[string]*familyStats // per family; a batch counts each item in its family
	batches int                     // $batch requests sent
}

type familyStats struct {
	requests  int
	throttled int // 429 answers
	waited    time.Duration
}

func newBudgetLayer(next http.RoundTripper, scale float64) *budgetLayer {
	if scale <= 0 {
		scale = 1
	}
	l := &budgetLayer{next: next, budgets: map[string]*budget{}, stats: map[string]*familyStats{}}
	for _, s := range graphBudgetSpecs {
		l.budgets[s.name] = newBudget(s, scale)
	}
	return l
}

func (l *budgetLayer) RoundTrip(req *http.Request) (*http.Response, error) {
	if costs := batchCostsFrom(req.Context()); costs != nil {
		return l.roundTripBatch(req, costs)
	}
	fam := requestFamily(req.Method, req.URL)
	cost := 1
	if fam == familyDirectory {
		cost = directoryCost(req.Method, req.URL)
	}
	need := map[string]int{}
	for _, name := range familyBudgets[fam] {
		need[name] = tokens(l.budgets[name], cost)
	}
	resp, waited, throttled, err := l.send(req, familyBudgets[fam], need)
	l.mu.Lock()
	st := l.statsOf(fam)
	st.requests++
	st.waited += waited
	if throttled {
		st.throttled++
	}
	l.mu.Unlock()
	return resp, err
}

// send takes need[name] tokens from each budget in order (skipping those
// it needs none of), sends req and gives the tokens back. Honour
// Retry-After; without one (Conditional Access never sends it) a 429
// closes each budget the request drew from for that budget's own window.
func (l *budgetLayer) send(req *http.Request, order []string, need map[string]int) (resp *http.Response, waited time.Duration, throttled bool, err error) {
	start := time.Now()
	var taken []*budget
	release := func(throttled bool, ra time.Duration) {
		for _, b := range taken {
			closeFor := time.Duration(0)
			if throttled {
				closeFor = ra
				if closeFor <= 0 {
					closeFor = b.window
				}
			}
			b.give(need[b.spec.name], closeFor)
		}
	}
	for _, name := range order {
		if need[name] == 0 {
			continue
		}
		b := l.budgets[name]
		if err := b.take(req.Context(), need[name]); err != nil {
			release(false, 0)
			return nil, 0, false, err
		}
		taken = append(taken, b)
	}
	waited = time.Since(start)
	resp, err = l.next.RoundTrip(req)
	throttled = err == nil && resp.StatusCode == http.StatusTooManyRequests
	release(throttled, retryAfter(resp))
	return resp, waited, throttled, err
}

// statsOf returns a family's counters, created on first use (l.mu held).
func (l *budgetLayer) statsOf(family string) *familyStats {
	st := l.stats[family]
	if st == nil {
		st = &familyStats{}
		l.stats[family] = st
	}
	return st
}

// tokens is what a request of the given resource-unit cost takes from b:
// the cost from the resource-unit budget, one request from the others.
func tokens(b *budget, cost int) int {
	if b.spec.name == "directory" {
		return cost
	}
	return 1
}

// summary writes one line per family that sent requests: requests, 429s and
// the time requests waited for their budget.
func (l *budgetLayer) summary(w io.Writer) {
	if w == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var parts []string
	for _, fam := range familyOrder {
		if st := l.stats[fam]; st != nil {
			s := fmt.Sprintf("%s %d", fam, st.requests)
			if st.throttled > 0 {
				s += fmt.Sprintf(" (%d throttled)", st.throttled)
			}
			parts = append(parts, s)
		}
	}
	if len(parts) > 0 {
		batched := ""
		if l.batches > 0 {
			batched = fmt.Sprintf(" (batch items counted in their family; %d $batch requests)", l.batches)
		}
		fmt.Fprintf(w, "  Graph requests by throttling family: %s%s\n", strings.Join(parts, ", "), batched)
	}
}

// graphPath returns the request path below /v1.0 (or /beta), lower-cased.
func graphPath(u *url.URL) string {
	p := strings.ToLower(u.Path)
	for _, v := range []string{"/v1.0/", "/beta/"} {
		if i := strings.Index(p, v); i >= 0 {
			return p[i+len(v)-1:]
		}
	}
	return p
}

// requestFamily classifies a Graph request by the limit that governs it.
func requestFamily(method string, u *url.URL) string {
	p := graphPath(u)
	segs := strings.Split(strings.Trim(p, "/"), "/")
	q := u.Query()
	switch {
	case segs[0] == "auditlogs" || segs[0] == "reports":
		return familySignIns
	case segs[0] == "users" && len(segs) >= 3 && segs[2] == "authentication":
		return familyAuthMethods
	case segs[0] == "users" && (strings.Contains(strings.ToLower(q.Get("$select")), "signinactivity") ||
		strings.Contains(strings.ToLower(q.Get("$filter")), "signinactivity")):
		return familySignInActivity
	case segs[0] == "identity" && len(segs) >= 2 && segs[1] == "conditionalaccess",
		segs[0] == "identityprotection", segs[0] == "riskyusers", segs[0] == "riskdetections":
		return familyConditionalAccess
	}
	return familyDirectory
}

// directoryCost is the documented resource-unit cost of an identity and
// access request: a base cost by path, -1 with $select, +1 with $expand, -1
// with $top under 20, never below 1. `me/...` costs apply to users/{id}/...
func directoryCost(method string, u *url.URL) int {
	segs := strings.Split(strings.Trim(graphPath(u), "/"), "/")
	if method == http.MethodPost && slices.Equal(segs, []string{"directoryobjects", "getbyids"}) {
		return 5 // $select in the body would make it 2; the collector sends none
	}
	q := u.Query()
	cost := directoryBaseCost(method, segs)
	if q.Get("$select") != "" {
		cost--
	}
	if q.Get("$expand") != "" {
		cost++
	}
	if top, err := strconv.Atoi(q.Get("$top")); err == nil && top < 20 {
		cost--
	}
	return max(cost, 1)
}

// directoryBaseCost is the base cost of an identity and access request by
// path, before the query options.
func directoryBaseCost(method string, segs []string) int {
	if method != http.MethodGet {
		return 1
	}
	switch {
	case len(segs) == 1 && segs[0] == "users":
		return 2
	case len(segs) >= 3 && segs[0] == "groups" && segs[2] == "members":
		return 3
	case len(segs) >= 3 && segs[0] == "groups" && segs[2] == "transitivemembers":
		return 5
	case len(segs) >= 3 && segs[0] == "users" &&
		slices.Contains([]string{"memberof", "transitivememberof", "ownedobjects", "licensedetails"}, segs[2]):
		return 2
	case len(segs) == 1 && segs[0] == "subscribedskus":
		return 3
	}
	return 1
}

// batchBudgetOrder is the order a batch takes its budgets in: the order
// of familyBudgets, merged, so a batch and a single request never wait for
// each other's budgets in opposite orders.
var batchBudgetOrder = []string{"signInActivity", "reports", "conditionalAccess", "directory"}

// batchNeeds sums what the items take from each budget.
func batchNeeds(costs []itemCost, budgets map[string]*budget) map[string]int {
	need := map[string]int{}
	for _, c := range costs {
		for _, name := range familyBudgets[c.family] {
			need[name] += tokens(budgets[name], c.cost)
		}
	}
	return need
}

// pack takes the next batch from pending (indexes into costs, in order):
// at most size items, and never more of a budget than it holds, so a
// batch can always get all its tokens at once (a batch of ten
// authentication-method reads would otherwise wait forever for a budget
// of five). It returns the batch and what is left, in order.
func (l *budgetLayer) pack(costs []itemCost, pending []int, size int) (chunk, rest []int) {
	need := map[string]int{}
	for _, i := range pending {
		fits := len(chunk) < size
		if fits && l != nil {
			for _, name := range familyBudgets[costs[i].family] {
				b := l.budgets[name]
				if len(chunk) > 0 && need[name]+tokens(b, costs[i].cost) > b.spec.capacity {
					fits = false
				}
			}
		}
		if !fits {
			rest = append(rest, i)
			continue
		}
		if l != nil {
			for _, name := range familyBudgets[costs[i].family] {
				need[name] += tokens(l.budgets[name], costs[i].cost)
			}
		}
		chunk = append(chunk, i)
	}
	return chunk, rest
}

// roundTripBatch sends a $batch request: its items take their families'
// budgets (Graph evaluates each against the limits), the envelope none.
func (l *budgetLayer) roundTripBatch(req *http.Request, costs []itemCost) (*http.Response, error) {
	resp, waited, _, err := l.send(req, batchBudgetOrder, batchNeeds(costs, l.budgets))
	l.mu.Lock()
	l.batches++
	for _, c := range costs {
		st := l.statsOf(c.family)
		st.requests++
		st.waited += waited
	}
	l.mu.Unlock()
	return resp, err
}

// itemThrottled records a 429 inside a batch: the budgets of the item's
// family close for its Retry-After, or each for its own window.
func (l *budgetLayer) itemThrottled(family string, ra time.Duration) {
	if l == nil {
		return
	}
	for _, name := range familyBudgets[family] {
		b := l.budgets[name]
		closeFor := ra
		if closeFor <= 0 {
			closeFor = b.window
		}
		b.closeFor(closeFor)
	}
	l.mu.Lock()
	l.statsOf(family).throttled++
	l.mu.Unlock()
}

// closeFor lets nothing of b go for d from now.
func (b *budget) closeFor(d time.Duration) {
	b.mu.Lock()
	if t := time.Now().Add(d); t.After(b.closed) {
		b.closed = t
	}
	close(b.changed)
	b.changed = make(chan struct{})
	b.mu.Unlock()
}
