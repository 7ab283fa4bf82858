package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/breakglass-dev/breakglass/collector/snapshot"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// Input is what one scan evaluates.
type Input struct {
	// Snapshot is the snapshot as the OPA value (ParseSnapshot). When it
	// is nil, Document is converted instead.
	Snapshot ast.Object
	// Document is the snapshot as generic JSON (numbers as json.Number),
	// as snapshot.Parse returns it; for tests that edit a snapshot.
	Document map[string]any
	// Config is the breakglass.yaml declaration (any JSON-marshalable
	// value); nil keeps the config recorded in the snapshot.
	Config any
	// BaselineSnapshot is an older snapshot (ParseSnapshot) for drift
	// rules; Baseline is the same as generic JSON. Both may be nil.
	BaselineSnapshot ast.Object
	Baseline         map[string]any
	// Now pins time.now_ns for time-based rules.
	Now time.Time
}

// BuildInput assembles the Rego input document: the snapshot's members,
// `config` (the declaration given, else the snapshot's, else {}) and
// `baseline`. The snapshot is converted once: from Snapshot, only the
// top-level members are copied; a Document is converted whole.
func BuildInput(in Input) (ast.Value, error) {
	if in.Snapshot == nil {
		return buildFromDocument(in)
	}
	var pairs [][2]*ast.Term
	config, baseline := -1, -1
	in.Snapshot.Foreach(func(k, v *ast.Term) {
		switch k.Value {
		case ast.String("config"):
			config = len(pairs)
		case ast.String("baseline"):
			baseline = len(pairs)
		}
		pairs = append(pairs, [2]*ast.Term{k, v})
	})
	put := func(at *int, key string, v ast.Value) {
		if *at < 0 {
			*at = len(pairs)
			pairs = append(pairs, [2]*ast.Term{ast.StringTerm(key), nil})
		}
		pairs[*at][1] = ast.NewTerm(v)
	}
	if in.Config != nil {
		cfg, err := configValue(in.Config)
		if err != nil {
			return nil, err
		}
		put(&config, "config", cfg)
	}
	if config < 0 {
		put(&config, "config", ast.NewObject())
	}
	switch {
	case in.BaselineSnapshot != nil:
		put(&baseline, "baseline", in.BaselineSnapshot)
	case in.Baseline != nil:
		v, err := ast.InterfaceToValue(in.Baseline)
		if err != nil {
			return nil, err
		}
		put(&baseline, "baseline", v)
	}
	return ast.NewObject(pairs...), nil
}

// configValue is the declaration as an OPA value. The declaration names
// accounts, groups and policies in whatever case the user typed; the
// rules compare them with the snapshot's lower-case identifiers.
func configValue(c any) (ast.Value, error) {
	cfg, err := toGeneric(c)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return ast.InterfaceToValue(snapshot.Normalize(cfg))
}

// buildFromDocument is BuildInput of a generic Document: converted whole,
// then assembled like a parsed snapshot.
func buildFromDocument(in Input) (ast.Value, error) {
	value, err := ast.InterfaceToValue(in.Document)
	if err != nil {
		return nil, err
	}
	obj, ok := value.(ast.Object)
	if !ok {
		obj = ast.NewObject() // a nil Document
	}
	in.Snapshot = obj
	return BuildInput(in)
}

func toGeneric(v any) (any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	return out, json.Unmarshal(raw, &out)
}

type rawResult struct {
	Status   string         `json:"status"`
	Message  string         `json:"message"`
	Resource *Ref           `json:"resource"`
	Subject  *Ref           `json:"subject"`
	Key      string         `json:"key"`
	Extra    map[string]any `json:"-"`
}

type target struct {
	Resource *Ref `json:"resource"`
	Subject  *Ref `json:"subject"`
}

// Scan evaluates every rule against one input and returns sorted results.
func (e *Engine) Scan(ctx context.Context, in Input) ([]Result, error) {
	value, err := BuildInput(in)
	if err != nil {
		return nil, err
	}
	return e.ScanValue(ctx, value, in.Now)
}

// ScanValue evaluates a prepared input value (see BuildInput). Extra
// options (a query tracer, metrics) are for tests and benchmarks. A rule
// that fails at run time, or is still running when ctx's deadline passes,
// reports `error` for everything it would have judged; the other rules
// report normally. Only a cancelled ctx (ErrInterrupted) or a broken
// engine aborts the scan.
func (e *Engine) ScanValue(ctx context.Context, input ast.Value, now time.Time, extra ...rego.EvalOption) ([]Result, error) {
	opts := append([]rego.EvalOption{rego.EvalParsedInput(input), rego.EvalTime(now)}, extra...)
	ev, err := e.evaluate(ctx, opts, len(extra) == 0)
	if err != nil {
		return nil, err
	}
	obj, _ := input.(ast.Object)
	tenantID := tenantOf(obj)
	cov := accountCoverageOf(obj)
	var results []Result
	for _, rule := range e.rules {
		results = append(results, e.uncovered(rule, e.judge(rule, ev, obj, tenantID), ev, cov, tenantID)...)
	}
	sortResults(results)
	return results, nil
}

