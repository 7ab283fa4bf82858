package fakeserver

import (
	"slices"
	"testing"
)

// The tokeniser follows the examples of "Use the $search query parameter".
func TestSearchTokens(t *testing.T) {
	for value, want := range map[string][]string{
		"hello world":     {"hello", "world"},
		"HelloWorld":      {"hello", "world"},
		"helloWORLD":      {"hello", "world"},
		"HELLOworld":      {"helloworld"},
		"HelloWORld":      {"hello", "world"},
		"hello.world":     {"hello", "world", "helloworld"},
		"hello123world":   {"hello", "123", "world"},
		"Break Glass 01":  {"break", "glass", "01"},
		"adminbreakglass": {"adminbreakglass"},
	} {
		if got := SearchTokens(value); !slices.Equal(got, want) {
			t.Errorf("SearchTokens(%q) = %v, want %v", value, got, want)
		}
	}
	for _, tc := range []struct {
		value, prop, term string
		want              bool
	}{
		{"Spare BreakGlass", "displayName", "break", true},
		{"ops-breakglass", "displayName", "break", true},
		{"adminbreakglass", "displayName", "break", false},
		{"breakglass01@contoso.com", "userPrincipalName", "break", true},
		{"admin.breakglass@contoso.com", "userPrincipalName", "break", false},
	} {
		if got := searchMatch(tc.value, tc.prop, tc.term); got != tc.want {
			t.Errorf("searchMatch(%q, %s, %q) = %v", tc.value, tc.prop, tc.term, got)
		}
	}
}
