package collector_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/breakglass-dev/breakglass/collector"
	"github.com/breakglass-dev/breakglass/collector/fakeserver"
	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/config"
)

var fixtures = filepath.Join("..", "testdata", "collector")

// testToken is an unsigned JWT shaped like an app-only Graph token.
var testToken = func() string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]any{"typ": "JWT", "alg": "RS256"}) + "." + enc(map[string]any{
		"aud": "https://graph.microsoft.com", "tid": "11111111-1111-4111-8111-111111111111",
		"oid": "55555555-0000-4000-8000-000000000001", "appid": "77777777-0000-4000-8000-000000000001",
		"idtyp": "app", "exp": 4102444800,
	}) + ".c2lnbmF0dXJlLW5vdC1jaGVja2Vk"
}()

var testNow = time.Date(2026, 10, 15, 12, 0, 0, 0, time.UTC)

func newServer(t testing.TB) *fakeserver.Server {
	t.Helper()
	tenant, err := fakeserver.Load(filepath.Join(fixtures, "tenant.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := fakeserver.New(tenant, testToken)
	srv.PageSize = 2 // every collection of 3+ items spans pages
	srv.EnforceBudgets(testBudgetScale)
	t.Cleanup(srv.Close)
	return srv
}

func loadConfig(t testing.TB, srv *fakeserver.Server, name string) *config.Config {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.ReplaceAll(data, []byte("{{server}}"), []byte(srv.URL))
	cfg, err := config.Parse(name, data)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func options(srv *fakeserver.Server, cfg *config.Config, log *syncBuffer) collector.Options {
	return collector.Options{
		Config:        cfg,
		Auth:          collector.AuthToken,
		GraphEndpoint: srv.URL,
		ARMEndpoint:   srv.URL,
		HTTPClient:    srv.Client(),
		LookupEnv: func(k string) (string, bool) {
			return map[string]string{collector.TokenEnv: testToken}[k], k == collector.TokenEnv
		},
		BudgetTimeScale: testBudgetScale,
		RetryDelay:      5 * time.Millisecond,
		MaxRetryDelay:   2 * time.Second,
		RequestTimeout:  10 * time.Second,
		ToolVersion:     "test",
		Now:             func() time.Time { return testNow },
		Log:             log,
		Progress:        log,
	}
}

type result struct {
	doc   *snapshot.Document
	bytes []byte
	log   string
	sets  map[string]any // the parsed dataSets
}

// collect runs the collector against srv and validates the snapshot.
func collect(t testing.TB, srv *fakeserver.Server, cfg *config.Config, mut func(*collector.Options)) result {
	t.Helper()
	log := &syncBuffer{}
	o := options(srv, cfg, log)
	if mut != nil {
		mut(&o)
	}
	doc, err := collector.Run(context.Background(), o)
	if err != nil {
		t.Fatalf("collect: %v\nlog:\n%s", err, log)
	}
	data, err := doc.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := snapshot.Parse("snap.json", data)
	if err != nil {
		t.Fatalf("snapshot does not validate: %v", err)
	}
	if v := srv.Violations(); len(v) > 0 {
		t.Errorf("the collector made requests it must never make:\n%s", strings.Join(v, "\n"))
	}
	if bytes.Contains(data, []byte(testToken)) || bytes.Contains(data, []byte(strings.Split(testToken, ".")[1])) {
		t.Error("the token appears in the snapshot")
	}
	if strings.Contains(log.String(), strings.Split(testToken, ".")[1]) {
		t.Error("the token appears in the verbose log")
	}
	return result{doc: doc, bytes: data, log: log.String(), sets: loaded.Doc["dataSets"].(map[string]any)}
}

func (r result) status(name string) string {
	return r.sets[name].(map[string]any)["status"].(string)
}

func (r result) message(name string) string {
	m, _ := r.sets[name].(map[string]any)["message"].(string)
	return m
}

func (r result) items(name string) []map[string]any {
	var out []map[string]any
	for _, it := range r.sets[name].(map[string]any)["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

func (r result) ids(name string) []string {
	var out []string
	for _, it := range r.items(name) {
		out = append(out, it["id"].(string))
	}
	return out
}

func (r result) item(name, id string) map[string]any {
	for _, it := range r.items(name) {
		if it["id"] == id {
			return it
		}
	}
	return nil
}

func (r result) requireStatus(t testing.TB, want map[string]string) {
	t.Helper()
	for _, name := range snapshot.Names {
		w, ok := want[name]
		if !ok {
			w = "ok"
		}
		if got := r.status(name); got != w {
			t.Errorf("data set %s: status %s (%s), want %s", name, got, r.message(name), w)
		}
	}
}

const (
	bg1     = "aaaaaaaa-0000-4000-8000-000000000001"
	bg2     = "aaaaaaaa-0000-4000-8000-000000000002"
	alice   = "aaaaaaaa-0000-4000-8000-000000000003"
	emerg   = "aaaaaaaa-0000-4000-8000-000000000004"
	bob     = "aaaaaaaa-0000-4000-8000-000000000005"
	carol   = "aaaaaaaa-0000-4000-8000-000000000006"
	dave    = "aaaaaaaa-0000-4000-8000-000000000007"
	erin    = "aaaaaaaa-0000-4000-8000-000000000008"
	frank   = "aaaaaaaa-0000-4000-8000-000000000009"
	exclGrp = "22222222-0000-4000-8000-000000000001"
)

func equal(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

func TestCollectFullTenant(t *testing.T) {
	srv := newServer(t)
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	r.requireStatus(t, nil)

	md := r.doc.Metadata
	if md.TenantID != "11111111-1111-4111-8111-111111111111" || md.Tool.Version != "test" ||
		md.CollectedAt != testNow || md.Endpoints.Graph != srv.URL {
		t.Errorf("metadata = %+v", md)
	}
	if cb := md.CollectedBy; cb == nil || cb.Type != "servicePrincipal" || cb.ID != "55555555-0000-4000-8000-000000000001" || cb.Name != "77777777-0000-4000-8000-000000000001" {
		t.Errorf("collectedBy = %+v", md.CollectedBy)
	}
	if md.Collection.Requests[snapshot.Users] == 0 || md.Collection.Requests[snapshot.RoleAssignments] != 3 {
		t.Errorf("requests per data set = %v", md.Collection.Requests)
	}
	if r.doc.Config == nil || !bytes.Contains(r.bytes, []byte(`"exclusionGroups"`)) {
		t.Error("the config is not stored in the snapshot")
	}

	// Users: declared accounts, role holders, CA-referenced users and
	// candidates; never a user nobody references.
	if got, want := r.ids(snapshot.Users), []string{bg1, bg2, alice, emerg, bob, carol, erin}; !equal(got, want) {
		t.Errorf("users = %v, want %v", got, want)
	}
	u := r.item(snapshot.Users, bg1)
	for _, f := range []string{"userPrincipalName", "accountEnabled", "onPremisesSyncEnabled", "assignedLicenses", "passwordPolicies", "lastPasswordChangeDateTime", "createdDateTime", "authorizationInfo"} {
		if _, ok := u[f]; !ok {
			t.Errorf("user item lacks %s: %v", f, u)
		}
	}
	if _, ok := u["signInActivity"]; ok {
		t.Error("signInActivity belongs in its own data set")
	}
	if sia := r.item(snapshot.SignInActivity, bg1); sia == nil || sia["signInActivity"].(map[string]any)["lastSignInDateTime"] != "2026-10-02T09:15:00Z" {
		t.Errorf("signInActivity for bg-01 = %v", sia)
	}

	// Methods and memberships: declared accounts and candidates only.
	if got, want := r.ids(snapshot.AuthenticationMethods), []string{bg1, bg2, alice, emerg, carol, erin}; !equal(got, want) {
		t.Errorf("authenticationMethods for %v, want %v", got, want)
	}
	methods := r.item(snapshot.AuthenticationMethods, bg1)["methods"].([]any)
	if len(methods) != 2 || methods[0].(map[string]any)["@odata.type"] != "#microsoft.graph.fido2AuthenticationMethod" {
		t.Errorf("bg-01 methods = %v", methods)
	}
	memberOf := r.item(snapshot.TransitiveMemberOf, bg1)["memberOf"].([]any)
	types := map[string]bool{}
	for _, m := range memberOf {
		types[m.(map[string]any)["@odata.type"].(string)] = true
	}
	if len(memberOf) != 3 || !types["#microsoft.graph.group"] || !types["#microsoft.graph.directoryRole"] || !types["#microsoft.graph.administrativeUnit"] {
		t.Errorf("bg-01 transitiveMemberOf = %v", memberOf)
	}

	// Exclusion group, its AU, CA references.
	gm := r.item(snapshot.GroupMembers, exclGrp)
	if gm == nil || len(gm["members"].([]any)) != 3 || len(gm["owners"].([]any)) != 1 {
		t.Errorf("groupMembers = %v", r.items(snapshot.GroupMembers))
	}
	au := r.items(snapshot.AdministrativeUnits)
	if len(au) != 1 || au[0]["isMemberManagementRestricted"] != true || len(au[0]["members"].([]any)) != 3 {
		t.Errorf("administrativeUnits = %v", au)
	}
	if got, want := r.ids(snapshot.DirectoryObjects), []string{exclGrp, "22222222-0000-4000-8000-000000000002", "62e90394-69f5-4237-9190-012177145e10", carol}; !equal(got, want) {
		t.Errorf("directoryObjects = %v, want %v (the stale deadbeef id must be absent)", got, want)
	}
	if got := r.ids(snapshot.Groups); len(got) != 3 {
		t.Errorf("groups = %v", got)
	}
	for _, p := range r.items(snapshot.AuthenticationStrengthPolicies) {
		if p["policyType"] == "custom" && len(p["combinationConfigurations"].([]any)) != 1 {
			t.Errorf("custom strength policy lacks its combinationConfigurations: %v", p)
		}
	}
	ca := r.item(snapshot.ConditionalAccessPolicies, "c0000000-0000-4000-8000-000000000004")
	if gc := ca["grantControls"].(map[string]any); gc["authenticationStrength"] == nil || gc["authenticationStrength@odata.context"] != nil {
		t.Errorf("grantControls = %v", gc)
	}
	if got := r.ids(snapshot.NamedLocations); len(got) != 2 || r.items(snapshot.NamedLocations)[0]["@odata.type"] == nil {
		t.Errorf("namedLocations = %v", r.items(snapshot.NamedLocations))
	}

	// Sign-ins of declared accounts within the look-back window only.
	if got := r.ids(snapshot.SignIns); !equal(got, []string{"66d9f2a1-0001-4000-8000-000000000001", "66d9f2a1-0001-4000-8000-000000000002"}) {
		t.Errorf("signIns = %v", got)
	}
	if got := r.ids(snapshot.ApplicationOwnership); !equal(got, []string{bg1, bg2}) {
		t.Errorf("ownedObjects = %v", got)
	}

	// ARM: configured subscription + the diagnostic-settings workspace's.
	if got := r.ids(snapshot.Subscriptions); !equal(got, []string{"/subscriptions/66666666-0000-4000-8000-000000000001"}) {
		t.Errorf("subscriptions = %v", got)
	}
	if n := len(r.items(snapshot.ARMRoleAssignments)); n != 3 {
		t.Errorf("armRoleAssignments: %d items", n)
	}
	if n := len(r.items(snapshot.ScheduledQueryRules)); n != 1 {
		t.Errorf("scheduledQueryRules: %d items (alert rules live in the workspace's subscription)", n)
	}
	if kv := r.items(snapshot.KeyVaults); len(kv) != 1 || kv[0]["name"] != "kv-bg" {
		t.Errorf("keyVaults = %v", kv)
	}
	sec := r.item(snapshot.KeyVaultSecrets, srv.URL+"/secrets/bg-01")
	if sec == nil {
		t.Fatalf("keyVaultSecrets = %v", r.items(snapshot.KeyVaultSecrets))
	}
	versions := sec["versions"].([]any)
	attrs := versions[1].(map[string]any)["attributes"].(map[string]any)
	if len(versions) != 2 || attrs["created"] != json.Number("1788256860") || attrs["exp"] != json.Number("1819792860") || attrs["enabled"] != true {
		t.Errorf("bg-01 versions = %v", versions)
	}
	if _, ok := versions[0].(map[string]any)["value"]; ok {
		t.Error("a secret value was stored")
	}

	// Progress and verbose log.
	if !strings.Contains(r.log, "GET  /v1.0/organization") || !strings.Contains(r.log, "authenticationMethods") {
		t.Errorf("log lacks request or progress lines:\n%s", r.log)
	}
	if strings.Contains(strings.ToLower(r.log), "authorization:") || strings.Contains(r.log, "Bearer") {
		t.Errorf("log shows headers:\n%s", r.log)
	}
}

func TestSnapshotIsDeterministic(t *testing.T) {
	srv := newServer(t)
	cfg := loadConfig(t, srv, "breakglass.yaml")
	a := collect(t, srv, cfg, func(o *collector.Options) { o.Concurrency = 8 })
	b := collect(t, srv, cfg, func(o *collector.Options) { o.Concurrency = 1 })
	strip := func(d *snapshot.Document) []byte {
		d.Metadata.Collection = nil
		out, _ := d.Marshal()
		return out
	}
	if !bytes.Equal(strip(a.doc), strip(b.doc)) {
		t.Error("two collections of the same tenant differ")
	}
}

func TestRetryAfterThenSuccess(t *testing.T) {
	srv := newServer(t)
	srv.AddFault(&fakeserver.Fault{Path: "/identity/conditionalAccess/policies", Status: 429, Code: "TooManyRequests", Message: "Too many requests", RetryAfter: "0", Times: 2})
	srv.AddFault(&fakeserver.Fault{Path: "/providers/microsoft.aadiam", Status: 429, Code: "TooManyRequests", RetryAfter: "0", Times: 1})
	srv.AddFault(&fakeserver.Fault{Path: "/secrets/bg-01", Status: 503, Code: "ServiceUnavailable", RetryAfter: "0", Times: 1})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	r.requireStatus(t, nil)
	req := r.doc.Metadata.Collection.Requests
	if req[snapshot.ConditionalAccessPolicies] != 4 { // 2 throttled + 2 pages
		t.Errorf("conditionalAccessPolicies took %d requests, want 4", req[snapshot.ConditionalAccessPolicies])
	}
	if req[snapshot.DiagnosticSettings] != 2 {
		t.Errorf("diagnosticSettings took %d requests, want 2", req[snapshot.DiagnosticSettings])
	}
}

func TestThrottledWhenRetriesRunOut(t *testing.T) {
	srv := newServer(t)
	srv.AddFault(&fakeserver.Fault{Path: "/identity/conditionalAccess/namedLocations", Status: 429, Code: "TooManyRequests", RetryAfter: "0"})
	srv.AddFault(&fakeserver.Fault{Path: "/subscriptions/66666666-0000-4000-8000-000000000001/providers/Microsoft.Authorization/roleEligibility", Status: 429, Code: "TooManyRequests", RetryAfter: "0"})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), func(o *collector.Options) { o.MaxRetries = 2 })
	r.requireStatus(t, map[string]string{snapshot.NamedLocations: "throttled", snapshot.ARMRoleEligibilityScheduleInstances: "throttled"})
	if n := r.doc.Metadata.Collection.Requests[snapshot.NamedLocations]; n != 3 {
		t.Errorf("namedLocations: %d requests, want 1 + 2 retries", n)
	}
	// A Retry-After beyond MaxRetryDelay is not waited for.
	srv2 := newServer(t)
	srv2.AddFault(&fakeserver.Fault{Path: "/identity/conditionalAccess/namedLocations", Status: 429, Code: "TooManyRequests", RetryAfter: "3600"})
	start := time.Now()
	r2 := collect(t, srv2, loadConfig(t, srv2, "breakglass.yaml"), nil)
	if r2.status(snapshot.NamedLocations) != "throttled" || time.Since(start) > 30*time.Second {
		t.Errorf("namedLocations %s after %s", r2.status(snapshot.NamedLocations), time.Since(start))
	}
}

func TestForbiddenDataSetDoesNotStopTheRun(t *testing.T) {
	srv := newServer(t)
	srv.AddFault(&fakeserver.Fault{PathSuffix: "/authentication/methods", Status: 403, Code: "Authorization_RequestDenied", Message: "Insufficient privileges to complete the operation."})
	srv.AddFault(&fakeserver.Fault{Path: "/subscriptions/66666666-0000-4000-8000-000000000001/providers/Microsoft.Authorization/roleAssignments", Status: 403, Code: "AuthorizationFailed",
		Message: "The client '55555555-0000-4000-8000-000000000001' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/read'."})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	r.requireStatus(t, map[string]string{snapshot.AuthenticationMethods: "forbidden", snapshot.ARMRoleAssignments: "forbidden"})
	if msg := r.message(snapshot.AuthenticationMethods); !strings.Contains(msg, "Authorization_RequestDenied") || !strings.Contains(msg, "UserAuthenticationMethod.Read.All") {
		t.Errorf("message does not name the missing permission: %s", msg)
	}
	if msg := r.message(snapshot.ARMRoleAssignments); !strings.Contains(msg, "Reader") {
		t.Errorf("message does not name the missing role: %s", msg)
	}
	// A forbidden data set stops asking after the first refusal.
	if n := r.doc.Metadata.Collection.Requests[snapshot.AuthenticationMethods]; n > 3 {
		t.Errorf("authenticationMethods kept asking after a 403: %d requests", n)
	}
}

func TestUnlicensedTenant(t *testing.T) {
	srv := newServer(t)
	srv.Unlicensed = true
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	r.requireStatus(t, map[string]string{snapshot.SignInActivity: "unlicensed", snapshot.SignIns: "unlicensed"})
	if got := r.ids(snapshot.Users); len(got) != 7 {
		t.Errorf("users = %v", got)
	}
	if msg := r.message(snapshot.SignIns); !strings.Contains(msg, "Authentication_RequestFromNonPremiumTenantOrB2CTenant") || !strings.Contains(msg, "P1") {
		t.Errorf("signIns message = %s", msg)
	}
}

func TestMalformedJSON(t *testing.T) {
	srv := newServer(t)
	srv.AddFault(&fakeserver.Fault{Path: "/domains", Garbage: true})
	srv.AddFault(&fakeserver.Fault{Path: "/providers/microsoft.aadiam/diagnosticSettings", Garbage: true})
	srv.AddFault(&fakeserver.Fault{Path: "/secrets/bg-02", Garbage: true})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	r.requireStatus(t, map[string]string{snapshot.Domains: "error", snapshot.DiagnosticSettings: "error", snapshot.KeyVaultSecrets: "error"})
	if msg := r.message(snapshot.Domains); !strings.Contains(msg, "malformed") {
		t.Errorf("domains message = %s", msg)
	}
}

func TestGarbageOnLaterPage(t *testing.T) {
	srv := newServer(t)
	srv.AddFault(&fakeserver.Fault{Path: "/roleManagement/directory/roleAssignments", Query: "$skiptoken", Garbage: true})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	if r.status(snapshot.RoleAssignments) != "error" {
		t.Errorf("roleAssignments = %s", r.status(snapshot.RoleAssignments))
	}
}

func TestErrorOnLaterPageKeepsGraphCode(t *testing.T) {
	srv := newServer(t)
	srv.AddFault(&fakeserver.Fault{Path: "/roleManagement/directory/roleAssignments", Query: "$skiptoken", Status: 403, Code: "Authorization_RequestDenied", Message: "Insufficient privileges to complete the operation."})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	if r.status(snapshot.RoleAssignments) != "forbidden" || !strings.Contains(r.message(snapshot.RoleAssignments), "Authorization_RequestDenied") {
		t.Errorf("roleAssignments = %s: %s", r.status(snapshot.RoleAssignments), r.message(snapshot.RoleAssignments))
	}
}

func TestTimeout(t *testing.T) {
	srv := newServer(t)
	srv.AddFault(&fakeserver.Fault{Path: "/policies/authenticationMethodsPolicy", Hang: 30 * time.Second})
	srv.AddFault(&fakeserver.Fault{Path: "/subscriptions/66666666-0000-4000-8000-000000000001/providers/Microsoft.KeyVault", Hang: 30 * time.Second})
	start := time.Now()
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), func(o *collector.Options) { o.RequestTimeout = 500 * time.Millisecond })
	r.requireStatus(t, map[string]string{snapshot.AuthenticationMethodsPolicy: "error", snapshot.KeyVaults: "error"})
	if msg := r.message(snapshot.AuthenticationMethodsPolicy); !strings.Contains(msg, "request-timeout") {
		t.Errorf("message = %s", msg)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("took %s", d)
	}
}

func TestRejectedTokenIsFatal(t *testing.T) {
	srv := newServer(t)
	srv.Token = "another-token"
	o := options(srv, loadConfig(t, srv, "breakglass.yaml"), &syncBuffer{})
	_, err := collector.Run(context.Background(), o)
	var fe *collector.FatalError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "rejected the token") {
		t.Fatalf("err = %v, want a FatalError about the token", err)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Error("the error shows the token")
	}

	o.LookupEnv = func(string) (string, bool) { return "", false }
	_, err = collector.Run(context.Background(), o)
	var ue *collector.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), collector.TokenEnv) {
		t.Fatalf("err = %v, want a UsageError naming %s", err, collector.TokenEnv)
	}
}

