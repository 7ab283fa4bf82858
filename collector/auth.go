package collector

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
)

func lookupEnv(name string) (string, bool) { return os.LookupEnv(name) }

// staticTokenCredential hands out one pre-issued bearer token for every
// audience (the `token` auth mode: emulators, air-gapped runs).
type staticTokenCredential struct {
	token   string
	expires time.Time
}

func (c *staticTokenCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: c.token, ExpiresOn: c.expires}, nil
}

// newStaticTokenCredential uses the token's exp claim when it is a JWT, else
// one hour from now.
func newStaticTokenCredential(token string, now time.Time) *staticTokenCredential {
	exp := now.Add(time.Hour)
	if claims := jwtClaims(token); claims != nil {
		if v, ok := claims["exp"].(float64); ok && v > 0 {
			exp = time.Unix(int64(v), 0)
		}
	}
	return &staticTokenCredential{token: token, expires: exp}
}

// newCredential builds the credential for o.Auth. Secrets come from the
// environment only (never flags), as azidentity documents them.
func newCredential(o *Options, tenantID string) (azcore.TokenCredential, error) {
	c := o.cloud()
	copts := azcore.ClientOptions{Cloud: cloudConfig(c)}
	if o.HTTPClient != nil {
		copts.Transport = o.HTTPClient
	}
	clientID := o.ClientID
	if clientID == "" {
		clientID = o.env("AZURE_CLIENT_ID")
	}
	need := o.need
	switch o.Auth {
	case AuthToken:
		tok := o.env(TokenEnv)
		if tok == "" {
			return nil, &UsageError{Msg: fmt.Sprintf("--auth token needs a bearer token in the environment variable %s", TokenEnv)}
		}
		return newStaticTokenCredential(tok, o.Now()), nil
	case AuthDefault:
		return azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{ClientOptions: copts, TenantID: tenantID})
	case AuthCLI:
		return azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: tenantID})
	case AuthManagedIdentity:
		opts := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: copts}
		if clientID != "" {
			opts.ID = azidentity.ClientID(clientID)
		}
		return azidentity.NewManagedIdentityCredential(opts)
	case AuthClientSecret:
		secret := o.env("AZURE_CLIENT_SECRET")
		for _, e := range []error{need("a tenant", tenantID, "--tenant or AZURE_TENANT_ID"), need("a client id", clientID, "--client-id or AZURE_CLIENT_ID"), need("a client secret", secret, "AZURE_CLIENT_SECRET")} {
			if e != nil {
				return nil, e
			}
		}
		return azidentity.NewClientSecretCredential(tenantID, clientID, secret, &azidentity.ClientSecretCredentialOptions{ClientOptions: copts})
	case AuthClientCertificate:
		return o.clientCertificateCredential(tenantID, clientID, copts)
	case AuthWorkloadIdentity:
		return o.workloadIdentityCredential(tenantID, clientID, copts)
	}
	return nil, &UsageError{Msg: fmt.Sprintf("unknown --auth %q", o.Auth)}
}

// need is the usage error for a setting --auth needs but was not given.
func (o *Options) need(what, val, env string) error {
	if val == "" {
		return &UsageError{Msg: fmt.Sprintf("--auth %s needs %s: set %s", o.Auth, what, env)}
	}
	return nil
}

