package engine

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/breakglass-dev/breakglass/mappings"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/cover"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestOptions configure RunTests (`breakglass policy test`).
type TestOptions struct {
	// Run is a regular expression selecting tests by name, like `opa test
	// --run`; empty runs every test.
	Run string
	// Trace records an evaluation trace for each test (verbose output).
	Trace bool
	// Coverage computes line coverage of the non-test files under test.
	Coverage bool
	// Timeout bounds each test; zero means DefaultTestTimeout.
	Timeout time.Duration
	// Mappings checks custom rules' controls; nil loads the built-in ones.
	Mappings *mappings.Set
}

// DefaultTestTimeout bounds one Rego test.
const DefaultTestTimeout = 30 * time.Second

// TestReport is the outcome of RunTests.
type TestReport struct {
	// Results holds one entry per test rule, sorted by file, line and name.
	Results []*tester.Result
	// Coverage is set when TestOptions.Coverage is.
	Coverage *Coverage
	// Warnings are Engine.Warnings of the rules under test (placeholder
	// METADATA left by policy new); they do not fail the run.
	Warnings []string
}

// Coverage summarises line coverage of the policy files under test (test
// files excluded), computed by OPA's cover package as `opa test --coverage`
// does.
type Coverage struct {
	Files           map[string]*cover.FileReport `json:"files"`
	CoveredLines    int                          `json:"covered_lines"`
	NotCoveredLines int                          `json:"not_covered_lines"`
	// Percent is covered / (covered + not covered) × 100; 0 with no lines.
	Percent float64 `json:"coverage"`
}

// Counts tallies results the way `opa test` does: pass, fail, error, skip.
func (r *TestReport) Counts() (pass, fail, errored, skip int) {
	for _, t := range r.Results {
		switch {
		case t.Skip:
			skip++
		case t.Error != nil:
			errored++
		case t.Fail:
			fail++
		default:
			pass++
		}
	}
	return pass, fail, errored, skip
}

// Failed is true when any test failed or errored.
func (r *TestReport) Failed() bool {
	_, fail, errored, _ := r.Counts()
	return fail+errored > 0
}

// RunTests runs the `test_` rules of every .rego file under dirs on the
// production compiler path: the embedded helper library and built-in rules
// are loaded beside them, the sandbox capabilities and strict mode apply,
// and custom rules' METADATA is checked exactly as `scan --policy` checks it.
//
// With dirs empty it runs the built-in tests (policies/**/*_test.rego);
// otherwise only the tests found under dirs run. A load, compile or METADATA
// error is returned as a *PolicyError.
func RunTests(ctx context.Context, dirs []string, opts TestOptions) (*TestReport, error) {
	modules, builtin, _, err := loadModules(dirs, true, "policy test")
	if err != nil {
		return nil, err
	}
	if len(dirs) > 0 {
		for name := range modules {
			if builtin[name] && strings.HasSuffix(name, "_test.rego") {
				delete(modules, name) // the library is on the path; its tests are not run
			}
		}
	}
	catalogue := opts.Mappings
	if catalogue == nil {
		if catalogue, err = mappings.LoadBuiltin(); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTestTimeout
	}
	// One compile: the tester's, on the production compiler (sandbox
	// capabilities, strict mode) plus its test-rewriting stages; the
	// METADATA checks of scan --policy then read the same compiler.
	compiler := NewCompiler()
	runner := tester.NewRunner().
		SetCompiler(compiler).
		SetModules(modules).
		SetTimeout(timeout).
		EnableTracing(opts.Trace).
		CapturePrintOutput(true).
		Filter(opts.Run)
	var cov *cover.Cover
	if opts.Coverage {
		cov = cover.New()
		runner.SetCoverageQueryTracer(cov)
	}
	ch, err := runner.RunTests(ctx, nil)
	if err != nil {
		if errs, ok := err.(ast.Errors); ok {
			return nil, &PolicyError{explainCompileErrors(errs)} // file:line:col, as scan --policy says it
		}
		return nil, &PolicyError{fmt.Errorf("compile tests: %w", err)}
	}
	eng, err := newCatalogue(compiler, ruleModules(modules), builtin, catalogue)
	if err != nil {
		cancel()
		for range ch { // let the tests stop
		}
		return nil, err
	}
	rep := &TestReport{Warnings: eng.Warnings()}
	for r := range ch {
		rep.Results = append(rep.Results, r)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(rep.Results, func(a, b *tester.Result) int {
		if c := strings.Compare(a.Location.File, b.Location.File); c != 0 {
			return c
		}
		if a.Location.Row != b.Location.Row {
			return a.Location.Row - b.Location.Row
		}
		return strings.Compare(a.Name, b.Name)
	})
	if cov != nil {
		rep.Coverage = coverageOf(cov.Report(modules), func(file string) bool {
			return !strings.HasSuffix(file, "_test.rego") && builtin[file] == (len(dirs) == 0)
		})
	}
	return rep, nil
}

// coverageOf keeps the files that keep() selects and recomputes the total.
func coverageOf(report cover.Report, keep func(string) bool) *Coverage {
	c := &Coverage{Files: map[string]*cover.FileReport{}}
	for _, name := range slices.Sorted(maps.Keys(report.Files)) {
		if !keep(name) {
			continue
		}
		f := report.Files[name]
		c.Files[name] = f
		c.CoveredLines += f.CoveredLines
		c.NotCoveredLines += f.NotCoveredLines
	}
	if total := c.CoveredLines + c.NotCoveredLines; total > 0 {
		c.Percent = 100 * float64(c.CoveredLines) / float64(total)
	}
	return c
}

// ruleModules is modules without the test files.
func ruleModules(modules map[string]*ast.Module) map[string]*ast.Module {
	out := make(map[string]*ast.Module, len(modules))
	for name, m := range modules {
		if !strings.HasSuffix(name, "_test.rego") {
			out[name] = m
		}
	}
	return out
}