func TestUnreachableGraphIsFatal(t *testing.T) {
	srv := newServer(t)
	o := options(srv, loadConfig(t, srv, "breakglass.yaml"), &syncBuffer{})
	srv.Close()
	_, err := collector.Run(context.Background(), o)
	var fe *collector.FatalError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "cannot reach Microsoft Graph") {
		t.Fatalf("err = %v", err)
	}
}

func TestWrongTenantIsFatal(t *testing.T) {
	srv := newServer(t)
	cfg := loadConfig(t, srv, "breakglass.yaml")
	cfg.TenantID = "99999999-1111-4111-8111-111111111111"
	_, err := collector.Run(context.Background(), options(srv, cfg, &syncBuffer{}))
	var fe *collector.FatalError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "config declares tenantId") {
		t.Fatalf("err = %v", err)
	}
}

func TestBadOptions(t *testing.T) {
	srv := newServer(t)
	for _, mut := range []func(*collector.Options){
		func(o *collector.Options) { o.GraphEndpoint = "http://graph.example" },
		func(o *collector.Options) { o.Cloud = "mars" },
		func(o *collector.Options) { o.Auth = "password" },
		func(o *collector.Options) { o.TenantID = "contoso" },
	} {
		o := options(srv, loadConfig(t, srv, "breakglass.yaml"), &syncBuffer{})
		mut(&o)
		_, err := collector.Run(context.Background(), o)
		var ue *collector.UsageError
		if !errors.As(err, &ue) {
			t.Errorf("err = %v, want a UsageError", err)
		}
	}
}

