// Package collector reads an Entra ID tenant and its Azure subscriptions
// through Microsoft Graph, Azure Resource Manager and the Key Vault data
// plane, and turns what it read into a snapshot.Document.
//
// Only what the break-glass rules need is read: the number of requests grows
// with the number of privileged principals, Conditional Access policies and
// subscriptions, never with the number of users in the tenant or the size of
// groups (membership is resolved from the account side with
// transitiveMemberOf).
package collector

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/breakglass-dev/breakglass/config"
)

// Cloud is a national-cloud preset: API endpoints and token audiences.
type Cloud struct {
	Name          string
	GraphEndpoint string // https://graph.microsoft.com
	ARMEndpoint   string // https://management.azure.com
	ARMAudience   string // token audience for ARM
	GraphAudience string // token audience for Graph
	VaultAudience string // token audience for Key Vault
	AuthorityHost string // Entra ID login endpoint
}

// Clouds are the presets behind --cloud.
var Clouds = map[string]Cloud{
	"public": {
		Name:          "public",
		GraphEndpoint: "https://graph.microsoft.com",
		GraphAudience: "https://graph.microsoft.com",
		ARMEndpoint:   "https://management.azure.com",
		ARMAudience:   "https://management.azure.com",
		VaultAudience: "https://vault.azure.net",
		AuthorityHost: "https://login.microsoftonline.com/",
	},
	"usgov": {
		Name:          "usgov",
		GraphEndpoint: "https://graph.microsoft.us",
		GraphAudience: "https://graph.microsoft.us",
		ARMEndpoint:   "https://management.usgovcloudapi.net",
		ARMAudience:   "https://management.core.usgovcloudapi.net",
		VaultAudience: "https://vault.usgovcloudapi.net",
		AuthorityHost: "https://login.microsoftonline.us/",
	},
	"china": {
		Name:          "china",
		GraphEndpoint: "https://microsoftgraph.chinacloudapi.cn",
		GraphAudience: "https://microsoftgraph.chinacloudapi.cn",
		ARMEndpoint:   "https://management.chinacloudapi.cn",
		ARMAudience:   "https://management.core.chinacloudapi.cn",
		VaultAudience: "https://vault.azure.cn",
		AuthorityHost: "https://login.chinacloudapi.cn/",
	},
}

// Auth modes accepted by --auth.
const (
	AuthDefault           = "default"
	AuthCLI               = "cli"
	AuthWorkloadIdentity  = "workload-identity"
	AuthManagedIdentity   = "managed-identity"
	AuthClientSecret      = "client-secret"
	AuthClientCertificate = "client-certificate"
	AuthToken             = "token"
)

// AuthModes lists the --auth values in help order.
var AuthModes = []string{AuthDefault, AuthCLI, AuthWorkloadIdentity, AuthManagedIdentity, AuthClientSecret, AuthClientCertificate, AuthToken}

// TokenEnv is the environment variable the `token` auth mode reads.
const TokenEnv = "BREAKGLASS_ACCESS_TOKEN"

// Options configure one collection run.
type Options struct {
	Config *config.Config

	Auth     string // one of AuthModes; default "default"
	TenantID string // --tenant; falls back to config tenantId, then AZURE_TENANT_ID
	ClientID string // --client-id; falls back to AZURE_CLIENT_ID
	Cloud    string // public | usgov | china

	GraphEndpoint string // overrides the cloud preset (any https URL)
	ARMEndpoint   string // overrides the cloud preset (any https URL)

	Concurrency    int           // parallel requests in flight; default 4
	Timeout        time.Duration // whole run; default 30m
	RequestTimeout time.Duration // one logical request including its retries; default 3m

	// MaxCandidates bounds how many undeclared candidate users get their
	// methods and memberships read (--max-candidates, default
	// DefaultMaxCandidates). Declared accounts are always read in full;
	// more candidates than this fail authenticationMethods and
	// transitiveMemberOf as incomplete.
	MaxCandidates int

	// MaxRetries bounds the retries on 429/503/504 (default 3).
	MaxRetries int
	// RetryDelay is the base back-off when the server sends no Retry-After
	// (default 2s; jittered and doubled per attempt). MaxRetryDelay caps a
	// Retry-After the server asks for (default 60s): longer waits fail the
	// data set as throttled instead of stalling the run.
	RetryDelay    time.Duration
	MaxRetryDelay time.Duration

	// MaxResponseBytes bounds one HTTP response body (--max-response-mib;
	// default DefaultMaxResponseBytes): a larger one makes its data set
	// error, and is never read past the limit.
	MaxResponseBytes int64
	// MaxPages, when positive, replaces the per-data-set page limits of
	// every listing (--max-pages; see limits.go); 0 keeps them.
	MaxPages int
	// BudgetTimeScale multiplies the windows of Graph's throttling budgets
	// (budget.go); 0 means 1, real time. Tests shrink them together with
	// the fake server's.
	BudgetTimeScale float64
	// BatchSize is how many per-user Graph reads go in one JSON batch
	// (POST /$batch; graph_batch.go): default and maximum 20, Graph's
	// limit; 1 sends each read as a request of its own.
	BatchSize int

	ToolName    string
	ToolVersion string

	// Progress receives one line per finished data set (nil: none).
	Progress io.Writer
	// Log receives one line per HTTP request when verbose (nil: none):
	// method, URL path and query, status and duration; never headers.
	Log io.Writer

	// Environment lookup (os.LookupEnv when nil); tests inject their own.
	LookupEnv func(string) (string, bool)

	// HTTPClient replaces the network transport for all three APIs. Tests
	// use it to trust the fake server's certificate; production leaves it
	// nil (TLS trust comes from the system pool and SSL_CERT_FILE).
	HTTPClient *http.Client

	// Now returns the current time (time.Now when nil).
	Now func() time.Time
}

