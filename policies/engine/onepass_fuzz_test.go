package engine_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/policies/engine"

	"github.com/open-policy-agent/opa/v1/ast"
)

// FuzzParseSnapshot: the OPA value engine.ParseSnapshot builds in the
// snapshot's token pass is the value the replaced path made
// (snapshot.ParseReference, then ast.InterfaceToValue), and both accept
// and reject the same bytes. Seeds: testdata/fuzz/FuzzParseSnapshot and
// the sample snapshot (snapshot.FuzzParse covers the parse itself).
func FuzzParseSnapshot(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join(sampleDir, "snapshot.json")); err == nil {
		f.Add(data)
		f.Add(snapshot.UpperCaseIdentifiers(data))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want ast.Value
		ref, refErr := snapshot.ParseReference("fuzz.json", data)
		if refErr == nil {
			want, refErr = ast.InterfaceToValue(ref.Doc)
		}
		_, got, err := engine.ParseSnapshot("fuzz.json", data)
		if (refErr == nil) != (err == nil) {
			t.Fatalf("accept/reject differs: reference %v, ParseSnapshot %v", refErr, err)
		}
		if err != nil {
			return
		}
		if want.Compare(got) != 0 {
			t.Fatalf("values differ:\n%s", firstDifference(want, got, "input"))
		}
	})
}