func TestDiscoveryMode(t *testing.T) {
	srv := newServer(t)
	cfg := loadConfig(t, srv, "discovery.yaml")
	r := collect(t, srv, cfg, nil)
	r.requireStatus(t, map[string]string{
		snapshot.Subscriptions: "skipped", snapshot.ARMRoleAssignments: "skipped", snapshot.ARMRoleEligibilityScheduleInstances: "skipped",
		snapshot.KeyVaults: "skipped", snapshot.KeyVaultSecrets: "skipped",
	})
	// Candidates: allowed-role holders (bg-01, bg-02, alice, carol eligible,
	// erin through the role-assignable group), the name match, exclusion
	// group members. Not dave ("Breakfast Club"), not frank.
	if got, want := r.ids(snapshot.AuthenticationMethods), []string{bg1, bg2, alice, emerg, carol, erin}; !equal(got, want) {
		t.Errorf("candidates with methods = %v, want %v", got, want)
	}
	if got := r.ids(snapshot.TransitiveMemberOf); len(got) != 6 {
		t.Errorf("transitiveMemberOf = %v", got)
	}
	for _, id := range r.ids(snapshot.Users) {
		if id == dave || id == frank {
			t.Errorf("user %s is no candidate", id)
		}
	}
	if !strings.Contains(r.message(snapshot.Users), "discovery mode") {
		t.Errorf("users message = %q", r.message(snapshot.Users))
	}
	// Alert rules are still read from the diagnostic-settings workspace's subscription.
	if n := len(r.items(snapshot.ScheduledQueryRules)); n != 1 {
		t.Errorf("scheduledQueryRules: %d", n)
	}
}

