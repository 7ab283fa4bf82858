package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/breakglass-dev/breakglass/policies/engine"
)

// unshardedEngine evaluates the built-in rules as one query.
func unshardedEngine(t testing.TB) *engine.Engine {
	t.Helper()
	eng := newEngine(t)
	if err := eng.Unshard(context.Background()); err != nil {
		t.Fatal(err)
	}
	return eng
}

// TestShardsFollowTheLibraries: the drift rules, then the Conditional
// Access rules (with BG-INV-004, which reads lib.ca), then the rest; every
// built-in rule in exactly one shard.
func TestShardsFollowTheLibraries(t *testing.T) {
	eng := newEngine(t)
	shards := eng.Shards()
	if len(shards) != 3 {
		t.Fatalf("want 3 built-in shards, got %d: %v", len(shards), shards)
	}
	if !slices.Equal(shards[0], []string{"BG-DRIFT-001"}) {
		t.Errorf("drift shard: %v", shards[0])
	}
	if !slices.Contains(shards[1], "BG-CA-001") || !slices.Contains(shards[1], "BG-INV-004") || slices.Contains(shards[1], "BG-AUTH-001") {
		t.Errorf("Conditional Access shard: %v", shards[1])
	}
	seen := map[string]int{}
	for _, s := range shards {
		for _, id := range s {
			seen[id]++
		}
	}
	for _, r := range eng.Rules() {
		if seen[r.ID] != 1 {
			t.Errorf("%s is in %d shards", r.ID, seen[r.ID])
		}
	}
}

// TestShardedScanEqualsOneQuery: evaluating the shards concurrently gives
// byte-identical results to one query, on the sample and generated tenants
// with a baseline (every shard has work).
func TestShardedScanEqualsOneQuery(t *testing.T) {
	sharded, single := newEngine(t), unshardedEngine(t)
	sizes := []string{"S", "M"}
	if testing.Short() {
		sizes = sizes[:1]
	}
	for _, size := range sizes {
		g := generate(t, 3, size)
		in := engine.Input{Document: g.snap.Doc, Config: g.cfg, Baseline: g.baseline.Doc, Now: g.snap.CollectedAt}
		a, b := scanJSON(t, sharded, in), scanJSON(t, single, in)
		if !bytes.Equal(a, b) {
			t.Fatalf("%s: sharded and single-query results differ", size)
		}
		if !strings.Contains(string(a), "BG-DRIFT-001") || !strings.Contains(string(a), "BG-CA-002") {
			t.Fatalf("%s: the scan judged too little", size)
		}
	}
}

func scanJSON(t *testing.T, eng *engine.Engine, in engine.Input) []byte {
	t.Helper()
	results, err := eng.Scan(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(results)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
