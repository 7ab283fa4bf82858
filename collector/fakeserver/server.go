package fakeserver

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Content types as the services send them.
const (
	graphContentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
	armContentType   = "application/json; charset=utf-8"
)

// Fault makes matching requests fail. Path is matched as a
// case-insensitive prefix of the request path without the /v1.0 prefix
// (e.g. "/identity/conditionalAccess/policies", "/subscriptions/x/providers/microsoft.insights");
// Query, when set, must be contained in the decoded query string.
type Fault struct {
	Method     string // "" = any
	Path       string // prefix
	PathSuffix string // suffix (e.g. "/authentication/methods")
	Query      string

	Status     int    // HTTP status of the error response
	Code       string // Graph/ARM error code
	Message    string
	RetryAfter string // Retry-After header value

	Garbage bool          // 200 with a body that is not JSON
	Hang    time.Duration // wait this long (or until the client gives up) before answering

	Times int // fail this many times, then behave normally (0 = always)

	// Serve, when set, answers the matching request instead of the tenant
	// (after the token check): tests play a hostile server with it
	// (off-host nextLinks, redirects, oversized bodies, endless chains).
	Serve http.HandlerFunc

	hits int
}

// Server is the fake. Create it with New, then point the collector at URL.
type Server struct {
	*httptest.Server
	Tenant *Tenant

	// Token is the bearer token the server accepts.
	Token string
	// PageSize forces small pages (default 100) so paging is exercised.
	PageSize int
	// Latency is added to every request (benchmark).
	Latency time.Duration
	// Unlicensed makes the tenant lack Entra ID P1: signInActivity and
	// sign-in logs answer 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant.
	Unlicensed bool
	// VaultChallengeResource is the resource the Key Vault 401 challenge
	// names (default https://vault.azure.net, as the public cloud's vaults
	// do). Tests set another audience to play a hostile vault.
	VaultChallengeResource string
	// BatchHook, when set, rewrites the answers of every Graph JSON batch
	// before they are sent (batch.go): it gets the url of each request
	// and the answers in request order, and tests reorder, drop or change
	// items with it. Set it before the collection starts.
	BatchHook func(urls []string, answers []BatchResponse) []BatchResponse

	mu sync.Mutex
	// vaultAuth records the Authorization header of every Key Vault
	// request ("" when none was sent).
	vaultAuth []string
	faults    []*Fault
	requests  []string // "METHOD /path?query"

	total atomic.Int64
	// budgets enforces Graph's per-family throttling budgets (budget.go);
	// nil until EnforceBudgets.
	budgets *budgetState
	// Violations records requests the collector must never make (listing
	// all users, reading a secret value, listing a non-exclusion group's
	// members, missing token).
	violations []string
}

// New starts a TLS server for the tenant.
func New(t *Tenant, token string) *Server {
	s := &Server{Tenant: t, Token: token, PageSize: 100}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	return s
}

// AddFault registers a fault.
func (s *Server) AddFault(f *Fault) {
	s.mu.Lock()
	s.faults = append(s.faults, f)
	s.mu.Unlock()
}

// Requests returns the requests served so far.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// VaultAuthorizations returns the Authorization header of every Key Vault
// data-plane request served so far ("" for an anonymous request).
func (s *Server) VaultAuthorizations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.vaultAuth...)
}

// Total is the number of requests served.
func (s *Server) Total() int { return int(s.total.Load()) }

// Violations lists requests the collector should never have made.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

func (s *Server) violation(format string, args ...any) {
	s.mu.Lock()
	s.violations = append(s.violations, fmt.Sprintf(format, args...))
	s.mu.Unlock()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.total.Add(1)
	if s.Latency > 0 {
		time.Sleep(s.Latency)
	}
	s.handle(w, r)
}

