package snapshot

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var samplePath = filepath.Join("..", "..", "testdata", "sample", "snapshot.json")

func TestSampleIsValid(t *testing.T) {
	s, err := Load(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	if s.TenantID == "" || s.CollectedAt.IsZero() || len(s.SHA256) != 64 {
		t.Errorf("metadata not read: %+v", s)
	}
}

func mutate(t *testing.T, f func(doc map[string]any)) []byte {
	t.Helper()
	raw, err := os.ReadFile(samplePath)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	f(doc)
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRejections(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"invalid JSON", []byte("{\n  \"schemaVersion\": 1,\n  \"metadata\": {,\n}"), "snap.json:3:"},
		{"trailing data", []byte(`{"schemaVersion": 1} {}`), "invalid JSON"},
		{"not an object", []byte(`[1]`), "JSON object"},
		{"no version", []byte(`{"metadata": {}}`), "schemaVersion"},
		{"future version", mutate(t, func(d map[string]any) { d["schemaVersion"] = 2 }), "upgrade breakglass"},
		{"bad status", mutate(t, func(d map[string]any) {
			d["dataSets"].(map[string]any)["users"].(map[string]any)["status"] = "partial"
		}), "/dataSets/users/status"},
		{"unknown data set", mutate(t, func(d map[string]any) {
			d["dataSets"].(map[string]any)["mailboxes"] = map[string]any{"status": "ok", "items": []any{}}
		}), "mailboxes"},
		{"item without id", mutate(t, func(d map[string]any) {
			users := d["dataSets"].(map[string]any)["users"].(map[string]any)
			users["items"] = []any{map[string]any{"userPrincipalName": "x@y"}}
		}), "/dataSets/users/items/0"},
		{"bad tenant id", mutate(t, func(d map[string]any) { d["metadata"].(map[string]any)["tenantId"] = "contoso" }), "/metadata/tenantId"},
		{"bad time", mutate(t, func(d map[string]any) { d["metadata"].(map[string]any)["collectedAt"] = "yesterday" }), "/metadata/collectedAt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("snap.json", c.data)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "snap.json:") {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
			// The scanner's path (per-data-set validation) reports the same.
			if _, err2 := ParseInto("snap.json", c.data, nil); err2 == nil || err2.Error() != err.Error() {
				t.Errorf("ParseInto says %v, Parse %v", err2, err)
			}
		})
	}
}

func TestSchemaErrorsPointAtTheLine(t *testing.T) {
	data := mutate(t, func(d map[string]any) {
		d["dataSets"].(map[string]any)["domains"].(map[string]any)["status"] = "partial"
	})
	_, err := Parse("snap.json", data)
	ie, ok := err.(*InputError)
	if !ok {
		t.Fatalf("got %T %v", err, err)
	}
	lines := strings.Split(string(data), "\n")
	if ie.Line < 1 || !strings.Contains(lines[ie.Line-1], `"partial"`) {
		t.Errorf("line %d is %q, not the offending status", ie.Line, lines[ie.Line-1])
	}
}

func TestIDLines(t *testing.T) {
	data, _ := os.ReadFile(samplePath)
	lines := strings.Split(string(data), "\n")
	idx := IDLines(data)
	holds := func(n int, id string) bool {
		return n > 0 && strings.Contains(lines[n-1], `"id": "`+id+`"`)
	}
	for _, id := range []string{"b9a1e001-0000-4000-8000-00000000b002", "c0000001-0000-4000-8000-00000000ca04"} {
		if n := idx.First(id); !holds(n, id) {
			t.Errorf("%s: line %d does not hold its id", id, n)
		}
	}
	// A user id also keys its authenticationMethods entry, which sorts
	// first: the users data set must give the user object's own line.
	user := "b9a1e001-0000-4000-8000-00000000b001"
	inUsers := lineInDataSet(t, data, "users", user)
	inMethods := lineInDataSet(t, data, "authenticationMethods", user)
	if idx.First(user) != inMethods || inMethods >= inUsers {
		t.Fatalf("fixture changed: first %d, authenticationMethods %d, users %d", idx.First(user), inMethods, inUsers)
	}
	if got := idx.Line("users", user); got != inUsers || !holds(got, user) {
		t.Errorf("Line(users, %s) = %d, want %d (the user object)", user, got, inUsers)
	}
	if got := idx.Line("authenticationMethods", user); got != inMethods {
		t.Errorf("Line(authenticationMethods, %s) = %d, want %d", user, got, inMethods)
	}
	// Not in that data set: the first occurrence anywhere.
	if got := idx.Line("groups", user); got != inMethods {
		t.Errorf("Line(groups, %s) = %d, want the fallback %d", user, got, inMethods)
	}
	if got := idx.Line("users", "no-such-id"); got != 0 {
		t.Errorf("unknown id: line %d, want 0", got)
	}
	if n := idx.TenantLine(); n == 0 || !strings.Contains(lines[n-1], `"tenantId": "7c3f8a2e-5b1d-4e6f-9a0b-1c2d3e4f5a6b"`) {
		t.Errorf("TenantLine = %d", n)
	}
	var none *IDIndex
	if none.Line("users", user) != 0 || none.First(user) != 0 || none.TenantLine() != 0 {
		t.Error("a nil index knows lines")
	}
}

