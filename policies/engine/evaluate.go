package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"runtime/metrics"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// evaluation is what the rules produced: each rule's raw verdicts, the
// enumerated resources, and the rules (and resource kinds) whose evaluation
// failed at run time with the reason.
type evaluation struct {
	rules            map[string][]rawResult
	resources        map[string][]target
	ruleFailures     map[string]string // rule id → why it has no verdicts
	resourceFailures map[string]string // resource kind key → why it cannot be enumerated
}

// ErrInterrupted is returned when the caller cancelled the scan (e.g.
// Ctrl-C): no report is written. A deadline (scan --timeout) is not an
// interruption: the unfinished rules report `error` instead.
var ErrInterrupted = errors.New("scan interrupted")

// evaluate runs every rule: the built-in shards concurrently (each on
// its own CPU, their enumerated resources included), then the custom
// rules. The fast path is one prepared query per group. When it fails at
// run time (a conflict, a type error, an object key conflict in any one
// rule or library function), each rule and resource kind of the group is
// evaluated on its own, so that one broken rule costs only its own
// verdicts. When ctx's deadline passes, the rules not yet evaluated are
// recorded as failed. Extra options (a query tracer) are not safe for
// concurrent queries: with any, the groups run one after another.
func (e *Engine) evaluate(ctx context.Context, opts []rego.EvalOption, concurrent bool) (*evaluation, error) {
	ctx, stop := watchMemory(ctx)
	defer stop()
	parts := make([]*evaluation, len(e.groups))
	errs := make([]error, len(e.groups))
	run := func(i int) {
		parts[i] = newEvaluation()
		errs[i] = e.evaluateGroup(ctx, e.groups[i], opts, parts[i])
	}
	var wg sync.WaitGroup
	for i, g := range e.groups {
		if concurrent && g.builtin {
			wg.Go(func() { run(i) })
			continue
		}
		wg.Wait() // custom rules start when the built-ins are done
		run(i)
	}
	wg.Wait()
	if err := firstError(errs); err != nil {
		return nil, err
	}
	ev := newEvaluation()
	for _, part := range parts {
		ev.merge(part)
	}
	return ev, nil
}

// firstError prefers an interruption to any other error: the caller
// cancelled, so nothing else matters.
func firstError(errs []error) error {
	for _, err := range errs {
		if errors.Is(err, ErrInterrupted) {
			return err
		}
	}
	return firstNonNil(errs)
}

// merge adds another group's evaluation (its rules and kinds are disjoint
// from ev's).
func (ev *evaluation) merge(o *evaluation) {
	maps.Copy(ev.rules, o.rules)
	maps.Copy(ev.resources, o.resources)
	maps.Copy(ev.ruleFailures, o.ruleFailures)
	maps.Copy(ev.resourceFailures, o.resourceFailures)
}

func (e *Engine) evaluateGroup(ctx context.Context, g queryGroup, opts []rego.EvalOption, ev *evaluation) error {
	if ctx.Err() == nil {
		rs, err := g.query.Eval(ctx, opts...)
		if err == nil {
			return ev.decodeGroup(rs, g.rules)
		}
	}
	switch msg, interrupted := stopped(ctx); {
	case interrupted:
		return ErrInterrupted
	case msg != "":
		for _, rule := range g.rules {
			ev.ruleFailures[rule.ID] = msg
		}
		if g.resources {
			for _, kind := range closedKindKeys() {
				ev.resourceFailures[kind] = msg
			}
		}
		return nil
	}
	return e.evaluateEach(ctx, g.rules, g.resources, opts, ev)
}

// decodeGroup splits a group query's single result into rules and
// resources. A rule whose output cannot be decoded fails alone.
func (ev *evaluation) decodeGroup(rs rego.ResultSet, rules []*Rule) error {
	if len(rs) != 1 {
		return fmt.Errorf("evaluate rules: the query produced %d results; a rule package is probably undefined", len(rs))
	}
	if handled, err := ev.decodeDirect(rs[0].Bindings["out"], rules); handled || err != nil {
		return err
	}
	return ev.decodeRoundTrip(rs[0].Bindings["out"], rules)
}

