// Package engine compiles the built-in and custom Rego rules once, prepares
// one query for all of them, and turns their verdicts into Results. It is
// fail-closed: missing data, a malformed result or a resource a rule did not
// judge all become `error`, never `pass`.
package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/breakglass-dev/breakglass/mappings"
	"github.com/breakglass-dev/breakglass/policies"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// Options configure an Engine.
type Options struct {
	// Mappings supplies control IDs; nil loads the built-in mappings.
	Mappings *mappings.Set
	// PolicyDirs are directories of custom .rego rules (--policy).
	PolicyDirs []string
}

// Engine holds the compiled rules and the prepared query.
type Engine struct {
	rules    []*Rule
	byID     map[string]*Rule
	compiler *ast.Compiler
	modules  map[string]*ast.Module
	builtin  map[string]bool // names of the embedded modules
	groups   []queryGroup
	mappings *mappings.Set
	bundle   []FileDigest // the sources the rules were compiled from (Bundle)
	refQueryCache
}

// PolicyError is a problem in a Rego file (syntax, type, metadata): exit 2.
type PolicyError struct{ Err error }

func (e *PolicyError) Error() string { return e.Err.Error() }
func (e *PolicyError) Unwrap() error { return e.Err }

// New loads, compiles and prepares every rule. Any error in an embedded or
// custom policy aborts: a scan never runs with a rule silently dropped.
func New(ctx context.Context, opts Options) (*Engine, error) {
	catalogue := opts.Mappings
	if catalogue == nil {
		var err error
		if catalogue, err = mappings.LoadBuiltin(); err != nil {
			return nil, err
		}
	}
	modules, builtin, files, err := loadModules(opts.PolicyDirs, false, "--policy")
	if err != nil {
		return nil, err
	}
	compiler, err := compileModules(modules, len(opts.PolicyDirs) == 0)
	if err != nil {
		return nil, err
	}
	e, err := newCatalogue(compiler, modules, builtin, catalogue)
	if err != nil {
		return nil, err
	}
	if err := e.prepareGroups(ctx, shardLibraries); err != nil {
		return nil, err
	}
	e.bundle = files
	return e, nil
}

// newCatalogue reads the rules' METADATA from a compiled compiler (modules
// are its rule modules, tests excluded) and checks them against the
// mappings: an engine that can list its rules but not yet evaluate them.
func newCatalogue(compiler *ast.Compiler, modules map[string]*ast.Module, builtin map[string]bool, catalogue *mappings.Set) (*Engine, error) {
	e := &Engine{compiler: compiler, modules: modules, builtin: builtin, mappings: catalogue, byID: map[string]*Rule{}}
	if err := e.readCatalogue(); err != nil {
		return nil, &PolicyError{err}
	}
	// A mapping file may only name rules that exist: a typo (BG-CA-01)
	// would otherwise leave its controls silently "not assessed".
	ids := make([]string, len(e.rules))
	for i, r := range e.rules {
		ids[i] = r.ID
	}
	if err := catalogue.CheckRules(ids); err != nil {
		return nil, err
	}
	return e, nil
}

// Rules returns the catalogue sorted by rule ID.
func (e *Engine) Rules() []*Rule { return e.rules }

// Rule looks up a rule by ID.
func (e *Engine) Rule(id string) (*Rule, bool) { r, ok := e.byID[id]; return r, ok }

// Mappings returns the control mappings the engine uses.
func (e *Engine) Mappings() *mappings.Set { return e.mappings }

// Compiler returns the production compiler (for `policy test`).
func (e *Engine) Compiler() *ast.Compiler { return e.compiler }

// Modules returns the compiled modules by file name.
func (e *Engine) Modules() map[string]*ast.Module { return e.modules }

// LoadModules parses the embedded library and rules plus every .rego file
// under dirs. withTests keeps *_test.rego files (for `policy test`).
// Embedded modules are named policies/<path>; custom ones by their path.
func LoadModules(dirs []string, withTests bool) (map[string]*ast.Module, error) {
	modules, _, _, err := loadModules(dirs, withTests, "--policy")
	return modules, err
}

