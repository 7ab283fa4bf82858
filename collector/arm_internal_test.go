package collector

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

type recordingCredential struct{ scopes [][]string }

func (c *recordingCredential) GetToken(_ context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.scopes = append(c.scopes, o.Scopes)
	return azcore.AccessToken{Token: "t"}, nil
}

func TestVaultScopeCredentialIssuesOnlyTheCloudsKeyVaultScope(t *testing.T) {
	want := map[string]string{
		"public": "https://vault.azure.net/.default",
		"usgov":  "https://vault.usgovcloudapi.net/.default",
		"china":  "https://vault.azure.cn/.default",
	}
	for name, scope := range want {
		if got := Clouds[name].VaultAudience + "/.default"; got != scope {
			t.Errorf("%s: Key Vault scope %s, want %s", name, got, scope)
		}
		inner := &recordingCredential{}
		c := &vaultScopeCredential{cred: inner, scope: Clouds[name].VaultAudience + "/.default", host: "kv.example"}
		if _, err := c.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{scope}}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		var refused []string
		for _, other := range want {
			if other != scope {
				refused = append(refused, other)
			}
		}
		refused = append(refused, "https://graph.microsoft.com/.default", "https://management.azure.com/.default",
			"https://vault.azure.net.evil.example/.default", scope+"x")
		for _, s := range refused {
			_, err := c.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{s}})
			var se *vaultScopeError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), "the vault at kv.example asked for a token for "+s+", which breakglass refuses") {
				t.Errorf("%s: scope %s: err = %v", name, s, err)
			}
		}
		if _, err := c.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{scope, "https://graph.microsoft.com/.default"}}); err == nil {
			t.Errorf("%s: a request for two scopes was answered", name)
		}
		if len(inner.scopes) != 1 || inner.scopes[0][0] != scope {
			t.Errorf("%s: the wrapped credential was asked for %v", name, inner.scopes)
		}
	}
}
