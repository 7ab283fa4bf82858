package fakeserver

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Budget is one of Microsoft Graph's documented throttling limits
// ("Microsoft Graph service-specific throttling limits",
// https://learn.microsoft.com/graph/throttling-limits) as the server
// enforces it: at most Limit requests (resource units for "directory")
// arriving in any Window; beyond that the answer is 429, with Retry-After
// unless the service is documented to send none.
type Budget struct {
	Name       string
	Limit      int
	Window     time.Duration
	RetryAfter bool
}

// GraphBudgets are the limits a collection runs into.
var GraphBudgets = []Budget{
	// Identity and access reports: sign-in logs, authentication methods,
	// signInActivity and the other report resources, per app per tenant.
	{Name: "reports", Limit: 5, Window: 10 * time.Second, RetryAfter: true},
	// GET signInActivity, per app per tenant.
	{Name: "signInActivity", Limit: 10, Window: time.Minute, RetryAfter: true},
	// Identity protection and Conditional Access, per tenant for all apps;
	// documented to send no Retry-After.
	{Name: "conditionalAccess", Limit: 1, Window: time.Second},
	// Identity and access resource units, application+tenant, tenant size S.
	{Name: "directory", Limit: 3500, Window: 10 * time.Second, RetryAfter: true},
}

// Request families and the budgets each draws from.
var familyBudgets = map[string][]string{
	"signIns":               {"reports"},
	"authenticationMethods": {"reports"},
	"signInActivity":        {"signInActivity", "reports"},
	"conditionalAccess":     {"conditionalAccess"},
	"directory":             {"directory"},
}

type arrival struct {
	at   time.Time
	cost int
}

type budgetState struct {
	mu        sync.Mutex
	scale     float64
	arrivals  map[string][]arrival
	requests  map[string]int       // per family, admitted
	times     map[string][]Arrival // per family, admitted requests
	throttled map[string]int       // per family, answered 429
}

// EnforceBudgets makes the server answer 429 once a request would exceed one
// of GraphBudgets. scale multiplies every window (1 = real time; tests use
// less, with the collector's BudgetTimeScale set to the same value).
func (s *Server) EnforceBudgets(scale float64) {
	if scale <= 0 {
		scale = 1
	}
	s.mu.Lock()
	s.budgets = &budgetState{scale: scale, arrivals: map[string][]arrival{}, requests: map[string]int{}, throttled: map[string]int{}, times: map[string][]Arrival{}}
	s.mu.Unlock()
}

// BudgetRequests returns the admitted Graph requests per family
// (signIns, authenticationMethods, signInActivity, conditionalAccess,
// directory).
func (s *Server) BudgetRequests() map[string]int { return s.budgetCounts(false) }

// BudgetThrottled returns the 429 answers per family.
func (s *Server) BudgetThrottled() map[string]int { return s.budgetCounts(true) }

func (s *Server) budgetCounts(throttled bool) map[string]int {
	b := s.budgetState()
	out := map[string]int{}
	if b == nil {
		return out
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	src := b.requests
	if throttled {
		src = b.throttled
	}
	for k, v := range src {
		out[k] = v
	}
	return out
}

// Arrival is an admitted request: when it arrived and its method, path and
// raw query.
type Arrival struct {
	At      time.Time
	Request string
}

// BudgetArrivals returns the admitted requests of a family in arrival order.
func (s *Server) BudgetArrivals(family string) []Arrival {
	b := s.budgetState()
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Arrival(nil), b.times[family]...)
}

// ConsumeBudget spends n units of a budget now, as another app in the same
// tenant would (the Conditional Access limit is shared by all apps).
func (s *Server) ConsumeBudget(name string, n int) {
	b := s.budgetState()
	if b == nil {
		return
	}
	b.mu.Lock()
	b.arrivals[name] = append(b.arrivals[name], arrival{at: time.Now(), cost: n})
	b.mu.Unlock()
}

func (s *Server) budgetState() *budgetState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.budgets
}

func budgetByName(name string) Budget {
	for _, b := range GraphBudgets {
		if b.Name == name {
			return b
		}
	}
	panic("fakeserver: unknown budget " + name)
}