// libPackage is the built-in helper library: no custom module may add to it.
var libPackage = ast.MustParseRef("data.breakglass.lib")

// loadModules is LoadModules that also returns the set of embedded module
// names. Built-in-ness is decided by this set, never by a file's path: a
// user's --policy directory may well be called policies/rules. what names
// the directories in errors the way the user gave them ("--policy" or
// "policy test").
func loadModules(dirs []string, withTests bool, what string) (map[string]*ast.Module, map[string]bool, []FileDigest, error) {
	modules := map[string]*ast.Module{}
	builtin := map[string]bool{}
	var files []FileDigest // the rule bundle: every evaluated (non-test) source, as read
	// reserved maps every package an embedded (non-test) module declares to
	// the first file declaring it.
	reserved := map[string]string{libPackage.String(): "policies/lib"}
	sources, err := embeddedSources(withTests)
	if err != nil {
		return nil, nil, nil, &PolicyError{fmt.Errorf("built-in policies: %w", err)}
	}
	parsed, err := parseConcurrently(sources)
	if err != nil {
		return nil, nil, nil, err
	}
	for i, src := range sources {
		m := parsed[i]
		modules[src.name] = m
		builtin[src.name] = true
		if src.test {
			continue
		}
		files = append(files, digestOf(src.name, src.text))
		if pkg := m.Package.Path.String(); reserved[pkg] == "" {
			reserved[pkg] = src.name
		}
	}
	for _, dir := range dirs {
		if err := loadDir(modules, reserved, &files, dir, withTests, what); err != nil {
			return nil, nil, nil, err
		}
	}
	return modules, builtin, files, nil
}

