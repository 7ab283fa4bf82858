package collector

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

func jwt(claims map[string]any) string {
	b, _ := json.Marshal(claims)
	return "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString(b) + ".sig"
}

func TestPrincipalFromClaims(t *testing.T) {
	for _, tc := range []struct {
		token         string
		typ, id, name string
	}{
		{jwt(map[string]any{"oid": "o1", "appid": "a1", "idtyp": "app"}), "servicePrincipal", "o1", "a1"},
		{jwt(map[string]any{"oid": "o2", "azp": "a2"}), "servicePrincipal", "o2", "a2"},
		{jwt(map[string]any{"oid": "o3", "upn": "admin@contoso.com", "scp": "User.Read"}), "user", "o3", "admin@contoso.com"},
		{"not-a-jwt", "unknown", "", ""},
	} {
		p := principalFromClaims(jwtClaims(tc.token))
		if p.Type != tc.typ || p.ID != tc.id || p.Name != tc.name {
			t.Errorf("%s: got %+v", tc.token, p)
		}
	}
}

func TestStaticTokenCredential(t *testing.T) {
	now := time.Unix(1700000000, 0)
	c := newStaticTokenCredential(jwt(map[string]any{"exp": 1800000000}), now)
	tok, err := c.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://vault.azure.net/.default"}})
	if err != nil || tok.ExpiresOn.Unix() != 1800000000 {
		t.Errorf("token expiry %v, %v", tok.ExpiresOn, err)
	}
	if c := newStaticTokenCredential("opaque", now); !c.expires.Equal(now.Add(time.Hour)) {
		t.Errorf("opaque token expiry %v", c.expires)
	}
}

