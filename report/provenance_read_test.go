package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/policies/engine"
	"github.com/breakglass-dev/breakglass/testdata/gen/gen"
)

// referenceProvenance is NewProvenance as it was: a full encoding/json
// decode of the snapshot.
func referenceProvenance(t *testing.T, data []byte) *Provenance {
	t.Helper()
	var doc struct {
		Metadata snapshot.Metadata `json:"metadata"`
		DataSets map[string]struct {
			Status  string            `json:"status"`
			Message string            `json:"message"`
			Items   []json.RawMessage `json:"items"`
		} `json:"dataSets"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	m := doc.Metadata
	p := &Provenance{
		OPAVersion: "v", RuleBundle: RuleBundle{SHA256: "s", Files: []engine.FileDigest{}},
		Collection: Collection{Tool: m.Tool, CollectedBy: m.CollectedBy, CollectedAt: m.CollectedAt.UTC(), Endpoints: m.Endpoints},
		DataSets:   []DataSet{},
	}
	if m.Collection != nil {
		d := m.Collection.DurationMS
		p.Collection.DurationMS = &d
	}
	for name, ds := range doc.DataSets {
		entry := DataSet{Name: name, Status: ds.Status, Message: ds.Message, Items: len(ds.Items)}
		if m.Collection != nil {
			n := m.Collection.Requests[name]
			entry.Requests = &n
		}
		p.DataSets = append(p.DataSets, entry)
	}
	sort.Slice(p.DataSets, func(i, j int) bool { return p.DataSets[i].Name < p.DataSets[j].Name })
	return p
}

// The token walk of NewProvenance records what the full decode recorded.
func TestProvenanceMatchesFullDecode(t *testing.T) {
	sample, err := os.ReadFile(filepath.Join("..", "testdata", "sample", "snapshot.json"))
	if err != nil {
		t.Fatal(err)
	}
	inputs := map[string][]byte{"sample": sample, "sample upper-case": snapshot.UpperCaseIdentifiers(sample)}
	for _, size := range []string{"S", "M"} {
		s, err := gen.Lookup(size)
		if err != nil {
			t.Fatal(err)
		}
		snap, _, base, err := gen.Tenant(11, s)
		if err != nil {
			t.Fatal(err)
		}
		inputs["generated "+size] = snap
		inputs["generated "+size+" baseline"] = base
	}
	for name, data := range inputs {
		if _, err := snapshot.Parse("s.json", data); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := NewProvenance(data, "v", "s", nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := referenceProvenance(t, data)
		if len(want.DataSets) == 0 {
			t.Fatalf("%s: no data sets: the comparison proves nothing", name)
		}
		if !reflect.DeepEqual(got, want) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			t.Errorf("%s: provenance differs:\n got %s\nwant %s", name, g, w)
		}
	}
}