func loadDir(modules map[string]*ast.Module, reserved map[string]string, files *[]FileDigest, dir string, withTests bool, what string) error {
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return &PolicyError{fmt.Errorf("%s %s: no such directory", what, dir)}
	}
	if err != nil {
		return &PolicyError{fmt.Errorf("%s %s: %w", what, dir, errors.Unwrap(err))}
	}
	if !info.IsDir() {
		return &PolicyError{fmt.Errorf("%s %s: not a directory (give the directory holding your .rego files)", what, dir)}
	}
	found := 0
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isRego(path, withTests) {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		found++
		if !strings.HasSuffix(path, "_test.rego") {
			*files = append(*files, digestOf(bundlePath(dir, path), src))
		}
		m, err := parseInto(modules, filepath.ToSlash(path), src)
		if err != nil {
			return err
		}
		if err := checkCustomModule(filepath.ToSlash(path), m, reserved); err != nil {
			return &PolicyError{err}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if found == 0 {
		return &PolicyError{fmt.Errorf("%s %s: no .rego files found", what, dir)}
	}
	return nil
}

// checkCustomModule keeps a custom module out of the built-in namespaces
// and rejects a rule that would never run:
//   - its package may not be, or lie under, breakglass.lib or any package
//     an embedded module declares (Rego merges modules of one package, so
//     `package breakglass.lib.ca` + `waived(_) if true` would silently
//     rewrite the built-in library);
//   - none of its rules may produce a document inside those packages (a
//     ref head such as `lib.ca.waived(_)` in `package breakglass`);
//   - a module with rule METADATA (custom.id) or a `results` rule must be
//     in a package under breakglass.rules., the only place the engine
//     evaluates.
func checkCustomModule(name string, m *ast.Module, reserved map[string]string) error {
	pkg := m.Package.Path
	pkgName := packageName(pkg)
	at := func(loc *ast.Location) string {
		if loc == nil {
			loc = m.Package.Location
		}
		return fmt.Sprintf("%s:%d:%d", name, loc.Row, loc.Col)
	}
	hint := "custom rules live in their own package under breakglass.rules. (e.g. breakglass.rules.acme_bg_001), helpers in a package of yours (e.g. acme.helpers)"
	owners := slices.Sorted(maps.Keys(reserved))
	refs := make([]ast.Ref, len(owners))
	for i, owner := range owners {
		refs[i] = ast.MustParseRef(owner)
	}
	for i, ref := range refs {
		if !pkg.HasPrefix(ref) {
			continue
		}
		if ref.HasPrefix(libPackage) {
			return fmt.Errorf("%s: package %s is reserved for the built-in library (breakglass.lib): a custom module cannot add to or override it; %s", at(m.Package.Location), pkgName, hint)
		}
		return fmt.Errorf("%s: package %s is a built-in package (%s, declared by %s): a custom module cannot add to or override it; %s", at(m.Package.Location), pkgName, packageName(ref), reserved[owners[i]], hint)
	}
	for _, r := range m.Rules {
		doc := pkg.Extend(r.Head.Ref().GroundPrefix())
		for _, ref := range refs {
			if doc.HasPrefix(ref) || ref.HasPrefix(doc) {
				return fmt.Errorf("%s: rule %s would define %s inside built-in package %s: a custom module cannot add to or override it; %s", at(r.Location), r.Head.Ref(), packageName(doc), packageName(ref), hint)
			}
		}
	}
	if !strings.HasPrefix(pkg.String(), RulePackagePrefix) && (hasRuleMetadata(m) || definesResults(m)) {
		return fmt.Errorf("%s: package %s is not under breakglass.rules.; the rule would never run (the engine evaluates only packages named breakglass.rules.<name>, e.g. breakglass.rules.acme_bg_001)", at(m.Package.Location), pkgName)
	}
	return nil
}

// packageName prints data.breakglass.lib as breakglass.lib.
func packageName(ref ast.Ref) string {
	return strings.TrimPrefix(ref.String(), "data.")
}

// hasRuleMetadata is true when the module's package METADATA has custom.id.
func hasRuleMetadata(m *ast.Module) bool {
	for _, a := range m.Annotations {
		if (a.Scope == "package" || a.Scope == "subpackages") && a.Custom["id"] != nil {
			return true
		}
	}
	return false
}

func isRego(path string, withTests bool) bool {
	if !strings.HasSuffix(path, ".rego") {
		return false
	}
	return withTests || !strings.HasSuffix(path, "_test.rego")
}

func parseInto(modules map[string]*ast.Module, name string, src []byte) (*ast.Module, error) {
	if _, dup := modules[name]; dup {
		return nil, &PolicyError{fmt.Errorf("%s: loaded twice (two --policy directories overlap, or a --policy file has the name of a built-in policy file)", name)}
	}
	m, err := parseModule(name, src)
	if err != nil {
		return nil, err
	}
	modules[name] = m
	return m, nil
}

func parseModule(name string, src []byte) (*ast.Module, error) {
	m, err := ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
	if err != nil {
		var errs ast.Errors
		if errors.As(err, &errs) {
			err = explainCompileErrors(errs) // file:line:col for every error
		}
		return nil, &PolicyError{err}
	}
	return m, nil
}

// regoFile is one embedded Rego file, named policies/<path>.
type regoFile struct {
	name string
	text []byte
	test bool // a *_test.rego file
}

// embeddedSources reads the embedded .rego files in walk (lexical) order.
func embeddedSources(withTests bool) ([]regoFile, error) {
	var sources []regoFile
	err := fs.WalkDir(policies.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !isRego(path, withTests) {
			return err
		}
		text, err := policies.FS.ReadFile(path)
		sources = append(sources, regoFile{name: "policies/" + path, text: text, test: strings.HasSuffix(path, "_test.rego")})
		return err
	})
	return sources, err
}

// parseConcurrently parses sources on every CPU: parsing is a third of
// engine start and the files are independent. Modules come back in the
// order of sources; of several errors, the first file's is returned.
func parseConcurrently(sources []regoFile) ([]*ast.Module, error) {
	modules := make([]*ast.Module, len(sources))
	errs := make([]error, len(sources))
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(sources)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(sources); i = int(next.Add(1) - 1) {
				modules[i], errs[i] = parseModule(sources[i].name, sources[i].text)
			}
		})
	}
	wg.Wait()
	return modules, firstNonNil(errs)
}

