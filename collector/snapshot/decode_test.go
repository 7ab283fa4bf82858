package snapshot

import (
	"strings"
	"testing"
)

// The one token pass reports invalid JSON at the offending byte
// (file:line:col), names where in the document it is (JSON pointer) and
// says what to do. The messages replaced encoding/json's (see
// ParseReference); this pins the new ones.
func TestInvalidJSONMessages(t *testing.T) {
	cases := []struct {
		name, data, where string
		want              []string
	}{
		{"object key expected", "{\n  \"schemaVersion\": 1,\n  \"metadata\": {,\n}", "snap.json:3:16:",
			[]string{"invalid JSON: invalid character ','", "at /metadata", "a member name in double quotes should start here", "fix the file or re-collect"}},
		{"trailing comma", `{"a": [1, 2,]}`, "snap.json:1:12:", []string{"invalid JSON: invalid character ','", "at /a", "re-collect"}},
		{"single quotes", `{'a': 1}`, "snap.json:1:2:", []string{"invalid JSON: invalid character '\\''", "member name in double quotes"}},
		{"trailing data", `{"schemaVersion": 1} {}`, "snap.json:1:22:", []string{"invalid JSON: unexpected data after the top-level JSON value", "one JSON object"}},
		{"empty", "  \n", "snap.json:1:1:", []string{"invalid JSON: the file is empty"}},
		{"truncated", `{"schemaVersion": 1, "metadata": {"tenantId": "x"`, "snap.json:1:50:", []string{"invalid JSON: the file ends in the middle of a value (truncated?)", "re-collect"}},
		{"duplicate member", `{"schemaVersion": 1, "schemaVersion": 2}`, "snap.json:1:22:", []string{"duplicate object member name at /schemaVersion", "name each member once"}},
		{"invalid UTF-8", "{\"a\": \"Cont\xffso\"}", "snap.json:1:12:", []string{"invalid UTF-8 at /a", "UTF-8 text"}},
		{"number out of range", `{"a": [1e400]}`, "snap.json:1:8:", []string{"number 1e400 at /a/0 is out of range"}},
		{"bare word", `{"a": nope}`, "snap.json:1:8:", []string{"invalid JSON: invalid character 'o' in literal null", "at /a"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, parse := range []func(string, []byte) (*Loaded, error){
				Parse,
				func(p string, d []byte) (*Loaded, error) { return ParseInto(p, d, nil) },
			} {
				_, err := parse("snap.json", []byte(c.data))
				if err == nil {
					t.Fatal("accepted")
				}
				if _, ok := err.(*InputError); !ok {
					t.Fatalf("%T is not an InputError: %v", err, err)
				}
				if !strings.HasPrefix(err.Error(), c.where) {
					t.Errorf("%q does not start with %q", err, c.where)
				}
				for _, w := range c.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("%q does not say %q", err, w)
					}
				}
			}
		})
	}
}
