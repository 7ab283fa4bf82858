package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/breakglass-dev/breakglass/collector"
	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/config"
	"github.com/breakglass-dev/breakglass/mappings"
	"github.com/breakglass-dev/breakglass/policies/engine"
)

func TestClassify(t *testing.T) {
	ran := func(err error) error { return &commandError{err} } // returned by a RunE
	for _, tt := range []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, exitOK},
		{"findings", ran(&exitError{code: exitFindings}), exitFindings},
		{"command-line usage", ran(usageError("--now %q", "x")), exitUsage},
		{"config", ran(&config.Error{Path: "b.yaml", Line: 3, Msg: "bad"}), exitUsage},
		{"mappings", ran(&mappings.Error{Path: "m.yaml", Msg: "bad"}), exitUsage},
		{"joined mappings errors", ran(errors.Join(&mappings.Error{Path: "m.yaml", Msg: "a"}, &mappings.Error{Path: "m.yaml", Msg: "b"})), exitUsage},
		{"snapshot input", ran(fmt.Errorf("--baseline: %w", &snapshot.InputError{Path: "s.json", Msg: "bad"})), exitUsage},
		{"policy compile", ran(&engine.PolicyError{Err: errors.New("x.rego:1: bad")}), exitUsage},
		{"collector usage", ran(&collector.UsageError{Msg: "--auth"}), exitUsage},
		{"collection failed", ran(&collector.FatalError{Msg: "no token"}), exitCollector},
		{"scan interrupted", ran(engine.ErrInterrupted), exitIncomplete},
		{"cancelled", ran(context.Canceled), exitIncomplete},
		{"unknown error of a command is not a usage error", ran(errors.New("render sarif: boom")), exitIncomplete},
		{"cobra's own error (unknown command, arguments)", errors.New(`unknown command "x" for "breakglass"`), exitUsage},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := classify(tt.err); got != tt.want {
				t.Errorf("classify(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestExitCodePrints(t *testing.T) {
	var buf bytes.Buffer
	if code := exitCode(&buf, &commandError{&exitError{code: exitFindings}}); code != exitFindings || buf.Len() != 0 {
		t.Errorf("findings already reported: exit %d, stderr %q", code, buf.String())
	}
	buf.Reset()
	if code := exitCode(&buf, &commandError{errors.New("boom")}); code != exitIncomplete || buf.String() != "breakglass: boom\n" {
		t.Errorf("unknown error: exit %d, stderr %q", code, buf.String())
	}
}

func TestUnknownCommandIsUsage(t *testing.T) {
	if code, _, errOut := run(t, "no-such-command"); code != exitUsage || errOut == "" {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if code, _, _ := run(t, "policy", "test"); code != exitUsage {
		t.Errorf("policy test without DIR: exit %d, want 2", code)
	}
}