func firstNonNil(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// NewCompiler returns the production compiler configuration, not yet
// compiled: strict mode, Rego v1, the sandbox capabilities. The tester
// compiles with it too, so tests see exactly what a scan sees.
func NewCompiler() *ast.Compiler {
	return ast.NewCompiler().
		WithCapabilities(SandboxCapabilities()).
		WithStrict(true).
		WithDefaultRegoVersion(ast.RegoV1)
}

// Compile compiles modules in strict mode with the sandbox capabilities.
func Compile(modules map[string]*ast.Module) (*ast.Compiler, error) {
	return compileModules(modules, false)
}

// verifiedStages are compiler stages that only check (they rewrite
// nothing evaluation uses) and that TestEmbeddedModulesPassEveryCheck runs
// on the embedded modules in every build: a scan without custom rules
// skips them (about a tenth of engine start, docs/performance.md).
// With any --policy module every stage runs.
//
// Each was read in OPA's compile.go (v1.22): they walk the modules and
// report errors, and write nothing later stages or evaluation read.
var verifiedStages = []ast.StageID{
	ast.StageCheckTypes,
	ast.StageCheckRecursion,
	ast.StageCheckUndefinedFuncs,
	ast.StageCheckSafetyRuleHeads,
	ast.StageCheckRuleConflicts,
	ast.StageCheckVoidCalls,
	ast.StageCheckKeywordOverrides,
	ast.StageCheckDuplicateImports,
	ast.StageCheckUnusedImports,
	ast.StageCheckUnsafeBuiltins,
	ast.StageCheckDeprecatedBuiltins,
	ast.StageBuildRequiredCapabilities,
}

// compileModules is Compile; embeddedOnly skips verifiedStages.
func compileModules(modules map[string]*ast.Module, embeddedOnly bool) (*ast.Compiler, error) {
	c := NewCompiler()
	if embeddedOnly {
		c = c.WithSkipStages(verifiedStages...)
	}
	c.Compile(modules)
	if c.Failed() {
		return nil, &PolicyError{explainCompileErrors(c.Errors)}
	}
	return c, nil
}

// SandboxCapabilities removes every builtin that reaches the network, the
// environment or randomness. time.now_ns stays: the engine pins it to the
// scan's "now".
func SandboxCapabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	kept := caps.Builtins[:0]
	for _, b := range caps.Builtins {
		if forbiddenBuiltin(b) {
			continue
		}
		kept = append(kept, b)
	}
	caps.Builtins = kept
	caps.AllowNet = []string{} // empty (not nil): no host is reachable
	return caps
}

func forbiddenBuiltin(b *ast.Builtin) bool {
	if b.Name == "time.now_ns" {
		return false
	}
	if b.IsNondeterministic() {
		return true // http.send, net.lookup_ip_addr, opa.runtime, rand.intn, uuid.rfc4122, ...
	}
	switch {
	case strings.HasPrefix(b.Name, "http."), strings.HasPrefix(b.Name, "net."),
		strings.HasPrefix(b.Name, "opa."), b.Name == "trace", b.Name == "print":
		return true
	}
	return false
}

func explainCompileErrors(errs ast.Errors) error {
	msgs := make([]string, 0, len(errs))
	for _, e := range errs {
		loc := "?"
		if e.Location != nil {
			loc = fmt.Sprintf("%s:%d:%d", e.Location.File, e.Location.Row, e.Location.Col)
		}
		msg := fmt.Sprintf("%s: %s", loc, sandboxMessage(e.Message))
		if e.Details != nil {
			for _, line := range e.Details.Lines() {
				msg += "\n\t" + line // type errors: have/want
			}
		}
		msgs = append(msgs, msg)
	}
	sort.Strings(msgs)
	return errors.New(strings.Join(msgs, "\n"))
}