func TestDeclaredAccountMissing(t *testing.T) {
	srv := newServer(t)
	cfg := loadConfig(t, srv, "breakglass.yaml")
	cfg.Accounts = append(cfg.Accounts, config.Account{UserPrincipalName: "bg-03@contoso.onmicrosoft.com"})
	r := collect(t, srv, cfg, nil)
	if r.status(snapshot.Users) != "ok" || !strings.Contains(r.message(snapshot.Users), "bg-03@contoso.onmicrosoft.com was not found") {
		t.Errorf("users: %s %q", r.status(snapshot.Users), r.message(snapshot.Users))
	}
}

// Casts are accepted in both spellings, as advanced queries (Graph
// documents ConsistencyLevel: eventual and $count=true for OData casts on
// directory objects; without them the fake answers 400).
func TestGraphCastAliasAccepted(t *testing.T) {
	srv := newServer(t)
	plain, _ := newGet(srv, "/v1.0/users/"+bg1+"/transitiveMemberOf/microsoft.graph.group")
	resp, err := srv.Client().Do(plain)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("cast without ConsistencyLevel and $count: %d, want 400", resp.StatusCode)
	}
	for _, cast := range []string{"microsoft.graph.group", "graph.group"} {
		req, _ := newGet(srv, "/v1.0/users/"+bg1+"/transitiveMemberOf/"+cast+"?$count=true")
		req.Header.Set("ConsistencyLevel", "eventual")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Value []map[string]any `json:"value"`
		}
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(body.Value) != 1 || body.Value[0]["@odata.type"] != "#microsoft.graph.group" {
			t.Errorf("%s: %d %v", cast, resp.StatusCode, body.Value)
		}
	}
}