// lineInDataSet finds the item with this id in a data set by decoding the
// document, independently of IDLines' streaming walk.
func lineInDataSet(t *testing.T, data []byte, set, id string) int {
	t.Helper()
	var doc struct {
		DataSets map[string]struct {
			Items []map[string]any `json:"items"`
		} `json:"dataSets"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for n, item := range doc.DataSets[set].Items {
		if item["id"] == id {
			return LineOf(data, "/dataSets/"+set+"/items/"+strconv.Itoa(n)+"/id")
		}
	}
	t.Fatalf("%s has no item %s", set, id)
	return 0
}

func TestWriteFileIsAtomicAndRoundTrips(t *testing.T) {
	dir := t.TempDir()
	doc := &Document{
		SchemaVersion: SchemaVersion,
		Metadata: Metadata{TenantID: "7c3f8a2e-5b1d-4e6f-9a0b-1c2d3e4f5a6b", CollectedAt: time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC),
			Tool: Tool{Name: "breakglass", Version: "test"}},
		DataSets: map[string]*DataSet{Users: OK(nil), Domains: Failed(StatusForbidden, "403: Domain.Read.All missing")},
	}
	data, err := doc.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "snap.json")
	if err := WriteFile(path, data); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	if _, err := Load(path); err != nil {
		t.Fatalf("written snapshot does not validate: %v", err)
	}
	again, _ := doc.Marshal()
	if string(again) != string(data) {
		t.Error("Marshal is not deterministic")
	}
	if err := WriteFile(filepath.Join(dir, "missing", "snap.json"), data); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

func TestDateTimesTheRulesCannotReadAreRejected(t *testing.T) {
	for _, ts := range []string{"2026-10-02t14:05:11z", "0001-01-01T00:00:00Z", "2026-10-02T14:05:60Z"} {
		data := mutate(t, func(d map[string]any) {
			item := d["dataSets"].(map[string]any)["signIns"].(map[string]any)["items"].([]any)[0].(map[string]any)
			item["createdDateTime"] = ts
		})
		if _, err := Parse("snap.json", data); err == nil || !strings.Contains(err.Error(), "/dataSets/signIns/items/0/createdDateTime") {
			t.Errorf("%s: got %v", ts, err)
		}
	}
}

func TestConflictingDuplicateIDsAreRejected(t *testing.T) {
	data := mutate(t, func(d map[string]any) {
		users := d["dataSets"].(map[string]any)["users"].(map[string]any)
		items := users["items"].([]any)
		dup := map[string]any{}
		for k, v := range items[0].(map[string]any) {
			dup[k] = v
		}
		dup["accountEnabled"] = false
		users["items"] = append(items, dup)
	})
	err := func() error { _, err := Parse("snap.json", data); return err }()
	if err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("got %v", err)
	}
	if _, err2 := ParseInto("snap.json", data, nil); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("ParseInto says %v, Parse %v", err2, err)
	}
	// Two data sets with a conflict each: the first in name order is
	// reported, whichever comes first in the file.
	two := mutate(t, func(d map[string]any) {
		for _, name := range []string{"users", "groups"} {
			set := d["dataSets"].(map[string]any)[name].(map[string]any)
			items := set["items"].([]any)
			dup := map[string]any{}
			for k, v := range items[0].(map[string]any) {
				dup[k] = v
			}
			dup["displayName"] = "other"
			set["items"] = append(items, dup)
		}
	})
	_, err = Parse("snap.json", two)
	if err == nil || !strings.Contains(err.Error(), "dataSets.groups lists id") {
		t.Fatalf("got %v", err)
	}
	if _, err2 := ParseInto("snap.json", two, nil); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("ParseInto says %v, Parse %v", err2, err)
	}
	same := mutate(t, func(d map[string]any) {
		users := d["dataSets"].(map[string]any)["users"].(map[string]any)
		items := users["items"].([]any)
		users["items"] = append(items, items[0])
	})
	if _, err := Parse("snap.json", same); err != nil {
		t.Fatalf("an identical repeat should load: %v", err)
	}
	if _, err := ParseInto("snap.json", same, nil); err != nil {
		t.Fatalf("ParseInto: an identical repeat should load: %v", err)
	}
}