// sandboxMessage makes "undefined function X" precise when X is an OPA
// builtin that the sandbox removed (see SandboxCapabilities).
func sandboxMessage(msg string) string {
	name, ok := strings.CutPrefix(msg, "undefined function ")
	if !ok {
		return msg
	}
	name = strings.TrimSpace(name)
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		if b.Name == name && forbiddenBuiltin(b) {
			return fmt.Sprintf("builtin %s is not allowed in the breakglass sandbox: rules cannot use the network, the environment, randomness or print (http.*, net.*, opa.*, rand.*, uuid.*, print, trace are removed; see docs/custom-rules.md, \"Sandbox\")", name)
		}
	}
	return msg
}

// readCatalogue reads each rule package's METADATA and checks its mapping.
func (e *Engine) readCatalogue() error {
	for _, ref := range e.compiler.GetAnnotationSet().Flatten() {
		a := ref.Annotations
		pkg := ref.Path.String()
		if a.Scope != "package" || !strings.HasPrefix(pkg, RulePackagePrefix) || e.modules[a.Location.File] == nil {
			continue // not a rule, or in a test file (policy test compiles them too)
		}
		builtin := e.builtin[a.Location.File]
		rule, err := ruleFromAnnotations(a, pkg, builtin)
		if err != nil {
			return err
		}
		if prev, dup := e.byID[rule.ID]; dup {
			return fmt.Errorf("%s:%d:%d: rule id %s is already defined in %s: rule ids must be unique", a.Location.File, a.Location.Row, a.Location.Col, rule.ID, prev.File)
		}
		if err := e.attachControls(rule, a); err != nil {
			return err
		}
		e.byID[rule.ID] = rule
		e.rules = append(e.rules, rule)
	}
	if err := e.checkEveryRulePackageHasMetadata(); err != nil {
		return err
	}
	sort.Slice(e.rules, func(i, j int) bool { return e.rules[i].ID < e.rules[j].ID })
	return nil
}

func (e *Engine) attachControls(rule *Rule, a *ast.Annotations) error {
	where := fmt.Sprintf("%s:%d:%d", a.Location.File, a.Location.Row, a.Location.Col)
	if rule.Builtin {
		rule.Controls = e.mappings.ControlsFor(rule.ID)
		for _, fw := range mappings.BuiltinFrameworks {
			if len(rule.Controls[fw]) == 0 {
				return fmt.Errorf("%s: built-in rule %s has no %s mapping in mappings/rules.yaml", where, rule.ID, fw)
			}
		}
		return nil
	}
	if len(rule.Controls) == 0 && !e.mappings.HasRule(rule.ID) {
		return fmt.Errorf("%s: rule %s maps to no controls: add custom.controls (e.g. {\"iso27001-2022\": [\"A.5.15\"]}) or a rules: section in a --mappings file", where, rule.ID)
	}
	if err := e.mappings.CheckControls(rule.Controls); err != nil {
		return fmt.Errorf("%s: rule %s: custom.controls: %w", where, rule.ID, err)
	}
	e.mappings.SetRule(rule.ID, rule.Controls)
	rule.Controls = e.mappings.ControlsFor(rule.ID)
	return nil
}

// checkEveryRulePackageHasMetadata rejects a rule package without METADATA:
// it would otherwise never be evaluated.
func (e *Engine) checkEveryRulePackageHasMetadata() error {
	seen := map[string]bool{}
	for _, r := range e.rules {
		seen[r.Package] = true
		if !definesResults(e.modules[r.File]) {
			loc := e.modules[r.File].Package.Location
			return fmt.Errorf("%s:%d:%d: rule %s (package %s) defines no `results contains {...} if` rule, so it can never report anything", r.File, loc.Row, loc.Col, r.ID, r.Package)
		}
	}
	names := make([]string, 0, len(e.modules))
	for name := range e.modules {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		m := e.modules[name]
		pkg := m.Package.Path.String()
		if !strings.HasPrefix(pkg, RulePackagePrefix) || seen[pkg] {
			continue
		}
		if !definesResults(m) {
			continue // a helper module inside the rules namespace
		}
		return fmt.Errorf("%s:%d:%d: package %s defines `results` but has no package METADATA block with custom.id (put a `# METADATA` comment block with title, description and custom: id, severity, resource, remediation, controls right above the package line)", name, m.Package.Location.Row, m.Package.Location.Col, pkg)
	}
	return nil
}

