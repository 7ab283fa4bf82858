package collector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/config"
)

// ARM API versions (stable ones that return the fields the rules read).
const (
	apiSubscriptions  = "2022-12-01"
	apiAuthorization  = "2022-04-01"
	apiPIM            = "2020-10-01"
	apiDiagnostics    = "2017-04-01" // microsoft.aadiam/diagnosticSettings has no newer GA version
	apiScheduledQuery = "2023-12-01"
	apiActionGroups   = "2023-01-01"
	apiKeyVault       = "2023-07-01"
)

// armClient sends ARM requests through an azcore pipeline: ARM bearer
// token policy, retry policy honouring Retry-After, shared transport.
type armClient struct {
	pl         runtime.Pipeline
	base       string
	origin     string // scheme://host:port of base: the only one nextLinks may name
	maxPages   int    // Options.MaxPages (0: the per-data-set limits)
	maxBody    int64  // Options.MaxResponseBytes, for Key Vault clients
	tr         *transport
	reqTimeout time.Duration
	clientOpts policy.ClientOptions // reused for Key Vault clients
	cred       azcore.TokenCredential
	vaultScope string   // the active cloud's Key Vault scope, the only one Key Vault clients get tokens for
	vaults     sync.Map // vault URL -> *azsecrets.Client
}

func azRetry(o *Options) policy.RetryOptions {
	return policy.RetryOptions{
		MaxRetries:    int32(o.MaxRetries),
		RetryDelay:    o.RetryDelay,
		MaxRetryDelay: o.MaxRetryDelay,
		StatusCodes:   []int{http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout},
	}
}

func newARMClient(o *Options, cred azcore.TokenCredential, tr *transport) (*armClient, error) {
	c := o.cloud()
	copts := policy.ClientOptions{
		Cloud: cloud.Configuration{
			ActiveDirectoryAuthorityHost: c.AuthorityHost,
			Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
				cloud.ResourceManager: {Endpoint: o.ARMEndpoint, Audience: c.ARMAudience},
			},
		},
		Retry:     azRetry(o),
		Telemetry: policy.TelemetryOptions{ApplicationID: "breakglass"},
	}
	guard, err := newHostGuard(o.ARMEndpoint, tr, o.MaxResponseBytes)
	if err != nil {
		return nil, err
	}
	armOpts := guardedOptions(copts, guard)
	client, err := arm.NewClient("breakglass/collector", "v1.0.0", cred, &arm.ClientOptions{ClientOptions: armOpts, DisableRPRegistration: true})
	if err != nil {
		return nil, err
	}
	return &armClient{pl: client.Pipeline(), base: o.ARMEndpoint, origin: guard.origin, maxPages: o.MaxPages, maxBody: o.MaxResponseBytes, tr: tr,
		reqTimeout: o.RequestTimeout, clientOpts: copts, cred: cred, vaultScope: c.VaultAudience + "/.default"}, nil
}

// guardedOptions binds an azcore client to the guard's origin: the guard
// runs per retry after the bearer token policy (refusing any request for
// another origin, token attached or not) and is the transport (origin check
// on the wire, no redirects, bounded bodies).
func guardedOptions(copts policy.ClientOptions, guard *hostGuard) policy.ClientOptions {
	copts.Transport = &http.Client{Transport: guard, CheckRedirect: noRedirects}
	copts.PerRetryPolicies = append(append([]policy.Policy{}, copts.PerRetryPolicies...), guard)
	return copts
}

// get fetches one ARM resource or list page.
func (a *armClient) get(ctx context.Context, rawURL string) (map[string]any, error) {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, a.reqTimeout)
	defer cancel()
	req, err := runtime.NewRequest(ctx, http.MethodGet, rawURL)
	if err != nil {
		return nil, err
	}
	req.Raw().Header.Set("Accept", "application/json")
	resp, err := a.pl.Do(req)
	if err != nil {
		if perr := parent.Err(); perr != nil {
			return nil, perr
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, &timeoutError{after: a.reqTimeout, err: err}
		}
		return nil, err
	}
	body, err := runtime.Payload(resp)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, &timeoutError{after: a.reqTimeout, err: err}
		}
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, armError(resp.StatusCode, body)
	}
	return decodeObject(body)
}

// armError reads {"error":{"code","message"}}.
func armError(status int, body []byte) error {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	return &apiError{Status: status, Code: e.Error.Code, Message: e.Error.Message}
}