// clientCertificateCredential is --auth client-certificate: the
// certificate (PEM or PKCS#12) named by AZURE_CLIENT_CERTIFICATE_PATH.
func (o *Options) clientCertificateCredential(tenantID, clientID string, copts azcore.ClientOptions) (azcore.TokenCredential, error) {
	path := o.env("AZURE_CLIENT_CERTIFICATE_PATH")
	for _, e := range []error{o.need("a tenant", tenantID, "--tenant or AZURE_TENANT_ID"), o.need("a client id", clientID, "--client-id or AZURE_CLIENT_ID"), o.need("a certificate", path, "AZURE_CLIENT_CERTIFICATE_PATH (PEM or PKCS#12)")} {
		if e != nil {
			return nil, e
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &UsageError{Msg: fmt.Sprintf("AZURE_CLIENT_CERTIFICATE_PATH: %v", err)}
	}
	var pw []byte
	if p := o.env("AZURE_CLIENT_CERTIFICATE_PASSWORD"); p != "" {
		pw = []byte(p)
	}
	certs, key, err := azidentity.ParseCertificates(data, pw)
	if err != nil {
		return nil, &UsageError{Msg: fmt.Sprintf("AZURE_CLIENT_CERTIFICATE_PATH %s: %v", path, err)}
	}
	return azidentity.NewClientCertificateCredential(tenantID, clientID, certs, key, &azidentity.ClientCertificateCredentialOptions{ClientOptions: copts, SendCertificateChain: true})
}

// workloadIdentityCredential is --auth workload-identity: a federated
// token file (Kubernetes, CI), or the GitHub Actions OIDC token.
func (o *Options) workloadIdentityCredential(tenantID, clientID string, copts azcore.ClientOptions) (azcore.TokenCredential, error) {
	if o.env("AZURE_FEDERATED_TOKEN_FILE") != "" {
		return azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{ClientOptions: copts, TenantID: tenantID, ClientID: clientID})
	}
	reqURL, reqTok := o.env("ACTIONS_ID_TOKEN_REQUEST_URL"), o.env("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
	if reqURL == "" || reqTok == "" {
		return nil, &UsageError{Msg: "--auth workload-identity needs AZURE_FEDERATED_TOKEN_FILE (Kubernetes, or a file written by your CI), or a GitHub Actions job with `permissions: id-token: write` (ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN)"}
	}
	for _, e := range []error{o.need("a tenant", tenantID, "--tenant or AZURE_TENANT_ID"), o.need("a client id", clientID, "--client-id or AZURE_CLIENT_ID")} {
		if e != nil {
			return nil, e
		}
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	assertion := func(ctx context.Context) (string, error) {
		return githubOIDCToken(ctx, hc, reqURL, reqTok)
	}
	return azidentity.NewClientAssertionCredential(tenantID, clientID, assertion, &azidentity.ClientAssertionCredentialOptions{ClientOptions: copts})
}

// githubOIDCToken asks the GitHub Actions runtime for an OIDC token whose
// audience Entra ID's federated credentials expect.
func githubOIDCToken(ctx context.Context, hc *http.Client, reqURL, reqTok string) (string, error) {
	u, err := url.Parse(reqURL)
	if err != nil {
		return "", fmt.Errorf("ACTIONS_ID_TOKEN_REQUEST_URL is not a URL")
	}
	q := u.Query()
	q.Set("audience", "api://AzureADTokenExchange")
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+reqTok)
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("request the GitHub Actions OIDC token: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GitHub Actions OIDC token request returned HTTP %d (does the job have `permissions: id-token: write`?)", resp.StatusCode)
	}
	var v struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.Value == "" {
		return "", errors.New("GitHub Actions OIDC token response has no value")
	}
	return v.Value, nil
}

func cloudConfig(c Cloud) cloud.Configuration {
	switch c.Name {
	case "usgov":
		return cloud.AzureGovernment
	case "china":
		return cloud.AzureChina
	}
	return cloud.AzurePublic
}

// jwtClaims decodes a JWT payload without verifying it (nil when the token
// is not a JWT). Only used to record who collected; the token itself is
// never stored or logged.
func jwtClaims(token string) map[string]any {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil
	}
	var claims map[string]any
	if json.Unmarshal(payload, &claims) != nil {
		return nil
	}
	return claims
}

// principalFromClaims says who collected: a user (oid + upn) or a service
// principal / managed identity (oid + appid).
func principalFromClaims(claims map[string]any) *snapshot.Principal {
	str := func(k string) string {
		s, _ := claims[k].(string)
		return s
	}
	if claims == nil {
		return &snapshot.Principal{Type: "unknown"}
	}
	oid := str("oid")
	upn := str("upn")
	if upn == "" {
		upn = str("unique_name")
	}
	appid := str("appid")
	if appid == "" {
		appid = str("azp")
	}
	switch {
	case str("idtyp") == "user" || upn != "" || str("scp") != "":
		return &snapshot.Principal{Type: "user", ID: oid, Name: upn}
	case oid != "" || appid != "":
		return &snapshot.Principal{Type: "servicePrincipal", ID: oid, Name: appid}
	}
	return &snapshot.Principal{Type: "unknown"}
}
