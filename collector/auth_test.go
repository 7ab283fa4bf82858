package collector

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
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