// judge produces one rule's results: its own verdicts when its data is
// complete and it evaluated, else `error` per resource it would have judged.
func (e *Engine) judge(rule *Rule, ev *evaluation, input ast.Object, tenantID string) []Result {
	tenant := Ref{Type: "tenant", ID: tenantID}
	if missing := missingData(input, rule.Requires); len(missing) > 0 {
		msg := "missing data: " + strings.Join(missing, "; ") + "; " + missingDataAdvice(input, rule.Requires)
		return e.fanOut(rule, ev, input, tenant, msg)
	}
	if why, failed := ev.ruleFailures[rule.ID]; failed {
		return e.fanOut(rule, ev, input, tenant, e.failureMessage(rule, why))
	}
	var results []Result
	for i, raw := range ev.rules[rule.ID] {
		r, err := e.toResult(rule, raw, tenantID)
		if err != nil {
			why := fmt.Sprintf("%s: result %d is malformed: %v", rule.File, i, err)
			return e.fanOut(rule, ev, input, tenant, e.failureMessage(rule, why))
		}
		results = append(results, r)
	}
	return append(results, e.unjudged(rule, ev, input, results, tenantID)...)
}

// failureMessage says that a rule failed at run time, where, and what to do.
func (e *Engine) failureMessage(rule *Rule, why string) string {
	advice := "this is a bug in breakglass's built-in rule: please report it with this message; the other rules are unaffected"
	if !rule.Builtin {
		advice = "fix the custom rule (reproduce it with `breakglass policy test` or `scan --dump-input` + opa eval); the other rules are unaffected"
	}
	return fmt.Sprintf("rule evaluation failed: rule %s: %s; its verdicts are unknown: %s", rule.ID, why, advice)
}

// fanOut reports one `error` per resource the rule would have judged, or
// one tenant-level error when those resources cannot be enumerated.
func (e *Engine) fanOut(rule *Rule, ev *evaluation, input ast.Object, tenant Ref, msg string) []Result {
	targets, enumerable := e.targets(rule, ev, input)
	if enumerable && len(targets) == 0 {
		// Nothing to judge (e.g. no subscriptions configured, so the ARM
		// data sets were skipped): missing data cannot hide a finding.
		return []Result{e.newResult(rule, StatusNotApplicable, tenant, nil, "",
			fmt.Sprintf("nothing to judge: no %s in scope (%s)", strings.ReplaceAll(rule.Resource, "-", " "), msg), tenant.ID)}
	}
	if !enumerable {
		targets = []target{{Resource: &tenant}}
	}
	results := make([]Result, 0, len(targets))
	for _, t := range targets {
		results = append(results, e.newResult(rule, StatusError, *t.Resource, t.Subject, "", msg, tenant.ID))
	}
	return results
}

// targets returns the resources a rule of a closed kind must judge, and
// whether they could be enumerated at all.
func (e *Engine) targets(rule *Rule, ev *evaluation, input ast.Object) ([]target, bool) {
	kind := ResourceKinds[rule.Resource]
	key := regoKindKey(rule.Resource)
	if _, failed := ev.resourceFailures[key]; failed || !kind.Closed || len(missingData(input, kind.Needs)) > 0 {
		return nil, false
	}
	return ev.resources[key], true
}

// unjudged returns an `error` for every enumerated resource of a closed
// kind that the rule did not judge: a rule bug must not look like a pass.
// When the resources themselves could not be enumerated (a run-time error
// in the enumeration), one tenant-level error says the verdicts may be
// incomplete.
func (e *Engine) unjudged(rule *Rule, ev *evaluation, input ast.Object, got []Result, tenantID string) []Result {
	if why, failed := ev.resourceFailures[regoKindKey(rule.Resource)]; failed {
		msg := fmt.Sprintf("the %s resources could not be enumerated (%s), so it is unknown whether rule %s judged all of them; treat its verdicts as incomplete",
			strings.ReplaceAll(rule.Resource, "-", " "), why, rule.ID)
		return []Result{e.newResult(rule, StatusError, Ref{Type: "tenant", ID: tenantID}, nil, "enumeration", msg, tenantID)}
	}
	targets, enumerable := e.targets(rule, ev, input)
	if !enumerable {
		return nil
	}
	seen := map[string]bool{}
	for _, r := range got {
		seen[targetKey(&r.Resource, r.Subject)] = true
	}
	var results []Result
	for _, t := range targets {
		if seen[targetKey(t.Resource, t.Subject)] {
			continue
		}
		seen[targetKey(t.Resource, t.Subject)] = true
		results = append(results, e.newResult(rule, StatusError, *t.Resource, t.Subject, "",
			"the rule produced no verdict for this resource (a gap in the rule's logic or unexpected data); treat it as unverified", tenantID))
	}
	return results
}

