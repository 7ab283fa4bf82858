package main

import (
	"strings"
	"testing"
)

func TestCollectRejectsNonPositiveMaxCandidates(t *testing.T) {
	code, _, errOut := run(t, "collect", "--max-candidates", "0")
	if code != 2 || !strings.Contains(errOut, "--max-candidates") {
		t.Errorf("exit %d, stderr %q; want 2 naming --max-candidates", code, errOut)
	}
}
