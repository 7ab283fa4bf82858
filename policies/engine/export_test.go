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
		e.groups[i] = queryGroup{rules: g.rules, query: failingQuery(ctx, e)}
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