func newGet(srv *fakeserver.Server, path string) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	return req, nil
}

func TestInterruptedRunIsFatal(t *testing.T) {
	srv := newServer(t)
	srv.AddFault(&fakeserver.Fault{Path: "/identity/conditionalAccess/policies", Hang: 30 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	_, err := collector.Run(ctx, options(srv, loadConfig(t, srv, "breakglass.yaml"), &syncBuffer{}))
	var fe *collector.FatalError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("err = %v", err)
	}
}

func TestOverallTimeoutKeepsWhatWasCollected(t *testing.T) {
	srv := newServer(t)
	srv.AddFault(&fakeserver.Fault{Path: "/identity/conditionalAccess/policies", Hang: 30 * time.Second})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), func(o *collector.Options) { o.Timeout = 700 * time.Millisecond })
	if r.status(snapshot.ConditionalAccessPolicies) != "error" || !strings.Contains(r.message(snapshot.ConditionalAccessPolicies), "--timeout") {
		t.Errorf("conditionalAccessPolicies: %s %s", r.status(snapshot.ConditionalAccessPolicies), r.message(snapshot.ConditionalAccessPolicies))
	}
	if r.status(snapshot.Domains) != "ok" {
		t.Errorf("domains: %s", r.status(snapshot.Domains))
	}
}