// list follows ARM's nextLink.
func (a *armClient) list(ctx context.Context, path string, query url.Values) ([]map[string]any, error) {
	u := a.base + path + "?" + encodeQuery(query)
	var out []map[string]any
	seen := map[string]bool{}
	limit, name := pageLimit(ctx)
	if a.maxPages > 0 {
		limit = a.maxPages
	}
	for pages := 1; ; pages++ {
		page, err := a.get(ctx, u)
		if err != nil {
			return nil, err
		}
		items, err := pageValue(page)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		next, _ := page["nextLink"].(string)
		if next == "" {
			return out, nil
		}
		if _, err := checkLink(a.origin, next); err != nil {
			return nil, err
		}
		if seen[next] {
			return nil, &malformedError{err: errors.New("nextLink repeats a page already read")}
		}
		if pages >= limit {
			return nil, &pageLimitError{limit: limit, name: name}
		}
		seen[next] = true
		u = next
	}
}

func apiVersion(v string) url.Values { return url.Values{"api-version": {v}} }

func atScope(v string) url.Values {
	return url.Values{"api-version": {v}, "$filter": {"atScope()"}}
}

// collectAzure fills the ARM and Key Vault data sets.
func (r *run) collectAzure(ctx context.Context) {
	subs := r.cfg.Subscriptions
	var wg sync.WaitGroup
	spawn := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	noSubs := "no subscriptions configured (set `subscriptions` in the config to check subscription owners, alert rules and Key Vaults)"
	if len(subs) == 0 {
		r.skip(snapshot.Subscriptions, noSubs)
		r.skip(snapshot.ARMRoleAssignments, noSubs)
		r.skip(snapshot.ARMRoleEligibilityScheduleInstances, noSubs)
	} else {
		spawn(func() { r.collectSubscriptions(ctx, subs) })
		spawn(func() {
			r.perSubscription(ctx, snapshot.ARMRoleAssignments, subs, "/providers/Microsoft.Authorization/roleAssignments", atScope(apiAuthorization))
		})
		spawn(func() {
			r.perSubscription(ctx, snapshot.ARMRoleEligibilityScheduleInstances, subs, "/providers/Microsoft.Authorization/roleEligibilityScheduleInstances", atScope(apiPIM))
		})
	}
	spawn(func() { r.collectKeyVaultSecrets(ctx) })

	// Diagnostic settings are tenant-wide; the subscriptions of their Log
	// Analytics workspaces are where alert rules usually live.
	workspaceSubs := r.collectDiagnosticSettings(ctx)
	monitored := dedupe(append(append([]string{}, subs...), workspaceSubs...))
	if len(monitored) == 0 {
		r.skip(snapshot.ScheduledQueryRules, noSubs)
		r.skip(snapshot.ActionGroups, noSubs)
	} else {
		spawn(func() {
			r.perSubscription(ctx, snapshot.ScheduledQueryRules, monitored, "/providers/Microsoft.Insights/scheduledQueryRules", apiVersion(apiScheduledQuery))
		})
		spawn(func() {
			r.perSubscription(ctx, snapshot.ActionGroups, monitored, "/providers/Microsoft.Insights/actionGroups", apiVersion(apiActionGroups))
		})
	}
	switch {
	case len(vaultHosts(r.cfg.Accounts)) == 0:
		r.skip(snapshot.KeyVaults, "no declared account has a vaultSecret")
	case len(monitored) == 0:
		r.skip(snapshot.KeyVaults, noSubs)
	default:
		spawn(func() { r.collectKeyVaults(ctx, monitored) })
	}
	wg.Wait()
	r.collectLockoutAzure(ctx) // issue 13: arm_lockout.go (needs scheduledQueryRules)
}

func (r *run) collectSubscriptions(ctx context.Context, subs []string) {
	d := r.ds(snapshot.Subscriptions)
	defer r.finish(d)
	for _, s := range subs {
		obj, err := r.arm.get(r.ctx(ctx, d), r.arm.base+"/subscriptions/"+url.PathEscape(s)+"?"+encodeQuery(apiVersion(apiSubscriptions)))
		if isNotFound(err) {
			d.note("subscription %s was not found or is not visible to the collecting identity", s)
			continue
		}
		if err != nil {
			d.fail(err)
			return
		}
		d.add(obj)
	}
}

// perSubscription lists one ARM collection in every subscription given.
// Each item records in `listedFor` the subscriptions whose list returned it:
// with $filter=atScope() an assignment at a management group shows up in
// the lists of exactly the subscriptions below that group, which the
// assignment's own scope does not tell.
func (r *run) perSubscription(ctx context.Context, name string, subs []string, suffix string, query url.Values) {
	d := r.ds(name)
	defer r.finish(d)
	byID := map[string]map[string]any{}
	var order []string
	defer func() {
		for _, id := range order {
			d.add(byID[id])
		}
	}()
	for _, s := range subs {
		items, err := r.arm.list(r.ctx(ctx, d), "/subscriptions/"+url.PathEscape(s)+suffix, query)
		if isNotFound(err) {
			d.note("subscription %s was not found", s)
			continue
		}
		if err != nil {
			d.fail(fmt.Errorf("subscription %s: %w", s, err))
			return
		}
		for _, it := range items {
			id := strings.ToLower(str(it, "id"))
			if prev, seen := byID[id]; seen {
				prev["listedFor"] = append(prev["listedFor"].([]string), strings.ToLower(s))
				continue
			}
			it["listedFor"] = []string{strings.ToLower(s)}
			byID[id] = it
			order = append(order, id)
		}
	}
}