// overBudget admits a Graph request or answers 429 (and reports true).
func (s *Server) overBudget(w http.ResponseWriter, r *http.Request, path string) bool {
	b := s.budgetState()
	if b == nil {
		return false
	}
	fam, cost := requestFamily(r, path)
	now := time.Now()
	b.mu.Lock()
	var wait time.Duration
	over, retryAfter := false, false
	for _, name := range familyBudgets[fam] {
		spec := budgetByName(name)
		window := time.Duration(float64(spec.Window) * b.scale)
		c := min(tokensFor(name, cost), spec.Limit)
		var keep []arrival
		used := 0
		for _, a := range b.arrivals[name] {
			if now.Sub(a.at) < window {
				keep = append(keep, a)
				used += a.cost
			}
		}
		b.arrivals[name] = keep
		if used+c > spec.Limit {
			// Wait until enough of the oldest arrivals leave the window.
			free := spec.Limit - used
			for _, a := range keep {
				free += a.cost
				if free >= c {
					wait = max(wait, a.at.Add(window).Sub(now))
					break
				}
			}
			over = true
			retryAfter = retryAfter || spec.RetryAfter
		}
	}
	if over {
		b.throttled[fam]++
		b.mu.Unlock()
		ra := ""
		if retryAfter {
			ra = strconv.Itoa(max(1, int(math.Ceil(wait.Seconds()))))
		}
		s.writeError(w, r, "graph", http.StatusTooManyRequests, "TooManyRequests",
			fmt.Sprintf("Too many requests: the %s budget is exhausted.", fam), ra)
		return true
	}
	for _, name := range familyBudgets[fam] {
		c := min(tokensFor(name, cost), budgetByName(name).Limit)
		b.arrivals[name] = append(b.arrivals[name], arrival{at: now, cost: c})
	}
	b.requests[fam]++
	b.times[fam] = append(b.times[fam], Arrival{At: now, Request: r.Method + " " + r.URL.Path + "?" + r.URL.RawQuery})
	b.mu.Unlock()
	return false
}

func tokensFor(budget string, cost int) int {
	if budget == "directory" {
		return cost
	}
	return 1
}

// requestFamily classifies a Graph request (path without /v1.0) and gives
// its documented resource-unit cost (for the directory family).
func requestFamily(r *http.Request, path string) (string, int) {
	p := strings.ToLower(strings.Trim(path, "/"))
	segs := strings.Split(p, "/")
	q := r.URL.Query()
	sel := strings.ToLower(q.Get("$select"))
	switch {
	case segs[0] == "auditlogs" || segs[0] == "reports":
		return "signIns", 1
	case segs[0] == "users" && len(segs) >= 3 && segs[2] == "authentication":
		return "authenticationMethods", 1
	case segs[0] == "users" && (strings.Contains(sel, "signinactivity") || strings.Contains(strings.ToLower(q.Get("$filter")), "signinactivity")):
		return "signInActivity", 1
	case len(segs) >= 2 && segs[0] == "identity" && segs[1] == "conditionalaccess", segs[0] == "identityprotection":
		return "conditionalAccess", 1
	}
	// Identity and access base costs (GET unless noted).
	cost := 1
	switch {
	case r.Method == http.MethodPost && p == "directoryobjects/getbyids":
		return "directory", 5
	case r.Method != http.MethodGet:
	case p == "users":
		cost = 2
	case len(segs) >= 3 && segs[0] == "groups" && segs[2] == "members":
		cost = 3
	case len(segs) >= 3 && segs[0] == "groups" && segs[2] == "transitivemembers":
		cost = 5
	case len(segs) >= 3 && segs[0] == "users" && (segs[2] == "memberof" || segs[2] == "transitivememberof" || segs[2] == "ownedobjects" || segs[2] == "licensedetails"):
		cost = 2
	case p == "subscribedskus":
		cost = 3
	}
	if sel != "" {
		cost--
	}
	if q.Get("$expand") != "" {
		cost++
	}
	if top, err := strconv.Atoi(q.Get("$top")); err == nil && top < 20 {
		cost--
	}
	return "directory", max(cost, 1)
}
