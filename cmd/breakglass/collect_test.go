package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// pflag takes a back-quoted word in a usage string as the flag's value
// name (`--request-timeout error`), so no usage string may contain one.
func TestFlagUsageHasNoBackquotes(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		check := func(f *pflag.Flag) {
			if strings.Contains(f.Usage, "`") {
				t.Errorf("%s --%s: usage %q contains a backquote (pflag shows the quoted word as the value name)", c.CommandPath(), f.Name, f.Usage)
			}
		}
		c.LocalFlags().VisitAll(check)
		c.PersistentFlags().VisitAll(check)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd())
}

func TestCollectHelpShowsValueTypes(t *testing.T) {
	code, out, errOut := run(t, "collect", "--help")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"--request-timeout duration", "--max-candidates int"} {
		if !strings.Contains(out, want) {
			t.Errorf("collect --help lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "--request-timeout error") {
		t.Errorf("collect --help shows a back-quoted word as a value name:\n%s", out)
	}
}

func TestCollectRejectsNonPositiveMaxCandidates(t *testing.T) {
	code, _, errOut := run(t, "collect", "--max-candidates", "0")
	if code != 2 || !strings.Contains(errOut, "--max-candidates") {
		t.Errorf("exit %d, stderr %q; want 2 naming --max-candidates", code, errOut)
	}
}

// An --output that cannot be written is refused (exit 2) before the first
// request, not after a collection that can take half an hour.
func TestCollectChecksOutputBeforeAnyRequest(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.StartTLS()
	defer srv.Close()
	t.Setenv("BREAKGLASS_ACCESS_TOKEN", "test-token")

	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "nonexistent")
	for _, tc := range []struct{ output, want string }{
		{filepath.Join(missing, "s.json"), "--output " + filepath.Join(missing, "s.json") + ": directory " + missing + " does not exist"},
		{filepath.Join(file, "s.json"), "--output " + filepath.Join(file, "s.json") + ": " + file + " is not a directory"},
		{dir, "--output " + dir + ": is a directory"},
	} {
		code, _, errOut := run(t, "collect", "--auth", "token", "--graph-endpoint", srv.URL, "--arm-endpoint", srv.URL, "-o", tc.output)
		if code != 2 || errOut != "breakglass: "+tc.want+"\n" {
			t.Errorf("-o %s: exit %d, stderr %q; want 2 and %q", tc.output, code, errOut, tc.want)
		}
	}
	if n := conns.Load(); n != 0 {
		t.Errorf("%d connections made before the --output check", n)
	}
}

// With --auth cli and no Azure CLI, the one piece of advice is to install
// it; the azidentity error is kept and nothing else is suggested.
func TestCollectCLIWithoutAzureCLI(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for _, k := range []string{"AZURE_TENANT_ID", "AZURE_CLIENT_ID"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	out := filepath.Join(t.TempDir(), "s.json")
	code, _, errOut := run(t, "collect", "--auth", "cli", "--quiet", "-o", out)
	want := "breakglass: collection failed, no snapshot written: cannot get a Microsoft Graph token with --auth cli: AzureCLICredential: executable not found on path; install the Azure CLI (https://aka.ms/azcli) or use another --auth\n"
	if code != 3 || errOut != want {
		t.Errorf("exit %d, stderr\n%q\nwant 3 and\n%q", code, errOut, want)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a snapshot was written: %v", err)
	}
}