func targetKey(res *Ref, subj *Ref) string {
	k := res.Type + "\x00" + strings.ToLower(res.ID)
	if subj != nil {
		k += "\x00" + subj.Type + "\x00" + strings.ToLower(subj.ID)
	}
	return k
}

var validStatus = map[string]bool{StatusPass: true, StatusFail: true, StatusError: true, StatusManual: true, StatusNotApplicable: true}

func (e *Engine) toResult(rule *Rule, raw rawResult, tenantID string) (Result, error) {
	switch {
	case !validStatus[raw.Status]:
		return Result{}, fmt.Errorf("status %q is not one of pass, fail, error, manual, not_applicable", raw.Status)
	case raw.Resource == nil || raw.Resource.Type == "" || raw.Resource.ID == "":
		return Result{}, fmt.Errorf("a result needs resource {type, id}")
	case strings.TrimSpace(raw.Message) == "":
		return Result{}, fmt.Errorf("a result needs a message")
	case raw.Subject != nil && (raw.Subject.Type == "" || raw.Subject.ID == ""):
		return Result{}, fmt.Errorf("subject needs {type, id}")
	}
	return e.newResult(rule, raw.Status, *raw.Resource, raw.Subject, raw.Key, raw.Message, tenantID), nil
}

func (e *Engine) newResult(rule *Rule, status string, res Ref, subj *Ref, key, msg, tenantID string) Result {
	r := Result{
		RuleID: rule.ID, Status: status, Severity: rule.Severity, Resource: res, Subject: subj,
		Message: msg, Controls: rule.Controls, Key: key,
	}
	r.Fingerprint = fingerprint(tenantID, &r)
	return r
}

// missingDataAdvice says what to do about the worst missing status.
func missingDataAdvice(input ast.Object, names []string) string {
	seen := map[string]bool{}
	for _, name := range names {
		st, _ := dataSetStatus(input, name)
		seen[st] = true
	}
	switch {
	case seen["forbidden"]:
		return "grant the permission named above (docs/collector.md lists them per data set) and re-run `breakglass collect`"
	case seen["missing"]:
		return "this snapshot does not contain the data set: collect it with this version of breakglass"
	case seen["throttled"]:
		return "Microsoft throttled the collection: re-run `breakglass collect` later or with a lower --concurrency"
	case seen["unlicensed"]:
		return "the tenant lacks the licence named above (e.g. Entra ID P1 for sign-in data): license it, or record this check as not verifiable"
	case seen["skipped"]:
		return "the collector skipped the data set for the reason above: configure what it names and re-run `breakglass collect`"
	default:
		return "re-run `breakglass collect`; the message above says what failed"
	}
}

// missingData lists the required data sets whose status is not ok, with
// the collector's message.
func missingData(input ast.Object, names []string) []string {
	var missing []string
	for _, name := range names {
		status, message := dataSetStatus(input, name)
		if status == "ok" {
			continue
		}
		text := fmt.Sprintf("%s is %s", name, status)
		if message != "" {
			text += " (" + message + ")"
		}
		missing = append(missing, text)
	}
	return missing
}

// hasKey reports whether obj has key.
func hasKey(obj ast.Object, key string) bool {
	return obj != nil && obj.Get(ast.StringTerm(key)) != nil
}

// valueOf returns obj[key], or nil.
func valueOf(obj ast.Object, key string) ast.Value {
	if t := obj.Get(ast.StringTerm(key)); t != nil {
		return t.Value
	}
	return nil
}

// dataSetObject returns input.dataSets[name], or nil.
func dataSetObject(input ast.Object, name string) ast.Object {
	if input == nil {
		return nil
	}
	ds := input.Get(ast.StringTerm("dataSets"))
	if ds == nil {
		return nil
	}
	obj, ok := ds.Value.(ast.Object)
	if !ok {
		return nil
	}
	set := obj.Get(ast.StringTerm(name))
	if set == nil {
		return nil
	}
	so, _ := set.Value.(ast.Object)
	return so
}

func dataSetStatus(input ast.Object, name string) (status, message string) {
	so := dataSetObject(input, name)
	if so == nil {
		return "missing", "not in the snapshot"
	}
	status = "missing"
	if s, ok := so.Get(ast.StringTerm("status")).Value.(ast.String); ok {
		status = string(s)
	}
	if m := so.Get(ast.StringTerm("message")); m != nil {
		if s, ok := m.Value.(ast.String); ok {
			message = string(s)
		}
	}
	return status, message
}

