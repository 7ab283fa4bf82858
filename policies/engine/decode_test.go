package engine

import (
	"reflect"
	"testing"
)

// TestDirectDecodeMatchesRoundTrip: the direct decoding of a group query's
// result gives exactly what the JSON round trip gives, and leaves every
// shape it does not handle to the round trip.
func TestDirectDecodeMatchesRoundTrip(t *testing.T) {
	rules := []*Rule{{ID: "BG-X-001", File: "x.rego"}, {ID: "BG-X-002", File: "y.rego"}, {ID: "BG-X-003", File: "z.rego"}}
	ref := func(kv ...string) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	good := []any{
		map[string]any{"status": "fail", "message": "m", "key": "k", "resource": ref("type", "user", "id", "u1", "name", "n"), "subject": ref("type", "user", "id", "u2")},
		map[string]any{"status": "pass", "message": "é ✓", "resource": ref("type", "tenant", "id", "t")},
	}
	cases := map[string]any{
		"typical": map[string]any{
			"rules":     map[string]any{"BG-X-001": good, "BG-X-002": []any{}},
			"resources": map[string]any{"account": []any{map[string]any{"resource": ref("type", "user", "id", "a")}}, "tenant": []any{}},
		},
		"null rule":            map[string]any{"rules": map[string]any{"BG-X-001": nil}},
		"rule not a list":      map[string]any{"rules": map[string]any{"BG-X-001": "oops"}},
		"item not an object":   map[string]any{"rules": map[string]any{"BG-X-001": []any{"x"}}},
		"number status":        map[string]any{"rules": map[string]any{"BG-X-001": []any{map[string]any{"status": 1.0}}}},
		"upper-case member":    map[string]any{"rules": map[string]any{"BG-X-001": []any{map[string]any{"Status": "fail"}}}},
		"unknown member":       map[string]any{"rules": map[string]any{"BG-X-001": []any{map[string]any{"status": "fail", "extra": true}}}},
		"null resource":        map[string]any{"rules": map[string]any{"BG-X-001": []any{map[string]any{"status": "fail", "resource": nil}}}},
		"resource not object":  map[string]any{"rules": map[string]any{"BG-X-001": []any{map[string]any{"resource": []any{}}}}},
		"invalid utf-8":        map[string]any{"rules": map[string]any{"BG-X-001": []any{map[string]any{"message": "a\xffb"}}}},
		"bad resources kind":   map[string]any{"rules": map[string]any{}, "resources": map[string]any{"account": "x"}},
		"resources not object": map[string]any{"rules": map[string]any{}, "resources": []any{}},
		"upper-case top":       map[string]any{"Rules": map[string]any{"BG-X-001": good}},
		"extra top member":     map[string]any{"rules": map[string]any{"BG-X-001": good}, "more": 1.0},
		"not an object":        []any{},
	}
	for name, binding := range cases {
		direct, roundTrip := newEvaluation(), newEvaluation()
		handled, err := direct.decodeDirect(binding, rules)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		errRT := roundTrip.decodeRoundTrip(binding, rules)
		if !handled {
			if !reflect.DeepEqual(direct, newEvaluation()) {
				t.Errorf("%s: not handled, but the evaluation was changed", name)
			}
			continue
		}
		if errRT != nil {
			t.Errorf("%s: handled directly, but the round trip fails: %v", name, errRT)
		}
		if !reflect.DeepEqual(direct, roundTrip) {
			t.Errorf("%s: direct\n%+v\nround trip\n%+v", name, direct, roundTrip)
		}
	}
}