// collectDiagnosticSettings reads Entra diagnostic settings and returns the
// subscriptions of the Log Analytics workspaces they export to.
func (r *run) collectDiagnosticSettings(ctx context.Context) []string {
	d := r.ds(snapshot.DiagnosticSettings)
	defer r.finish(d)
	items, err := r.arm.list(r.ctx(ctx, d), "/providers/microsoft.aadiam/diagnosticSettings", apiVersion(apiDiagnostics))
	if err != nil {
		d.fail(err)
		return nil
	}
	var subs []string
	for _, it := range items {
		d.add(it)
		props, _ := it["properties"].(map[string]any)
		ws := str(props, "workspaceId")
		parts := strings.Split(strings.Trim(ws, "/"), "/")
		if len(parts) >= 2 && strings.EqualFold(parts[0], "subscriptions") {
			subs = append(subs, strings.ToLower(parts[1]))
		}
	}
	return subs
}

// vaultHosts returns the vault base URLs of declared vaultSecrets.
func vaultHosts(accounts []config.Account) map[string]bool {
	out := map[string]bool{}
	for _, a := range accounts {
		if a.VaultSecret == "" {
			continue
		}
		if u, err := url.Parse(a.VaultSecret); err == nil {
			out[strings.ToLower(u.Host)] = true
		}
	}
	return out
}

// collectKeyVaults lists vaults per subscription and keeps those that hold
// a declared vaultSecret (matched on vaultUri).
func (r *run) collectKeyVaults(ctx context.Context, subs []string) {
	d := r.ds(snapshot.KeyVaults)
	defer r.finish(d)
	want := vaultHosts(r.cfg.Accounts)
	found := map[string]bool{}
	for _, s := range subs {
		items, err := r.arm.list(r.ctx(ctx, d), "/subscriptions/"+url.PathEscape(s)+"/providers/Microsoft.KeyVault/vaults", apiVersion(apiKeyVault))
		if isNotFound(err) {
			continue
		}
		if err != nil {
			d.fail(fmt.Errorf("subscription %s: %w", s, err))
			return
		}
		for _, v := range items {
			props, _ := v["properties"].(map[string]any)
			u, err := url.Parse(str(props, "vaultUri"))
			if err != nil || !want[strings.ToLower(u.Host)] {
				continue
			}
			found[strings.ToLower(u.Host)] = true
			d.add(v)
		}
	}
	for _, h := range slices.Sorted(maps.Keys(want)) {
		if !found[h] {
			d.note("vault %s was not found in the configured subscriptions or the subscriptions of the diagnostic-settings workspaces", h)
		}
	}
}

// collectKeyVaultSecrets lists the versions (attributes only) of every
// declared vaultSecret. Secret values are never requested.
func (r *run) collectKeyVaultSecrets(ctx context.Context) {
	var secrets []string
	for _, a := range r.cfg.Accounts {
		if a.VaultSecret != "" {
			secrets = append(secrets, a.VaultSecret)
		}
	}
	if len(secrets) == 0 {
		r.skip(snapshot.KeyVaultSecrets, "no declared account has a vaultSecret")
		return
	}
	d := r.ds(snapshot.KeyVaultSecrets)
	defer r.finish(d)
	for _, s := range dedupeKeepCase(secrets) {
		u, err := url.Parse(s)
		if err != nil {
			d.failWith(snapshot.StatusError, fmt.Sprintf("vaultSecret %q is not a URL", s))
			return
		}
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		vaultURL := u.Scheme + "://" + u.Host
		client, err := r.arm.vaultClient(vaultURL)
		if err != nil {
			d.fail(err)
			return
		}
		c := r.ctx(ctx, d)
		pager := client.NewListSecretPropertiesVersionsPager(parts[1], nil)
		versions := []any{}
		missing := false
		limit, name := pageLimit(c)
		if r.arm.maxPages > 0 {
			limit = r.arm.maxPages
		}
		for pages := 0; pager.More(); pages++ {
			if pages >= limit {
				d.fail(fmt.Errorf("%s: %w", s, &pageLimitError{limit: limit, name: name}))
				return
			}
			pctx, cancel := context.WithTimeout(c, r.arm.reqTimeout)
			page, err := pager.NextPage(pctx)
			cancel()
			if err != nil {
				if perr := c.Err(); perr != nil {
					d.fail(perr)
					return
				}
				var se *vaultScopeError
				if errors.As(err, &se) {
					d.failWith(snapshot.StatusError, se.Error())
					return
				}
				err = vaultError(err, pctx, r.arm.reqTimeout)
				if isNotFound(err) {
					missing = true
					break
				}
				d.fail(fmt.Errorf("%s: %w", s, err))
				return
			}
			for _, p := range page.Value {
				if p == nil {
					continue
				}
				// The SDK model marshals back to the wire format (Unix
				// seconds); tags are dropped, values never requested.
				wire := azsecrets.SecretProperties{ID: p.ID, Attributes: p.Attributes, ContentType: p.ContentType, Managed: p.Managed}
				data, err := json.Marshal(wire)
				if err != nil {
					d.fail(err)
					return
				}
				obj, err := decodeObject(data)
				if err != nil {
					d.fail(err)
					return
				}
				versions = append(versions, obj)
			}
			// The pager would follow any nextLink; only the vault's own
			// scheme, host and port are requested.
			if page.NextLink != nil && *page.NextLink != "" {
				if _, err := checkLink(originOf(u), *page.NextLink); err != nil {
					d.fail(fmt.Errorf("%s: %w", s, err))
					return
				}
			}
		}
		if missing {
			d.note("secret %s does not exist", s)
		}
		d.add(map[string]any{"id": s, "versions": sortItems(versions)})
	}
}

