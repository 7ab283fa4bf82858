package collector

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/config"
)

// DefaultMaxCandidates is the default of Options.MaxCandidates
// (--max-candidates): how many undeclared candidate users (allowed-role
// holders, name matches, exclusion-group members) get their methods and
// memberships collected. More candidates than that fail
// authenticationMethods and transitiveMemberOf (their coverage is
// incomplete) instead of passing silently.
const DefaultMaxCandidates = 200

// breakGlassName is the BG-INV-004 name pattern.
var breakGlassName = regexp.MustCompile(`(?i)break.?glass|emergency`)

// dataSet accumulates one data set while the run is in progress.
type dataSet struct {
	name    string
	counter *dsCounter

	mu       sync.Mutex
	start    time.Time
	dur      time.Duration
	items    []any
	subjects []string // user ids a per-user data set was collected for
	status   snapshot.Status
	message  string
	notes    []string
	done     bool
}

func (d *dataSet) begin() {
	d.mu.Lock()
	if d.start.IsZero() {
		d.start = time.Now()
	}
	d.mu.Unlock()
}

func (d *dataSet) add(items ...any) {
	d.mu.Lock()
	d.items = append(d.items, items...)
	d.mu.Unlock()
}

// fail records the first failure; later ones only matter if the first was
// milder (error < throttled < unlicensed < forbidden is not needed: first wins).
func (d *dataSet) fail(err error) {
	st, msg := classify(d.name, err)
	d.failWith(st, msg)
}

func (d *dataSet) failWith(st snapshot.Status, msg string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.status == "" || d.status == snapshot.StatusOK {
		d.status, d.message = st, msg
	}
}

// cover records that a per-user data set was collected for user id.
func (d *dataSet) cover(id string) {
	d.mu.Lock()
	d.subjects = append(d.subjects, strings.ToLower(id))
	d.mu.Unlock()
}

func (d *dataSet) failed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.status != "" && d.status != snapshot.StatusOK
}

func (d *dataSet) note(format string, args ...any) {
	d.mu.Lock()
	d.notes = append(d.notes, fmt.Sprintf(format, args...))
	d.mu.Unlock()
}

// run is one collection.
type run struct {
	o     *Options
	cfg   *config.Config
	tr    *transport
	cred  azcore.TokenCredential
	graph *graphClient
	arm   *armClient
	start time.Time

	sets map[string]*dataSet

	progressMu sync.Mutex
}

func (r *run) ds(name string) *dataSet {
	d, ok := r.sets[name]
	if !ok {
		panic("collector: unknown data set " + name)
	}
	d.begin()
	return d
}

// ctx tags ctx with the data set for request counting.
func (r *run) ctx(ctx context.Context, d *dataSet) context.Context {
	return withDataSet(ctx, d.counter)
}

// finish closes a data set and reports progress.
func (r *run) finish(d *dataSet) {
	d.mu.Lock()
	if d.done {
		d.mu.Unlock()
		return
	}
	d.done = true
	if d.status == "" {
		d.status = snapshot.StatusOK
	}
	if d.start.IsZero() {
		d.start = time.Now()
	}
	d.dur = time.Since(d.start)
	st, n, dur := d.status, d.counter.requests.Load(), d.dur
	d.mu.Unlock()
	if w := r.o.Progress; w != nil {
		r.progressMu.Lock()
		fmt.Fprintf(w, "  %-36s %-10s %4d requests %6.1fs\n", d.name, st, n, dur.Seconds())
		r.progressMu.Unlock()
	}
}

func (r *run) skip(name, msg string) {
	d := r.ds(name)
	d.failWith(snapshot.StatusSkipped, msg)
	r.finish(d)
}