func TestGitHubOIDCToken(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer runtime-token" || r.URL.Query().Get("audience") != "api://AzureADTokenExchange" {
			w.WriteHeader(403)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"count":1,"value":"gh-oidc-jwt"}`))
	}))
	defer srv.Close()
	got, err := githubOIDCToken(context.Background(), srv.Client(), srv.URL+"/token?api-version=2.0", "runtime-token")
	if err != nil || got != "gh-oidc-jwt" {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := githubOIDCToken(context.Background(), srv.Client(), srv.URL+"/token", "wrong"); err == nil {
		t.Fatal("a refused request must fail")
	}
}

func TestCredentialModesNeedTheirEnvironment(t *testing.T) {
	for _, mode := range []string{AuthClientSecret, AuthClientCertificate, AuthWorkloadIdentity, AuthToken} {
		o := &Options{Auth: mode}
		if err := o.setDefaults(); err != nil {
			t.Fatal(err)
		}
		o.LookupEnv = func(string) (string, bool) { return "", false }
		_, err := newCredential(o, "11111111-1111-4111-8111-111111111111")
		if _, ok := err.(*UsageError); !ok {
			t.Errorf("%s without environment: %v, want a UsageError", mode, err)
		}
	}
}

// refusingTransport answers every request with a 400 at once: credentials
// fail fast and nothing reaches the network (or IMDS).
type refusingTransport struct{}

func (refusingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusBadRequest,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(strings.NewReader(`{"error":"invalid_request","error_description":"refused by the test"}`)),
		Request:    r,
	}, nil
}

// selfSignedPEM writes a throwaway certificate and key for client-certificate.
func selfSignedPEM(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "breakglass-test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cert.pem")
	data := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})...)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Each --auth mode whose credential cannot get a token says what failed (the
// azidentity error) and gives exactly one piece of advice, for that mode.
func TestCredentialFailureAdvicePerMode(t *testing.T) {
	const (
		tenant = "11111111-1111-4111-8111-111111111111"
		secret = "s3cret-value-never-printed"
	)
	// No Azure CLI, azd or PowerShell, and no azidentity variables: only
	// what each case sets.
	emptyPath := t.TempDir()
	t.Setenv("PATH", emptyPath)
	for _, k := range []string{"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_TOKEN_CREDENTIALS", "AZURE_USERNAME", "IDENTITY_ENDPOINT", "MSI_ENDPOINT"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	// An az that is installed but signed out.
	signedOut := t.TempDir()
	if err := os.WriteFile(filepath.Join(signedOut, "az"), []byte("#!/bin/sh\necho \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cert := selfSignedPEM(t)
	clientID := "22222222-2222-4222-8222-222222222222"

	advice := map[string]string{
		"cli-missing":         "install the Azure CLI (https://aka.ms/azcli) or use another --auth",
		"cli-signed-out":      "run `az login --tenant " + tenant + "` first",
		AuthDefault:           authHint(AuthDefault, tenant, nil),
		AuthWorkloadIdentity:  authHint(AuthWorkloadIdentity, tenant, nil),
		AuthManagedIdentity:   authHint(AuthManagedIdentity, tenant, nil),
		AuthClientSecret:      authHint(AuthClientSecret, tenant, nil),
		AuthClientCertificate: authHint(AuthClientCertificate, tenant, nil),
	}
	for _, tc := range []struct {
		name, mode string
		path       string
		env        map[string]string
		cause      string // from the azidentity (or OIDC) error
	}{
		{name: AuthDefault, mode: AuthDefault, cause: "DefaultAzureCredential: failed to acquire a token"},
		{name: "cli-missing", mode: AuthCLI, cause: "AzureCLICredential: executable not found on path"},
		{name: "cli-signed-out", mode: AuthCLI, path: signedOut, cause: "Please run 'az login' to setup account"},
		{name: AuthWorkloadIdentity, mode: AuthWorkloadIdentity, env: map[string]string{"AZURE_CLIENT_ID": clientID, "ACTIONS_ID_TOKEN_REQUEST_URL": "https://token.actions.example/x", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "runtime-token"}, cause: "ClientAssertionCredential authentication failed"},
		{name: AuthManagedIdentity, mode: AuthManagedIdentity, cause: "ManagedIdentityCredential"},
		{name: AuthClientSecret, mode: AuthClientSecret, env: map[string]string{"AZURE_CLIENT_ID": clientID, "AZURE_CLIENT_SECRET": secret}, cause: "ClientSecretCredential authentication failed"},
		{name: AuthClientCertificate, mode: AuthClientCertificate, env: map[string]string{"AZURE_CLIENT_ID": clientID, "AZURE_CLIENT_CERTIFICATE_PATH": cert}, cause: "ClientCertificateCredential authentication failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := emptyPath
			if tc.path != "" {
				p = tc.path
			}
			t.Setenv("PATH", p)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := Run(ctx, Options{
				Auth:       tc.mode,
				TenantID:   tenant,
				HTTPClient: &http.Client{Transport: refusingTransport{}},
				LookupEnv:  func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok },
			})
			var fe *FatalError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a FatalError", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "cannot get a Microsoft Graph token with --auth "+tc.mode+": ") {
				t.Errorf("message does not start by naming the mode:\n%s", msg)
			}
			if !strings.Contains(msg, tc.cause) {
				t.Errorf("message lacks the credential's own error %q:\n%s", tc.cause, msg)
			}
			if n := strings.Count(msg, advice[tc.name]); n != 1 || fe.Hint != advice[tc.name] {
				t.Errorf("advice %q appears %d times (hint %q):\n%s", advice[tc.name], n, fe.Hint, msg)
			}
			if !strings.HasSuffix(msg, advice[tc.name]) {
				t.Errorf("advice is not the last thing said:\n%s", msg)
			}
			for name, other := range advice {
				if name != tc.name && strings.Contains(msg, other) {
					t.Errorf("message also gives %s's advice %q:\n%s", name, other, msg)
				}
			}
			for _, bad := range []string{"sign in (az login)", "tried", secret, "runtime-token"} {
				if strings.Contains(msg, bad) {
					t.Errorf("message contains %q:\n%s", bad, msg)
				}
			}
		})
	}
}

func TestFatalErrorHintPlacement(t *testing.T) {
	one := &FatalError{Msg: "m", Err: errors.New("cause"), Hint: "do this"}
	if got := one.Error(); got != "m: cause; do this" {
		t.Errorf("one-line: %q", got)
	}
	multi := &FatalError{Msg: "m", Err: errors.New("cause\n  detail\n"), Hint: "do this"}
	if got := multi.Error(); got != "m: cause\n  detail\ndo this" {
		t.Errorf("multi-line: %q", got)
	}
	if got := (&FatalError{Msg: "m"}).Error(); got != "m" {
		t.Errorf("bare: %q", got)
	}
}
