package fakeserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
)

// BatchResponse is one answer of a Graph JSON batch
// (https://learn.microsoft.com/graph/json-batching): the id of the request
// it answers, its status, headers and body (the JSON the request would
// have answered on its own; a body that is not JSON as a JSON string).
type BatchResponse struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

// maxBatchRequests is Graph's limit of requests in one batch.
const maxBatchRequests = 20

func isBatch(r *http.Request, path string) bool {
	return r.Method == http.MethodPost && strings.EqualFold(path, "/$batch")
}

// batch serves POST /v1.0/$batch: every request of the batch goes through
// handle, as if it had been sent on its own with the batch's token, so
// the throttling budgets (each item on its own, as Graph evaluates them),
// faults (matched by the item's path: per-item 429/403/500 injection) and
// the request log apply per item. The batch itself adds no latency of its
// own beyond the one HTTP request. BatchHook, when set, rewrites the
// answers (in request order, with the url of each request) before they
// are sent: reorder, drop or change items.
func (s *Server) batch(w http.ResponseWriter, r *http.Request, body []byte) {
	bad := func(format string, args ...any) {
		s.writeError(w, r, "graph", 400, "BadRequest", fmt.Sprintf(format, args...), "")
	}
	var in struct {
		Requests []struct {
			ID        string            `json:"id"`
			Method    string            `json:"method"`
			URL       string            `json:"url"`
			Headers   map[string]string `json:"headers"`
			Body      json.RawMessage   `json:"body"`
			DependsOn []string          `json:"dependsOn"`
		} `json:"requests"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		bad("Invalid batch payload format: %v", err)
		return
	}
	if len(in.Requests) == 0 || len(in.Requests) > maxBatchRequests {
		bad("Invalid batch payload: the number of requests must be between 1 and %d, got %d", maxBatchRequests, len(in.Requests))
		return
	}
	ids := map[string]bool{}
	for _, it := range in.Requests {
		if it.ID == "" || it.Method == "" || it.URL == "" {
			bad("Invalid batch payload: every request needs id, method and url")
			return
		}
		if ids[it.ID] {
			bad("Invalid batch payload: request id %q is not unique", it.ID)
			return
		}
		ids[it.ID] = true
		if u, err := url.Parse(it.URL); err != nil || u.IsAbs() || u.Host != "" {
			bad("Invalid batch payload: url %q must be relative to the version", it.URL)
			return
		}
	}
	out := make([]BatchResponse, 0, len(in.Requests))
	urls := make([]string, 0, len(in.Requests))
	for _, it := range in.Requests {
		urls = append(urls, it.URL)
		target := "/v1.0/" + strings.TrimPrefix(it.URL, "/")
		var rb *bytes.Reader
		if len(it.Body) > 0 {
			rb = bytes.NewReader(it.Body)
		} else {
			rb = bytes.NewReader(nil)
		}
		ir, err := http.NewRequestWithContext(r.Context(), strings.ToUpper(it.Method), "https://"+r.Host+target, rb)
		if err != nil {
			bad("Invalid batch payload: url %q: %v", it.URL, err)
			return
		}
		ir.Host = r.Host
		for k, v := range it.Headers {
			ir.Header.Set(k, v)
		}
		ir.Header.Set("Authorization", r.Header.Get("Authorization"))
		ir.Header.Set("client-request-id", r.Header.Get("client-request-id"))
		resp := BatchResponse{ID: it.ID, Headers: map[string]string{}}
		if strings.EqualFold(strings.TrimPrefix(strings.SplitN(it.URL, "?", 2)[0], "/"), "$batch") {
			resp.Status = 400
			resp.Body, _ = json.Marshal(Obj{"error": Obj{"code": "BadRequest", "message": "a batch cannot contain a batch"}})
			out = append(out, resp)
			continue
		}
		rec := httptest.NewRecorder()
		s.handle(rec, ir)
		resp.Status = rec.Code
		for _, h := range []string{"Content-Type", "Retry-After", "Location"} {
			if v := rec.Header().Get(h); v != "" {
				resp.Headers[h] = v
			}
		}
		if b := bytes.TrimSpace(rec.Body.Bytes()); len(b) > 0 {
			if json.Valid(b) {
				resp.Body = b
			} else {
				// Graph sends a body that is not JSON as a string.
				resp.Body, _ = json.Marshal(string(b))
			}
		}
		out = append(out, resp)
	}
	s.mu.Lock()
	hook := s.BatchHook
	s.mu.Unlock()
	if hook != nil {
		out = hook(urls, out)
	}
	writeJSON(w, "application/json", 200, Obj{"responses": out})
}