// Run collects the tenant described by o.Config and returns the snapshot.
// Errors are *UsageError (exit 2) or *FatalError (exit 3); data-set level
// failures are recorded in the document instead.
func Run(ctx context.Context, o Options) (*snapshot.Document, error) {
	if err := o.setDefaults(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()

	r := &run{o: &o, cfg: o.Config, start: o.Now(), sets: map[string]*dataSet{}}
	for _, n := range snapshot.Names {
		r.sets[n] = &dataSet{name: n, counter: &dsCounter{name: n}}
	}
	tenantID := firstNonEmpty(o.TenantID, r.cfg.TenantID, o.env("AZURE_TENANT_ID"))
	if tenantID != "" && !config.IsGUID(tenantID) {
		return nil, &UsageError{Msg: fmt.Sprintf("--tenant %q is not a tenant id (GUID)", tenantID)}
	}

	var base http.RoundTripper
	if o.HTTPClient != nil {
		base = o.HTTPClient.Transport
		if base == nil {
			base = http.DefaultTransport
		}
	}
	r.tr = newTransport(base, o.Concurrency, o.Log)

	cred, err := newCredential(&o, tenantID)
	if err != nil {
		var ue *UsageError
		if errors.As(err, &ue) {
			return nil, err
		}
		return nil, &FatalError{Msg: fmt.Sprintf("cannot set up the %s credential", o.Auth), Err: err}
	}
	r.cred = cred

	// Get the Graph token first: a credential problem is the most common
	// reason nothing can be collected, and it deserves a clear message.
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{o.cloud().GraphAudience + "/.default"}, TenantID: tenantID})
	if err != nil {
		fe := &FatalError{Msg: fmt.Sprintf("cannot get a Microsoft Graph token with --auth %s", o.Auth), Err: err}
		if ctx.Err() == nil {
			fe.Hint = authHint(o.Auth, tenantID, err)
		}
		return nil, fe
	}
	claims := jwtClaims(tok.Token)
	collectedBy := principalFromClaims(claims)
	if tenantID == "" {
		if tid, ok := claims["tid"].(string); ok && config.IsGUID(tid) {
			tenantID = tid
		}
	}

	if r.graph, err = newGraphClient(&o, cred, r.tr); err != nil {
		return nil, &FatalError{Msg: "cannot set up the Microsoft Graph client", Err: err}
	}
	if r.arm, err = newARMClient(&o, cred, r.tr); err != nil {
		return nil, &FatalError{Msg: "cannot set up the Azure Resource Manager client", Err: err}
	}

	// organization first: it proves the token works and names the tenant.
	orgID, err := r.collectOrganization(ctx)
	if err != nil {
		return nil, err
	}
	if orgID != "" {
		if r.cfg.TenantID != "" && !strings.EqualFold(orgID, r.cfg.TenantID) {
			return nil, &FatalError{Msg: fmt.Sprintf("the credential signed in to tenant %s but the config declares tenantId %s; use --tenant %s (or AZURE_TENANT_ID) or fix tenantId in the config", orgID, r.cfg.TenantID, r.cfg.TenantID)}
		}
		tenantID = orgID
	}
	if tenantID == "" {
		return nil, &FatalError{Msg: "cannot tell which tenant was read: organization could not be read and neither --tenant, the config's tenantId nor the token names it; pass --tenant"}
	}

	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); r.collectGraph(ctx) }()
	go func() { defer wg.Done(); r.collectAzure(ctx) }()
	wg.Wait()
	r.graph.budgets.summary(r.o.Progress)
	if errors.Is(ctx.Err(), context.Canceled) {
		return nil, &FatalError{Msg: "the collection was interrupted"}
	}

	return r.document(tenantID, collectedBy), nil
}