func (o *Options) setDefaults() error {
	if o.Config == nil {
		o.Config = config.Default()
	}
	if o.Auth == "" {
		o.Auth = AuthDefault
	}
	valid := false
	for _, m := range AuthModes {
		if o.Auth == m {
			valid = true
		}
	}
	if !valid {
		return &UsageError{Msg: fmt.Sprintf("--auth %q is not one of %s", o.Auth, strings.Join(AuthModes, ", "))}
	}
	if o.Cloud == "" {
		o.Cloud = "public"
	}
	c, ok := Clouds[o.Cloud]
	if !ok {
		return &UsageError{Msg: fmt.Sprintf("--cloud %q is not one of public, usgov, china", o.Cloud)}
	}
	if o.GraphEndpoint == "" {
		o.GraphEndpoint = c.GraphEndpoint
	}
	if o.ARMEndpoint == "" {
		o.ARMEndpoint = c.ARMEndpoint
	}
	var err error
	if o.GraphEndpoint, err = checkEndpoint("--graph-endpoint", o.GraphEndpoint); err != nil {
		return err
	}
	if o.ARMEndpoint, err = checkEndpoint("--arm-endpoint", o.ARMEndpoint); err != nil {
		return err
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Concurrency > 32 {
		return &UsageError{Msg: fmt.Sprintf("--concurrency %d is more than 32: Microsoft Graph throttles Conditional Access and directory reads per app and tenant; 4 to 8 is plenty", o.Concurrency)}
	}
	o.setLimitDefaults()
	if o.ToolName == "" {
		o.ToolName = "breakglass"
	}
	if o.ToolVersion == "" {
		o.ToolVersion = "dev"
	}
	if o.LookupEnv == nil {
		o.LookupEnv = lookupEnv
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return nil
}

// setLimitDefaults sets the timeouts, retries and caps not given.
func (o *Options) setLimitDefaults() {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Minute
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 3 * time.Minute
	}
	if o.MaxCandidates <= 0 {
		o.MaxCandidates = DefaultMaxCandidates
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 3
	}
	if o.MaxRetries > 10 {
		o.MaxRetries = 10
	}
	if o.RetryDelay <= 0 {
		o.RetryDelay = 2 * time.Second
	}
	if o.MaxRetryDelay <= 0 {
		o.MaxRetryDelay = 60 * time.Second
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if o.BatchSize <= 0 || o.BatchSize > maxBatchItems {
		o.BatchSize = maxBatchItems
	}
}

func (o *Options) env(name string) string {
	v, _ := o.LookupEnv(name)
	return strings.TrimSpace(v)
}

func (o *Options) cloud() Cloud { return Clouds[o.Cloud] }

// checkEndpoint accepts any absolute https URL and returns it without a
// trailing slash.
func checkEndpoint(flag, raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", &UsageError{Msg: fmt.Sprintf("%s %q must be an https URL such as https://graph.microsoft.com (TLS trust for test servers comes from SSL_CERT_FILE)", flag, raw)}
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// UsageError is a bad flag or option: exit code 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// FatalError means nothing useful could be collected (exit code 3): the
// credential failed, the token was rejected, or the tenant is the wrong one.
// Msg says what to fix.
type FatalError struct {
	Msg  string
	Err  error
	Hint string // what to do, after Err's text (on its own line when Err's is multi-line)
}

func (e *FatalError) Error() string {
	s := e.Msg
	if e.Err != nil {
		s += ": " + strings.TrimRight(e.Err.Error(), "\n")
	}
	switch {
	case e.Hint == "":
	case strings.Contains(s, "\n"):
		s += "\n" + e.Hint
	default:
		s += "; " + e.Hint
	}
	return s
}

func (e *FatalError) Unwrap() error { return e.Err }
