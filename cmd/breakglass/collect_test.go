package main

import (
	"strings"
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