func (a *armClient) vaultClient(vaultURL string) (*azsecrets.Client, error) {
	if c, ok := a.vaults.Load(vaultURL); ok {
		return c.(*azsecrets.Client), nil
	}
	u, err := url.Parse(vaultURL)
	if err != nil {
		return nil, err
	}
	guard, err := newHostGuard(vaultURL, a.tr, a.maxBody)
	if err != nil {
		return nil, err
	}
	opts := guardedOptions(a.clientOpts, guard)
	opts.Cloud = cloud.Configuration{ActiveDirectoryAuthorityHost: opts.Cloud.ActiveDirectoryAuthorityHost}
	// Challenge resource verification is off so that vaults on other hosts
	// (emulators, private endpoints) work; the SDK then asks for a token for
	// whatever audience the vault's 401 challenge names. The credential it
	// gets only issues tokens for the cloud's Key Vault scope, so a vault
	// host nobody vetted can never obtain a Graph or ARM token.
	cred := &vaultScopeCredential{cred: a.cred, scope: a.vaultScope, host: u.Host}
	c, err := azsecrets.NewClient(vaultURL, cred, &azsecrets.ClientOptions{ClientOptions: opts, DisableChallengeResourceVerification: true})
	if err != nil {
		return nil, err
	}
	a.vaults.Store(vaultURL, c)
	return c, nil
}

// vaultScopeCredential is the credential Key Vault clients get: it issues
// tokens for one scope (the active cloud's Key Vault audience) and refuses
// every other, whatever the vault's challenge asks for.
type vaultScopeCredential struct {
	cred  azcore.TokenCredential
	scope string // e.g. https://vault.azure.net/.default
	host  string // the vault host, for the error message
}

func (c *vaultScopeCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if len(opts.Scopes) != 1 || !strings.EqualFold(opts.Scopes[0], c.scope) {
		return azcore.AccessToken{}, &vaultScopeError{host: c.host, scopes: opts.Scopes, allowed: c.scope}
	}
	return c.cred.GetToken(ctx, opts)
}

// vaultScopeError is a Key Vault challenge breakglass refused to answer.
type vaultScopeError struct {
	host    string
	scopes  []string
	allowed string
}

func (e *vaultScopeError) Error() string {
	return fmt.Sprintf("the vault at %s asked for a token for %s, which breakglass refuses: Key Vault only gets tokens for %s (the --cloud Key Vault audience); check the vaultSecret URL in the config",
		e.host, strings.Join(e.scopes, " "), e.allowed)
}

// vaultError turns azcore's ResponseError into an apiError without the
// verbose dump its Error() produces.
func vaultError(err error, ctx context.Context, timeout time.Duration) error {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		ae := &apiError{Status: re.StatusCode, Code: re.ErrorCode}
		if re.RawResponse != nil && re.RawResponse.Body != nil {
			body, _ := io.ReadAll(io.LimitReader(re.RawResponse.Body, 1<<16))
			var e struct {
				Error struct {
					Message string `json:"message"`
				} `json:"error"`
			}
			if json.Unmarshal(body, &e) == nil {
				ae.Message = e.Error.Message
			}
		}
		return ae
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &timeoutError{after: timeout, err: err}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) || strings.Contains(err.Error(), "unmarshalling") {
		return &malformedError{err: err}
	}
	return err
}

func dedupeKeepCase(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[strings.ToLower(s)] {
			seen[strings.ToLower(s)] = true
			out = append(out, s)
		}
	}
	return out
}
