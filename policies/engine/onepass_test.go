package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/config"
	"github.com/breakglass-dev/breakglass/policies/engine"
	"github.com/breakglass-dev/breakglass/testdata/gen/gen"

	"github.com/open-policy-agent/opa/v1/ast"
)

// The one-pass path (engine.ParseSnapshot: one jsontext pass building the
// OPA value, per-data-set validation) against the path it replaced, kept
// as snapshot.ParseReference: encoding/json into a generic tree, token
// check, Normalize, whole-tree validation, ast.InterfaceToValue.

type onePassCase struct {
	name             string
	snap, base, conf []byte // base and conf may be nil
}

func onePassCases(t *testing.T) []onePassCase {
	t.Helper()
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	sample := read(filepath.Join(sampleDir, "snapshot.json"))
	sampleCfg := read(filepath.Join(sampleDir, "breakglass.yaml"))
	cases := []onePassCase{
		{name: "sample", snap: sample, conf: sampleCfg},
		{name: "sample without config", snap: sample},
		{name: "sample upper-case", snap: snapshot.UpperCaseIdentifiers(sample), conf: snapshot.UpperCaseIdentifiers(sampleCfg)},
		{name: "sample with itself as baseline", snap: sample, base: snapshot.UpperCaseIdentifiers(sample), conf: sampleCfg},
	}
	sizes := []string{"S", "M", "L"}
	if testing.Short() {
		sizes = sizes[:2]
	}
	for i, size := range sizes {
		s, err := gen.Lookup(size)
		if err != nil {
			t.Fatal(err)
		}
		snapB, cfgB, baseB, err := gen.Tenant(int64(3+i), s)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases,
			onePassCase{name: "generated " + size, snap: snapB, base: baseB, conf: cfgB},
			onePassCase{name: "generated " + size + " upper-case, no baseline", snap: snapshot.UpperCaseIdentifiers(snapB), conf: snapshot.UpperCaseIdentifiers(cfgB)},
		)
	}
	return cases
}

// inputs returns the input value by the reference path and by the
// one-pass path.
func (c onePassCase) inputs(t *testing.T) (ref, got engine.Input) {
	t.Helper()
	refSnap, err := snapshot.ParseReference("snapshot.json", c.snap)
	if err != nil {
		t.Fatalf("%s: reference: %v", c.name, err)
	}
	loaded, value, err := engine.ParseSnapshot("snapshot.json", c.snap)
	if err != nil {
		t.Fatalf("%s: ParseSnapshot: %v", c.name, err)
	}
	if loaded.Doc != nil {
		t.Errorf("%s: ParseSnapshot keeps the generic tree", c.name)
	}
	if loaded.SHA256 != refSnap.SHA256 || loaded.TenantID != refSnap.TenantID || !loaded.CollectedAt.Equal(refSnap.CollectedAt) {
		t.Errorf("%s: metadata differs: %+v vs %+v", c.name, loaded, refSnap)
	}
	ref = engine.Input{Document: refSnap.Doc, Now: refSnap.CollectedAt}
	got = engine.Input{Snapshot: value, Now: loaded.CollectedAt}
	if c.conf != nil {
		cfg, err := config.Parse("breakglass.yaml", c.conf)
		if err != nil {
			t.Fatal(err)
		}
		ref.Config, got.Config = cfg, cfg
	}
	if c.base != nil {
		refBase, err := snapshot.ParseReference("baseline.json", c.base)
		if err != nil {
			t.Fatal(err)
		}
		_, baseValue, err := engine.ParseSnapshot("baseline.json", c.base)
		if err != nil {
			t.Fatal(err)
		}
		ref.Baseline, got.BaselineSnapshot = refBase.Doc, baseValue
	}
	return ref, got
}

func TestOnePassInputEqualsReference(t *testing.T) {
	eng := newEngine(t)
	for _, c := range onePassCases(t) {
		t.Run(c.name, func(t *testing.T) {
			ref, got := c.inputs(t)
			refValue, err := engine.BuildInput(ref)
			if err != nil {
				t.Fatal(err)
			}
			gotValue, err := engine.BuildInput(got)
			if err != nil {
				t.Fatal(err)
			}
			if refValue.Compare(gotValue) != 0 {
				t.Fatalf("input values differ:\n%s", firstDifference(refValue, gotValue, "input"))
			}
			// The generic tree of snapshot.Parse (the same token pass) is the
			// reference's too.
			parsed, err := snapshot.Parse("snapshot.json", c.snap)
			if err != nil {
				t.Fatal(err)
			}
			parsedValue, err := ast.InterfaceToValue(parsed.Doc)
			if err != nil {
				t.Fatal(err)
			}
			refDoc, _ := ast.InterfaceToValue(ref.Document)
			if refDoc.Compare(parsedValue) != 0 {
				t.Fatalf("snapshot.Parse's Doc differs:\n%s", firstDifference(refDoc, parsedValue, "input"))
			}
			refResults, err := eng.Scan(context.Background(), ref)
			if err != nil {
				t.Fatal(err)
			}
			gotResults, err := eng.Scan(context.Background(), got)
			if err != nil {
				t.Fatal(err)
			}
			a, _ := json.Marshal(refResults)
			b, _ := json.Marshal(gotResults)
			if string(a) != string(b) {
				t.Fatalf("scan results differ (%d vs %d results)", len(refResults), len(gotResults))
			}
			if len(refResults) == 0 {
				t.Fatal("no results: the comparison proves nothing")
			}
		})
	}
}

// firstDifference names the first place two values differ.
func firstDifference(a, b ast.Value, where string) string {
	ao, aok := a.(ast.Object)
	bo, bok := b.(ast.Object)
	if aok && bok {
		for _, k := range ao.Keys() {
			bv := bo.Get(k)
			if bv == nil {
				return fmt.Sprintf("%s: %v missing from the second", where, k)
			}
			if ao.Get(k).Value.Compare(bv.Value) != 0 {
				return firstDifference(ao.Get(k).Value, bv.Value, fmt.Sprintf("%s[%v]", where, k))
			}
		}
		return fmt.Sprintf("%s: the second has more members (%d vs %d)", where, ao.Len(), bo.Len())
	}
	aa, aok := a.(*ast.Array)
	ba, bok := b.(*ast.Array)
	if aok && bok && aa.Len() == ba.Len() {
		for i := 0; i < aa.Len(); i++ {
			if aa.Elem(i).Value.Compare(ba.Elem(i).Value) != 0 {
				return firstDifference(aa.Elem(i).Value, ba.Elem(i).Value, fmt.Sprintf("%s[%d]", where, i))
			}
		}
	}
	return fmt.Sprintf("%s: %.200v vs %.200v", where, a, b)
}