func tenantOf(input ast.Object) string {
	if input == nil {
		return ""
	}
	meta := input.Get(ast.StringTerm("metadata"))
	if meta == nil {
		return ""
	}
	if obj, ok := meta.Value.(ast.Object); ok {
		if t := obj.Get(ast.StringTerm("tenantId")); t != nil {
			if s, ok := t.Value.(ast.String); ok {
				return string(s)
			}
		}
	}
	return ""
}

// perUserDataSets are collected account by account. Such a data set can be
// `ok` and still lack an account (declared after the snapshot was taken, or
// a candidate beyond the cap): a rule cannot judge that account from it.
var perUserDataSets = []string{
	snapshot.AuthenticationMethods, snapshot.TransitiveMemberOf, snapshot.ApplicationOwnership, snapshot.SignIns,
}

// accountCoverage records, per per-user data set, the user ids it was collected
// for (its items' ids and its `subjects`), plus the users that exist.
type accountCoverage struct {
	users map[string]bool
	sets  map[string]map[string]bool // nil entry: coverage unknown
}

func accountCoverageOf(input ast.Object) accountCoverage {
	c := accountCoverage{users: idsOf(input, snapshot.Users, false), sets: map[string]map[string]bool{}}
	for _, name := range perUserDataSets {
		// Sign-in items are events, not users: only `subjects` tells whom
		// they were collected for. A snapshot without it (written before
		// subjects existed) leaves sign-in coverage unknown, not failed.
		if name == snapshot.SignIns && !hasKey(dataSetObject(input, name), "subjects") {
			continue
		}
		c.sets[name] = idsOf(input, name, name == snapshot.SignIns)
	}
	return c
}

// idsOf collects the lower-cased item ids (unless subjectsOnly) and
// `subjects` of a data set.
func idsOf(input ast.Object, name string, subjectsOnly bool) map[string]bool {
	ids := map[string]bool{}
	set := dataSetObject(input, name)
	if set == nil {
		return ids
	}
	if subjects, ok := valueOf(set, "subjects").(*ast.Array); ok {
		subjects.Foreach(func(t *ast.Term) {
			if s, ok := t.Value.(ast.String); ok {
				ids[strings.ToLower(string(s))] = true
			}
		})
	}
	if items, ok := valueOf(set, "items").(*ast.Array); ok && !subjectsOnly {
		items.Foreach(func(t *ast.Term) {
			if obj, ok := t.Value.(ast.Object); ok {
				if id := obj.Get(ast.StringTerm("id")); id != nil {
					if s, ok := id.Value.(ast.String); ok {
						ids[strings.ToLower(string(s))] = true
					}
				}
			}
		})
	}
	return ids
}

// uncovered turns a verdict on an existing account into `error` when a
// per-user data set the rule needs was not collected for that account; a
// tenant-level fail becomes `error` when any declared account is missing
// from such a data set.
func (e *Engine) uncovered(rule *Rule, results []Result, ev *evaluation, cov accountCoverage, tenantID string) []Result {
	var needed []string
	for _, ds := range rule.Requires {
		if slices.Contains(perUserDataSets, ds) {
			needed = append(needed, ds)
		}
	}
	if len(needed) == 0 {
		return results
	}
	gap := func(uid string) string {
		uid = strings.ToLower(uid)
		if !cov.users[uid] {
			return "" // no such user: the rule reports that itself
		}
		var missing []string
		for _, ds := range needed {
			if ids, known := cov.sets[ds]; known && !ids[uid] {
				missing = append(missing, ds)
			}
		}
		if len(missing) == 0 {
			return ""
		}
		return fmt.Sprintf("%s was not collected for account %s (declared after the snapshot was taken?); re-run `breakglass collect` with this configuration", strings.Join(missing, ", "), uid)
	}
	out2 := make([]Result, 0, len(results))
	for _, r := range results {
		uid := ""
		switch {
		case r.Resource.Type == "user":
			uid = r.Resource.ID
		case r.Subject != nil && r.Subject.Type == "user":
			uid = r.Subject.ID
		case r.Resource.Type == "tenant" && r.Status == StatusFail:
			// A tenant-level fail may rest on an account whose data is
			// missing (e.g. "nobody is ready" when its group roles are
			// unknown); a pass must be proven by the rule itself from
			// covered accounts (BG-CA-001 does so).
			for _, t := range ev.resources["account"] {
				if msg := gap(t.Resource.ID); msg != "" {
					uid = t.Resource.ID
					break
				}
			}
		}
		// Errors (missing data sets) keep their own message; not_applicable
		// (no such account, waived policy) needs no data.
		if msg := gap(uid); uid != "" && msg != "" && r.Status != StatusNotApplicable && r.Status != StatusError {
			r = e.newResult(rule, StatusError, r.Resource, r.Subject, r.Key, msg, tenantID)
		}
		out2 = append(out2, r)
	}
	return out2
}