func TestForbiddenOrganizationIsNotFatal(t *testing.T) {
	srv := newServer(t)
	srv.AddFault(&fakeserver.Fault{Path: "/organization", Status: 403, Code: "Authorization_RequestDenied", Message: "Insufficient privileges to complete the operation."})
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	// certificateBasedAuthConfiguration lives below /organization and needs
	// the same permission (Organization.Read.All).
	r.requireStatus(t, map[string]string{snapshot.Organization: "forbidden", snapshot.CertificateBasedAuthConfig: "forbidden"})
	if r.doc.Metadata.TenantID != "11111111-1111-4111-8111-111111111111" {
		t.Errorf("tenant %q, want the config's", r.doc.Metadata.TenantID)
	}
}

// A group nested in an exclusion group is walked, so BG-CA-005 can name the
// accounts it lets in and BG-CA-004 can judge its protection (the group
// object is read into groups).
func TestNestedExclusionGroupMembersAreCollected(t *testing.T) {
	tenant, err := fakeserver.Load(filepath.Join(fixtures, "tenant.json"))
	if err != nil {
		t.Fatal(err)
	}
	const nested = "22222222-0000-4000-8000-000000000003"
	tenant.GroupMembers[exclGrp] = append(tenant.GroupMembers[exclGrp], nested)
	srv := fakeserver.New(tenant, testToken)
	t.Cleanup(srv.Close)
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	if gm := r.item(snapshot.GroupMembers, nested); gm == nil || len(gm["members"].([]any)) != 1 {
		t.Fatalf("nested group members not collected: %v", r.items(snapshot.GroupMembers))
	}
	if gm := r.item(snapshot.GroupMembers, exclGrp); len(gm["members"].([]any)) != 4 {
		t.Errorf("exclusion group members = %v", gm["members"])
	}
	if st := r.status(snapshot.GroupMembers); st != "ok" {
		t.Errorf("groupMembers status %s", st)
	}
	if r.item(snapshot.Groups, nested) == nil {
		t.Errorf("nested group %s not in groups: %v", nested, r.ids(snapshot.Groups))
	}
}
