package collector_test

import (
	"strings"
	"testing"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
)

// A vault whose 401 challenge names another audience (here Microsoft Graph)
// must not get a token for it: the Key Vault client only ever receives
// tokens for the cloud's Key Vault scope.
func TestVaultChallengeForAnotherAudienceGetsNoToken(t *testing.T) {
	srv := newServer(t)
	srv.VaultChallengeResource = "https://graph.microsoft.com"
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)

	auths := srv.VaultAuthorizations()
	if len(auths) == 0 {
		t.Fatal("the collector did not contact the vault at all")
	}
	for _, a := range auths {
		if a != "" {
			t.Errorf("the vault received an Authorization header %.20q... after challenging for Microsoft Graph", a)
		}
	}
	r.requireStatus(t, map[string]string{snapshot.KeyVaultSecrets: "error"})
	msg := r.message(snapshot.KeyVaultSecrets)
	host := strings.TrimPrefix(srv.URL, "https://")
	for _, want := range []string{"the vault at " + host, "https://graph.microsoft.com/.default", "refuses"} {
		if !strings.Contains(msg, want) {
			t.Errorf("keyVaultSecrets message %q lacks %q", msg, want)
		}
	}
}

// The normal challenge (resource https://vault.azure.net) still gets the
// token, and only after the anonymous request that elicits the challenge.
func TestVaultChallengeForKeyVaultGetsToken(t *testing.T) {
	srv := newServer(t)
	r := collect(t, srv, loadConfig(t, srv, "breakglass.yaml"), nil)
	r.requireStatus(t, nil)
	auths := srv.VaultAuthorizations()
	if len(auths) < 2 || auths[0] != "" {
		t.Fatalf("vault Authorization headers = %d, want an anonymous request first", len(auths))
	}
	withToken := 0
	for _, a := range auths[1:] {
		if a == "Bearer "+testToken {
			withToken++
		}
	}
	if withToken == 0 {
		t.Error("the vault never received the token after its challenge")
	}
	if n := len(r.items(snapshot.KeyVaultSecrets)); n != 2 {
		t.Errorf("keyVaultSecrets: %d items, want 2", n)
	}
}
