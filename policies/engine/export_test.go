package engine

import (
	"context"
	"errors"

	"github.com/open-policy-agent/opa/v1/rego"
)

// ScanIsolated scans with every rule and resource kind evaluated on its
// own (the path a run-time error switches to), for tests and benchmarks.
func (e *Engine) ScanIsolated(ctx context.Context, in Input) ([]Result, error) {
	saved := e.groups
	defer func() { e.groups = saved }()
	e.groups = make([]queryGroup, len(saved))
	for i, g := range saved {
		g.query = failingQuery(ctx, e)
		e.groups[i] = g
	}
	results, err := e.Scan(ctx, in)
	if err == nil && len(e.refQueries) == 0 {
		return nil, errors.New("the per-rule path was not taken")
	}
	return results, err
}

// failingQuery is a query that always fails at run time, which sends the
// group onto the per-rule path.
func failingQuery(ctx context.Context, e *Engine) rego.PreparedEvalQuery {
	q, err := rego.New(rego.Compiler(e.compiler), rego.StrictBuiltinErrors(true), rego.Query(`out := to_number("not a number")`)).PrepareForEval(ctx)
	if err != nil {
		panic(err)
	}
	return q
}

// Unshard prepares the built-in rules as one query, as before the shards:
// the evaluation-event tests measure what the Rego costs, not how many
// shards build the same library table.
func (e *Engine) Unshard(ctx context.Context) error {
	e.groups = nil
	return e.prepareGroups(ctx, nil)
}

// Shards returns the rule IDs of each query group, in evaluation order.
func (e *Engine) Shards() [][]string {
	var ids [][]string
	for _, g := range e.groups {
		var group []string
		for _, r := range g.rules {
			group = append(group, r.ID)
		}
		ids = append(ids, group)
	}
	return ids
}