// document assembles the snapshot from the finished data sets.
func (r *run) document(tenantID string, collectedBy *snapshot.Principal) *snapshot.Document {
	o := r.o
	doc := &snapshot.Document{
		SchemaVersion: snapshot.SchemaVersion,
		Metadata: snapshot.Metadata{
			TenantID:    strings.ToLower(tenantID),
			CollectedAt: r.start.UTC().Truncate(time.Second),
			Tool:        snapshot.Tool{Name: o.ToolName, Version: o.ToolVersion},
			Endpoints:   snapshot.Endpoints{Graph: o.GraphEndpoint, ARM: o.ARMEndpoint},
			CollectedBy: collectedBy,
			Collection: &snapshot.Collection{
				DurationMS:  time.Since(r.start).Milliseconds(),
				Requests:    map[string]int{},
				DurationsMS: map[string]int64{},
			},
		},
		Config:   r.cfg,
		DataSets: map[string]*snapshot.DataSet{},
	}
	total := 0
	for name, d := range r.sets {
		r.finish(d) // anything not explicitly finished (should not happen)
		n := int(d.counter.requests.Load())
		total += n
		doc.Metadata.Collection.Requests[name] = n
		doc.Metadata.Collection.DurationsMS[name] = d.dur.Milliseconds()
		msg := d.message
		if len(d.notes) > 0 {
			sort.Strings(d.notes)
			if msg != "" {
				msg += "; "
			}
			msg += strings.Join(d.notes, "; ")
		}
		ds := &snapshot.DataSet{Status: d.status, Message: msg, Items: []any{}}
		if d.status == snapshot.StatusOK {
			// Identifiers are stored lower-case (snapshot.Normalize).
			ds.Items = sortItems(snapshot.Normalize(d.items).([]any))
			ds.Subjects = slices.Sorted(slices.Values(d.subjects))
		}
		doc.DataSets[name] = ds
	}
	// Requests not tied to a data set (none today) would show up here.
	if other := int(r.tr.total.Load()) - total; other > 0 {
		doc.Metadata.Collection.Requests["(other)"] = other
	}
	return doc
}

// firstNonEmpty is the first of values that is not "".
func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// authHint is the one piece of advice for a credential that could not get a
// token, chosen by --auth mode (and, for cli, by what went wrong). It never
// names what DefaultAzureCredential tried: the azidentity error lists that.
func authHint(mode, tenantID string, err error) string {
	switch mode {
	case AuthCLI:
		if err != nil && strings.Contains(err.Error(), "executable not found") {
			return "install the Azure CLI (https://aka.ms/azcli) or use another --auth"
		}
		if tenantID == "" {
			tenantID = "<tenant>"
		}
		return "run `az login --tenant " + tenantID + "` first"
	case AuthWorkloadIdentity:
		return "check AZURE_CLIENT_ID, AZURE_TENANT_ID and the app's federated credential (issuer, subject, audience api://AzureADTokenExchange)"
	case AuthManagedIdentity:
		return "--auth managed-identity only works on an Azure host with a managed identity; set AZURE_CLIENT_ID for a user-assigned one"
	case AuthClientSecret:
		return "check AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (and that the secret has not expired)"
	case AuthClientCertificate:
		return "check AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_CERTIFICATE_PATH and that the certificate is registered on the app"
	case AuthDefault:
		return "choose the credential you mean with --auth (cli, workload-identity, managed-identity, client-secret, client-certificate) for a precise error"
	}
	return "check " + TokenEnv
}

// collectOrganization reads /organization. A rejected token or an
// unreachable endpoint ends the run (exit 3); a 403 only fails the data set.
func (r *run) collectOrganization(ctx context.Context) (string, error) {
	d := r.ds(snapshot.Organization)
	defer r.finish(d)
	items, _, err := r.graph.list(r.ctx(ctx, d), graphRequest{path: "/organization", query: url.Values{
		"$select": {"id,displayName,verifiedDomains,tenantType,onPremisesSyncEnabled,countryLetterCode"}}}, 0)
	if err != nil {
		var ae *apiError
		var me *malformedError
		var te *timeoutError
		var he hostileError
		switch {
		case errors.As(err, &he):
			d.fail(err) // a refused link, redirect or body: the data set is error
			return "", nil
		case errors.As(err, &ae) && ae.Status == 401:
			return "", &FatalError{Msg: fmt.Sprintf("Microsoft Graph at %s rejected the token (%s); check that the token is for %s and the right tenant", r.o.GraphEndpoint, ae.Error(), r.o.cloud().GraphAudience)}
		case errors.As(err, &ae), errors.As(err, &me):
			d.fail(err)
			return "", nil
		case errors.As(err, &te):
			return "", &FatalError{Msg: fmt.Sprintf("Microsoft Graph at %s did not answer within --request-timeout", r.o.GraphEndpoint), Err: err}
		}
		return "", &FatalError{Msg: fmt.Sprintf("cannot reach Microsoft Graph at %s; check --graph-endpoint, the network/proxy and TLS trust (SSL_CERT_FILE)", r.o.GraphEndpoint), Err: err}
	}
	for _, it := range items {
		d.add(it)
	}
	if len(items) > 0 {
		id, _ := items[0]["id"].(string)
		return id, nil
	}
	return "", nil
}