// handle answers one request: an HTTP request, or an item of a Graph
// JSON batch (batch.go) with the batch's Authorization header.
func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	q, _ := url.QueryUnescape(r.URL.RawQuery)
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path+"?"+q)
	s.mu.Unlock()

	path := r.URL.Path
	svc := "arm"
	switch {
	case strings.HasPrefix(path, "/v1.0/"):
		svc = "graph"
		path = strings.TrimPrefix(path, "/v1.0")
	case strings.HasPrefix(path, "/secrets/"):
		svc = "vault"
	}

	// Authentication: Graph and ARM need the bearer token; Key Vault first
	// challenges an anonymous request, as the real service does.
	auth := r.Header.Get("Authorization")
	if svc == "vault" {
		s.mu.Lock()
		s.vaultAuth = append(s.vaultAuth, auth)
		s.mu.Unlock()
	}
	if svc == "vault" && auth == "" {
		resource := s.VaultChallengeResource
		if resource == "" {
			resource = "https://vault.azure.net"
		}
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer authorization="https://login.microsoftonline.com/%s", resource="%s"`, s.Tenant.TenantID, resource))
		writeJSON(w, armContentType, 401, Obj{"error": Obj{"code": "Unauthorized", "message": "AKV10000: Request is missing a Bearer or PoP token."}})
		return
	}
	if auth != "Bearer "+s.Token {
		msg := "Access token is empty."
		if auth != "" {
			msg = "Access token validation failure. Invalid audience."
		}
		if auth == "" {
			s.violation("request without a token: %s %s", r.Method, r.URL.Path)
		}
		s.writeError(w, r, svc, 401, "InvalidAuthenticationToken", msg, "")
		return
	}

	// A batch is not throttled as such: Graph evaluates its items, each
	// through overBudget below.
	if svc == "graph" && !isBatch(r, path) && s.overBudget(w, r, path) {
		return
	}
	if f := s.fault(r, path, q); f != nil {
		if f.Hang > 0 {
			select {
			case <-time.After(f.Hang):
			case <-r.Context().Done():
				return
			}
		}
		if f.Serve != nil {
			f.Serve(w, r)
			return
		}
		if f.Garbage {
			w.Header().Set("Content-Type", graphContentType)
			w.WriteHeader(200)
			io.WriteString(w, `{"value": [{"id": "x", `)
			return
		}
		if f.Status != 0 {
			s.writeError(w, r, svc, f.Status, f.Code, f.Message, f.RetryAfter)
			return
		}
	}

	body, err := readBody(r)
	if err != nil {
		s.writeError(w, r, svc, 400, "BadRequest", "cannot read request body: "+err.Error(), "")
		return
	}
	switch {
	case svc == "graph" && isBatch(r, path):
		s.batch(w, r, body)
	case svc == "graph":
		s.graph(w, r, path, body)
	case svc == "vault":
		s.vault(w, r)
	default:
		s.arm(w, r)
	}
}

func (s *Server) fault(r *http.Request, path, query string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if f.Method != "" && f.Method != r.Method {
			continue
		}
		if !strings.HasPrefix(strings.ToLower(path), strings.ToLower(f.Path)) ||
			!strings.HasSuffix(strings.ToLower(path), strings.ToLower(f.PathSuffix)) {
			continue
		}
		if f.Query != "" && !strings.Contains(query, f.Query) {
			continue
		}
		if f.Times > 0 && f.hits >= f.Times {
			continue
		}
		f.hits++
		return f
	}
	return nil
}

// readBody accepts gzip-compressed bodies (kiota compresses POST bodies).
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	var rd io.Reader = r.Body
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		rd = zr
	}
	return io.ReadAll(rd)
}

// writeError writes the error body of the service.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, svc string, status int, code, msg, retryAfter string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	if code == "" {
		code = http.StatusText(status)
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	switch svc {
	case "graph":
		writeJSON(w, graphContentType, status, Obj{"error": Obj{
			"code":    code,
			"message": msg,
			"innerError": Obj{
				"date":              time.Now().UTC().Format("2006-01-02T15:04:05"),
				"request-id":        "6c1e1a9c-0b1e-4b1e-9c1e-1a9c0b1e4b1e",
				"client-request-id": r.Header.Get("client-request-id"),
			},
		}})
	case "vault":
		writeJSON(w, armContentType, status, Obj{"error": Obj{"code": code, "message": msg}})
	default:
		writeJSON(w, armContentType, status, Obj{"error": Obj{"code": code, "message": msg}})
	}
}

func writeJSON(w http.ResponseWriter, contentType string, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	w.Write(data)
}

// baseURL is the absolute URL prefix the client used.
func baseURL(r *http.Request) string { return "https://" + r.Host }

// expand replaces the {{server}} placeholder fixtures use for the server URL.
func expand(r *http.Request, v any) any {
	data, _ := json.Marshal(v)
	data = bytes.ReplaceAll(data, []byte("{{server}}"), []byte(baseURL(r)))
	var out any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	dec.Decode(&out)
	return out
}

// page serves one page of a collection of n items produced by get.
// nextKey is "@odata.nextLink" (Graph) or "nextLink" (ARM, Key Vault).
func (s *Server) page(w http.ResponseWriter, r *http.Request, contentType, nextKey string, n int, get func(i int) Obj, extra Obj) {
	size := s.PageSize
	if size <= 0 {
		size = 100
	}
	q := r.URL.Query()
	if top, err := strconv.Atoi(q.Get("$top")); err == nil && top > 0 && top < size {
		size = top
	}
	if mr, err := strconv.Atoi(q.Get("maxresults")); err == nil && mr > 0 && mr < size {
		size = mr
	}
	offset := 0
	if tok := q.Get("$skiptoken"); tok != "" {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err == nil {
			offset, _ = strconv.Atoi(strings.TrimPrefix(string(raw), "offset:"))
		}
	}
	end := min(offset+size, n)
	items := make([]any, 0, max(end-offset, 0))
	for i := offset; i < end; i++ {
		items = append(items, get(i))
	}
	out := Obj{"value": items}
	for k, v := range extra {
		out[k] = v
	}
	if end < n {
		q.Set("$skiptoken", base64.RawURLEncoding.EncodeToString([]byte("offset:"+strconv.Itoa(end))))
		out[nextKey] = baseURL(r) + r.URL.Path + "?" + strings.ReplaceAll(q.Encode(), "+", "%20")
	} else if nextKey == "nextLink" {
		out[nextKey] = nil
	}
	writeJSON(w, contentType, 200, expand(r, out))
}