// decodeRoundTrip decodes a group query's result through JSON (see
// decodeDirect for the common case).
func (ev *evaluation) decodeRoundTrip(binding any, rules []*Rule) error {
	var out struct {
		Rules     map[string]json.RawMessage `json:"rules"`
		Resources map[string]json.RawMessage `json:"resources"`
	}
	raw, err := json.Marshal(binding)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return fmt.Errorf("decode rule results: %w", err)
	}
	for _, rule := range rules {
		ev.addRule(rule, out.Rules[rule.ID])
	}
	for kind, msg := range out.Resources {
		ev.addResources(kind, msg)
	}
	return nil
}

func newEvaluation() *evaluation {
	return &evaluation{
		rules: map[string][]rawResult{}, resources: map[string][]target{},
		ruleFailures: map[string]string{}, resourceFailures: map[string]string{},
	}
}

func (ev *evaluation) addRule(rule *Rule, raw json.RawMessage) {
	var results []rawResult
	if err := json.Unmarshal(raw, &results); err != nil {
		ev.ruleFailures[rule.ID] = fmt.Sprintf("the rule's results in %s are malformed (%v): each must be an object {status, resource: {type, id}, message}", rule.File, err)
		return
	}
	ev.rules[rule.ID] = results
}

func (ev *evaluation) addResources(kind string, raw json.RawMessage) {
	var targets []target
	if err := json.Unmarshal(raw, &targets); err != nil {
		ev.resourceFailures[kind] = fmt.Sprintf("data.breakglass.lib.resources.%s is malformed: %v", kind, err)
		return
	}
	ev.resources[kind] = targets
}

// evaluateEach is the isolating slow path: one query per resource kind and
// per rule, within what is left of the deadline.
func (e *Engine) evaluateEach(ctx context.Context, rules []*Rule, withResources bool, opts []rego.EvalOption, ev *evaluation) error {
	if withResources {
		for _, kind := range closedKindKeys() {
			raw, err := e.evalRef(ctx, "data.breakglass.lib.resources."+kind, opts)
			if err != nil {
				if _, interrupted := stopped(ctx); interrupted {
					return ErrInterrupted
				}
				ev.resourceFailures[kind] = describeEvalError(ctx, err)
				continue
			}
			ev.addResources(kind, raw)
		}
	}
	for _, rule := range rules {
		raw, err := e.evalRef(ctx, rule.Package+".results", opts)
		if err != nil {
			if _, interrupted := stopped(ctx); interrupted {
				return ErrInterrupted
			}
			ev.ruleFailures[rule.ID] = describeEvalError(ctx, err)
			continue
		}
		ev.addRule(rule, raw)
	}
	return nil
}

// evalRef evaluates one document (prepared once, on first use) and returns
// it as JSON; an undefined document is an empty list.
func (e *Engine) evalRef(ctx context.Context, ref string, opts []rego.EvalOption) (json.RawMessage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q, err := e.preparedRef(ctx, ref)
	if err != nil {
		return nil, err
	}
	rs, err := q.Eval(ctx, opts...)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return json.RawMessage("[]"), nil
	}
	return json.Marshal(rs[0].Expressions[0].Value)
}

func (e *Engine) preparedRef(ctx context.Context, ref string) (rego.PreparedEvalQuery, error) {
	e.refQueriesMu.Lock()
	defer e.refQueriesMu.Unlock()
	if q, ok := e.refQueries[ref]; ok {
		return q, nil
	}
	q, err := rego.New(rego.Compiler(e.compiler), rego.Query(ref)).PrepareForEval(ctx)
	if err != nil {
		return q, err
	}
	if e.refQueries == nil {
		e.refQueries = map[string]rego.PreparedEvalQuery{}
	}
	e.refQueries[ref] = q
	return q, nil
}

