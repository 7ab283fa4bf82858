package fakeserver

import (
	"net/http"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// listUsers serves GET /users the way Graph answers the two queries the
// collector makes: $search (ConsistencyLevel: eventual), tokenised on
// displayName and description and a prefix match on every other property
// ("Use the $search query parameter"), and $filter with `id in (...)` (at
// most 15 values) or startswith/eq clauses joined by `or`. Listing all users
// is a violation: the collector must never do it.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	search, filter := q.Get("$search"), q.Get("$filter")
	if search == "" && filter == "" {
		s.violation("listed all users: %s", r.URL.RawQuery)
		s.graphList(w, r, s.Tenant.Users, nil)
		return
	}
	if search != "" && r.Header.Get("ConsistencyLevel") != "eventual" {
		s.writeError(w, r, "graph", 400, "Request_UnsupportedQuery", "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'", "")
		return
	}
	if s.Unlicensed && strings.Contains(strings.ToLower(q.Get("$select")), "signinactivity") {
		s.writeError(w, r, "graph", 403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
			"Neither tenant is B2C or tenant doesn't have premium license", "")
		return
	}
	var candidates []Obj
	if ids, ok, err := idIn(filter); err != "" {
		s.writeError(w, r, "graph", 400, "Request_UnsupportedQuery", err, "")
		return
	} else if ok {
		for _, id := range ids {
			if o, kind, found := s.Tenant.object(id); found && kind == "user" {
				candidates = append(candidates, o)
			}
		}
		filter = ""
	} else {
		candidates = s.Tenant.Users
	}
	match := func(Obj) bool { return true }
	if filter != "" {
		clauses, err := parseFilter(filter)
		if err != "" {
			s.writeError(w, r, "graph", 400, "Request_UnsupportedQuery", err, "")
			return
		}
		match = func(u Obj) bool {
			for _, c := range clauses {
				if c(u) {
					return true
				}
			}
			return false
		}
	}
	if search != "" {
		m, err := parseSearch(search)
		if err != "" {
			s.writeError(w, r, "graph", 400, "Request_UnsupportedQuery", err, "")
			return
		}
		prev := match
		match = func(u Obj) bool { return prev(u) && m(u) }
	}
	var out []Obj
	for _, u := range candidates {
		if match(u) {
			out = append(out, u)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return str(out[i], "id") < str(out[j], "id") })
	var extra Obj
	if q.Get("$count") == "true" {
		extra = Obj{"@odata.count": len(out)}
	}
	s.graphList(w, r, out, extra)
}

var (
	idInRe       = regexp.MustCompile(`(?i)^\s*id\s+in\s*\(([^)]*)\)\s*$`)
	quotedRe     = regexp.MustCompile(`'((?:[^']|'')*)'`)
	startsWithRe = regexp.MustCompile(`(?i)^\s*startswith\(\s*(\w+)\s*,\s*'((?:[^']|'')*)'\s*\)\s*$`)
	eqRe         = regexp.MustCompile(`(?i)^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$`)
	searchTermRe = regexp.MustCompile(`"(\w+):([^"]*)"`)
)

// idIn parses `id in ('a','b')`; more than 15 values is an error, as in
// Graph.
func idIn(filter string) ([]string, bool, string) {
	m := idInRe.FindStringSubmatch(filter)
	if m == nil {
		return nil, false, ""
	}
	var ids []string
	for _, v := range quotedRe.FindAllStringSubmatch(m[1], -1) {
		ids = append(ids, strings.ReplaceAll(v[1], "''", "'"))
	}
	if len(ids) > 15 {
		return nil, false, "The number of values in an 'in' operator is limited to 15."
	}
	return ids, true, ""
}

// parseFilter parses clauses joined by `or`: startswith(prop,'v') or
// prop eq 'v' (case-insensitive, as Graph compares strings).
func parseFilter(filter string) ([]func(Obj) bool, string) {
	var out []func(Obj) bool
	for _, part := range regexp.MustCompile(`(?i)\s+or\s+`).Split(filter, -1) {
		if m := startsWithRe.FindStringSubmatch(part); m != nil {
			prop, val := m[1], strings.ToLower(strings.ReplaceAll(m[2], "''", "'"))
			out = append(out, func(u Obj) bool { return strings.HasPrefix(strings.ToLower(prop2(u, prop)), val) })
			continue
		}
		if m := eqRe.FindStringSubmatch(part); m != nil {
			prop, val := m[1], strings.ToLower(strings.ReplaceAll(m[2], "''", "'"))
			out = append(out, func(u Obj) bool { return strings.ToLower(prop2(u, prop)) == val })
			continue
		}
		return nil, "Unsupported or invalid query filter clause specified for property of resource 'User': " + part
	}
	return out, ""
}

// prop2 reads a string property case-insensitively by name.
func prop2(u Obj, name string) string {
	for k, v := range u {
		if strings.EqualFold(k, name) {
			s, _ := v.(string)
			return s
		}
	}
	return ""
}

// parseSearch parses "prop:value" terms joined by OR (or all AND).
func parseSearch(search string) (func(Obj) bool, string) {
	terms := searchTermRe.FindAllStringSubmatch(search, -1)
	if len(terms) == 0 {
		return nil, "Invalid $search: use \"property:value\" terms"
	}
	all := strings.Contains(search, " AND ")
	return func(u Obj) bool {
		for _, t := range terms {
			hit := searchMatch(prop2(u, t[1]), t[1], t[2])
			if hit && !all {
				return true
			}
			if !hit && all {
				return false
			}
		}
		return all
	}, ""
}

// searchMatch is Graph's $search on one property: displayName and
// description match token prefixes (SearchTokens); every other property is
// a startswith match of the whole value.
func searchMatch(value, prop, term string) bool {
	term = strings.ToLower(term)
	if !strings.EqualFold(prop, "displayName") && !strings.EqualFold(prop, "description") {
		return strings.HasPrefix(strings.ToLower(value), term)
	}
	for _, tok := range SearchTokens(value) {
		if strings.HasPrefix(tok, term) {
			return true
		}
	}
	return false
}

// SearchTokens splits a value as Graph's tokenised $search does: at spaces,
// at symbols (and, in addition, the words separated only by symbols joined
// into one token), at changes from lower to upper case (only that
// direction: "HELLOworld" is one token) and between letters and digits.
// Tokens are lower-case.
func SearchTokens(value string) []string {
	var out []string
	for _, chunk := range strings.Fields(value) {
		var words []string
		var cur []rune
		flush := func() {
			if len(cur) > 0 {
				words = append(words, string(cur))
				cur = nil
			}
		}
		for _, r := range chunk {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				flush()
				continue
			}
			cur = append(cur, r)
		}
		flush()
		for _, w := range words {
			out = append(out, splitWord(w)...)
		}
		if len(words) > 1 {
			out = append(out, strings.ToLower(strings.Join(words, "")))
		}
	}
	return out
}

func splitWord(w string) []string {
	rs := []rune(w)
	var out []string
	start := 0
	for i := 1; i < len(rs); i++ {
		prev, cur := rs[i-1], rs[i]
		if (unicode.IsLower(prev) && unicode.IsUpper(cur)) || unicode.IsDigit(prev) != unicode.IsDigit(cur) {
			out = append(out, strings.ToLower(string(rs[start:i])))
			start = i
		}
	}
	return append(out, strings.ToLower(string(rs[start:])))
}