func definesResults(m *ast.Module) bool {
	for _, r := range m.Rules {
		if r.Head.Name.String() == "results" || (len(r.Head.Reference) > 0 && r.Head.Reference[0].Value.String() == "results") {
			return true
		}
	}
	return false
}

// queryGroup is one prepared query returning the results of several rules.
type queryGroup struct {
	rules     []*Rule
	resources bool // the query also enumerates data.breakglass.lib.resources
	builtin   bool
	query     rego.PreparedEvalQuery
}

// prepareGroups prepares the built-in rules as a few queries (shards, see
// builtinShards) evaluated concurrently, then one query for the custom
// rules: a custom rule that runs past --timeout cannot cost the built-ins
// their verdicts, which are evaluated first.
func (e *Engine) prepareGroups(ctx context.Context, shardBy []string) error {
	var custom []*Rule
	for _, r := range e.rules {
		if !r.Builtin {
			custom = append(custom, r)
		}
	}
	shards := e.builtinShards(shardBy)
	for i, rules := range shards {
		if err := e.prepareGroup(ctx, queryGroup{rules: rules, resources: i == len(shards)-1, builtin: true}); err != nil {
			return err
		}
	}
	if len(custom) > 0 {
		return e.prepareGroup(ctx, queryGroup{rules: custom})
	}
	return nil
}

func (e *Engine) prepareGroup(ctx context.Context, g queryGroup) error {
	q, err := rego.New(rego.Compiler(e.compiler), rego.Query(queryText(g.rules, g.resources))).PrepareForEval(ctx)
	if err != nil {
		return &PolicyError{fmt.Errorf("prepare rules: %w", err)}
	}
	g.query = q
	e.groups = append(e.groups, g)
	return nil
}

// shardLibraries name the library packages whose tables are the bulk of
// an evaluation: the Conditional Access verdict per (policy, account) and
// the baseline's copy of every per-account table. A rule importing one is
// evaluated with the other rules importing it, in a query of their own, so
// each table is still built once while the shards run on separate CPUs
// (on the XL tenant the three shards cost about the same).
var shardLibraries = []string{"data.breakglass.lib.drift", "data.breakglass.lib.ca"}

// builtinShards splits the built-in rules by the first of libs their
// module imports; the rules importing none form the last shard, which
// also enumerates the resources. Empty shards are dropped.
func (e *Engine) builtinShards(libs []string) [][]*Rule {
	shards := make([][]*Rule, len(libs)+1)
	for _, r := range e.rules {
		if r.Builtin {
			i := shardOf(e.modules[r.File], libs)
			shards[i] = append(shards[i], r)
		}
	}
	kept := shards[:0]
	for i, rules := range shards {
		if len(rules) > 0 || i == len(shards)-1 {
			kept = append(kept, rules)
		}
	}
	return kept
}

func shardOf(m *ast.Module, libs []string) int {
	if m != nil {
		for i, lib := range libs {
			for _, imp := range m.Imports {
				if imp.Path.String() == lib {
					return i
				}
			}
		}
	}
	return len(libs)
}

// queryText builds one query returning the rules' results, plus the
// resource enumerations when withResources is set.
func queryText(rules []*Rule, withResources bool) string {
	var b strings.Builder
	b.WriteString("out = {")
	if withResources {
		b.WriteString("\"resources\": data.breakglass.lib.resources, ")
	}
	b.WriteString("\"rules\": {")
	for i, r := range rules {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q: %s.results", r.ID, r.Package)
	}
	b.WriteString("}}")
	return b.String()
}