// refQueryCache holds the per-document queries of the slow path.
type refQueryCache struct {
	refQueriesMu sync.Mutex
	refQueries   map[string]rego.PreparedEvalQuery
}

// stopped says why evaluation under ctx stopped: a message for the rules
// that did not finish (time or memory limit), or interrupted when the
// caller cancelled the scan; "" and false while it may go on.
func stopped(ctx context.Context) (msg string, interrupted bool) {
	switch {
	case ctx.Err() == nil:
		return "", false
	case errors.Is(context.Cause(ctx), errMemoryLimit):
		limit, _ := ctx.Value(memoryLimitKey{}).(uint64)
		return fmt.Sprintf("evaluation was stopped when the scan's memory passed its limit (--max-memory %d MiB); raise --max-memory, or remove the --policy rule that builds large values", limit>>20), false
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		msg := "evaluation did not finish within the scan's time limit"
		if d, ok := ctx.Value(timeLimitKey{}).(time.Duration); ok {
			msg += fmt.Sprintf(" (--timeout %s)", d)
		}
		return msg + "; raise --timeout, or remove the slow --policy rule", false
	default:
		return "", true
	}
}

// timeLimitKey carries the configured time limit for messages.
type timeLimitKey struct{}

// WithTimeLimit bounds evaluation: rules still running when it passes
// report `error`. The limit is remembered for the message.
func WithTimeLimit(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithValue(ctx, timeLimitKey{}, d), d)
}

// describeEvalError renders an OPA run-time error as file:line:col, code
// and message.
func describeEvalError(ctx context.Context, err error) string {
	if msg, _ := stopped(ctx); msg != "" {
		return msg
	}
	var te *topdown.Error
	if errors.As(err, &te) {
		where := ""
		if te.Location != nil {
			where = fmt.Sprintf("%s:%d:%d: ", te.Location.File, te.Location.Row, te.Location.Col)
		}
		return fmt.Sprintf("%s%s: %s", where, te.Code, te.Message)
	}
	var errs ast.Errors
	if errors.As(err, &errs) {
		return explainCompileErrors(errs).Error()
	}
	return err.Error()
}

// memoryLimitKey carries the heap limit of WithMemoryLimit.
type memoryLimitKey struct{}

var errMemoryLimit = errors.New("memory limit reached")

// WithMemoryLimit stops evaluation when the Go heap passes limit bytes:
// rules still running then report `error`. OPA has no allocation limit of
// its own, so a rule that builds an enormous value (a cross product of
// large collections) would otherwise exhaust the machine. 0 means none.
func WithMemoryLimit(ctx context.Context, limit uint64) context.Context {
	return context.WithValue(ctx, memoryLimitKey{}, limit)
}

// watchMemory polls the heap during evaluation and cancels ctx with
// errMemoryLimit when it passes the limit. OPA checks for cancellation
// between evaluation steps, so a runaway rule stops within a step.
func watchMemory(ctx context.Context) (context.Context, func()) {
	limit, _ := ctx.Value(memoryLimitKey{}).(uint64)
	if limit == 0 {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				metrics.Read(sample)
				if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > limit {
					cancel(errMemoryLimit)
					return
				}
			}
		}
	}()
	return ctx, func() { close(done); cancel(nil) }
}

// regoKindKey is how data.breakglass.lib.resources names a resource kind
// (enabled-policy-account → enabled_policy_account).
func regoKindKey(kind string) string { return strings.ReplaceAll(kind, "-", "_") }

// closedKindKeys are the enumerable resource kinds as Rego names them.
func closedKindKeys() []string {
	var keys []string
	for kind, k := range ResourceKinds {
		if k.Closed {
			keys = append(keys, regoKindKey(kind))
		}
	}
	sort.Strings(keys)
	return keys
}