// graphState carries what later Graph phases derive from earlier ones.
type graphState struct {
	mu sync.Mutex

	roleDefs            []map[string]any
	roleAssignments     []map[string]any
	roleSchedules       []map[string]any
	roleEligibility     []map[string]any
	caPolicies          []map[string]any
	caOK                bool
	exclusionMembers    map[string][]map[string]any // group id -> members
	nameMatches         []map[string]any
	nameSearchErr       error
	nameSearchTruncated bool
}

// collectGraph runs the Graph phases: first the independent data sets
// (graph_directory.go, graph_roles.go, graph_authmethods.go, graph_ca.go,
// search.go, graph_lockout.go), then what they reference, then the users
// (users.go, candidates.go).
func (r *run) collectGraph(ctx context.Context) {
	st := &graphState{exclusionMembers: map[string][]map[string]any{}}
	var wg sync.WaitGroup
	spawn := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	spawn(func() { r.simpleList(ctx, snapshot.Domains, "/domains", nil, nil) })
	spawn(func() {
		st.roleDefs = r.simpleList(ctx, snapshot.RoleDefinitions, "/roleManagement/directory/roleDefinitions",
			url.Values{"$select": {"id,displayName,description,templateId,isBuiltIn,isEnabled"}}, nil)
	})
	spawn(func() {
		st.roleAssignments = r.simpleList(ctx, snapshot.RoleAssignments, "/roleManagement/directory/roleAssignments",
			url.Values{"$expand": {"principal"}}, nil)
	})
	spawn(func() {
		st.roleSchedules = r.listExpandingPrincipal(ctx, snapshot.RoleAssignmentSchedules, "/roleManagement/directory/roleAssignmentSchedules")
	})
	spawn(func() {
		st.roleEligibility = r.listExpandingPrincipal(ctx, snapshot.RoleEligibilitySchedules, "/roleManagement/directory/roleEligibilitySchedules")
	})
	spawn(func() { r.collectAuthMethodsPolicy(ctx) })
	spawn(func() {
		d := r.ds(snapshot.ConditionalAccessPolicies)
		st.caPolicies = r.simpleList(ctx, snapshot.ConditionalAccessPolicies, "/identity/conditionalAccess/policies", nil, nil)
		st.caOK = !d.failed()
	})
	spawn(func() {
		r.simpleList(ctx, snapshot.NamedLocations, "/identity/conditionalAccess/namedLocations", nil, nil)
	})
	spawn(func() { r.collectStrengthPolicies(ctx) })
	spawn(func() { r.collectExclusionGroups(ctx, st) })
	spawn(func() { r.searchNames(ctx, st) })
	spawn(func() { r.collectLockoutGraph(ctx) }) // issue 13: graph_lockout.go
	wg.Wait()

	// Phase 2: what the first phase referenced.
	caUsers, caGroups, caAll := caReferences(st.caPolicies)
	wg.Add(2)
	var existingCAUsers []string
	go func() {
		defer wg.Done()
		existingCAUsers = r.collectDirectoryObjects(ctx, st, caAll, caUsers)
	}()
	go func() {
		defer wg.Done()
		ids := append([]string{}, caGroups...)
		ids = append(ids, r.cfg.ExclusionGroups...)
		// Groups nested in exclusion groups: BG-CA-004 judges their
		// protection (role-assignable, dynamic membership) too.
		ids = append(ids, slices.Sorted(maps.Keys(st.exclusionMembers))...)
		for _, list := range [][]map[string]any{st.roleAssignments, st.roleSchedules, st.roleEligibility} {
			for _, a := range list {
				if principalType(a) == "group" {
					ids = append(ids, str(a, "principalId"))
				}
			}
		}
		r.collectGroups(ctx, dedupe(ids))
	}()
	wg.Wait()

	// Phase 3: users, resolved from the account side.
	r.collectUsers(ctx, st, existingCAUsers)
}
