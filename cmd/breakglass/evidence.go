package main

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/report/evidence"
	"github.com/spf13/cobra"
)

type evidenceOptions struct {
	evalOptions
	output  string
	signKey string
}

func newEvidenceCmd() *cobra.Command {
	var o evidenceOptions
	cmd := &cobra.Command{
		Use:   "evidence SNAPSHOT --config breakglass.yaml --output PACK.zip|DIR",
		Short: "Write an auditor's evidence pack (zip or directory) with a checksum manifest",
		Long: `Scan a snapshot and write an evidence pack: the snapshot and declaration as
given, results (JSON, SARIF, JUnit), report.html, a control matrix per
framework (CSV and Markdown), provenance, OSCAL Assessment Results and
MANIFEST.sha256 over every file (optionally signed with --sign-key).

The pack is deterministic: the same inputs give the same bytes. --output
ending in .zip writes a zip archive; anything else a new or empty directory
(check it with sha256sum -c MANIFEST.sha256 inside it).

Exit codes: 0 pack written (whatever the findings); 2 usage, config, policy
or input error.`,
		Example: `  breakglass evidence snapshot.json --config breakglass.yaml --output evidence.zip
  breakglass evidence snapshot.json --config breakglass.yaml --baseline last-month.json \
      --sign-key evidence-key.pem --output evidence-2026-12/
  breakglass evidence verify evidence.zip --pub evidence-key.pub.pem`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("evidence needs exactly one SNAPSHOT file (got %d arguments): breakglass evidence snapshot.json --config breakglass.yaml --output evidence.zip", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEvidence(cmd, args[0], o)
		},
	}
	f := cmd.Flags()
	o.addFlags(f, "breakglass.yaml declaring the accounts (required: the pack records the declaration)", true)
	f.StringVarP(&o.output, "output", "o", "", "the pack: a .zip file, or a new or empty directory (required)")
	f.StringVar(&o.signKey, "sign-key", "", "ed25519 private key (PKCS#8 PEM) to sign MANIFEST.sha256 with (writes MANIFEST.sha256.sig)")
	cmd.AddCommand(newEvidenceVerifyCmd())
	return cmd
}

func runEvidence(cmd *cobra.Command, snapshotPath string, o evidenceOptions) error {
	zipOut, err := o.check(snapshotPath)
	if err != nil {
		return err
	}
	key, err := loadSignKey(o.signKey)
	if err != nil {
		return err
	}
	rep, err := buildReport(cmd, snapshotPath, scanOptions{evalOptions: o.evalOptions, outputs: &outputSpec{}})
	if err != nil {
		return err
	}
	opts := evidence.Options{Report: rep, SignKey: key}
	if err := o.readInputs(snapshotPath, &opts); err != nil {
		return err
	}
	pack, err := evidence.Build(opts)
	if err != nil {
		return usageError("%v", err)
	}
	if zipOut {
		data, err := pack.Zip()
		if err != nil {
			return err
		}
		if err := snapshot.WriteFile(o.output, data); err != nil {
			return usageError("--output %s: %v", o.output, err)
		}
	} else if err := pack.WriteDir(o.output, snapshot.WriteFile); err != nil {
		return usageError("--output %s: %v", o.output, err)
	}
	s := rep.Summary
	fmt.Fprintf(cmd.ErrOrStderr(), "breakglass: evidence pack %s: %d files, %d results (%d fail, %d error, %d manual, %d waived)%s\n",
		o.output, len(pack.Files), len(rep.Results), s["fail"], s["error"], s["manual"], s["waived"], map[bool]string{true: ", signed", false: ""}[key != nil])
	return nil
}

// check refuses options evidence cannot work with, and reports whether the
// pack is a zip file (else a directory).
func (o evidenceOptions) check(snapshotPath string) (zipOut bool, err error) {
	if o.configPath == "" {
		return false, usageError("evidence needs --config breakglass.yaml: the pack records the declaration the tenant was judged against")
	}
	if err := o.evalOptions.check(); err != nil {
		return false, err
	}
	if o.output == "" {
		return false, usageError("evidence needs --output: a .zip file or a new or empty directory")
	}
	zipOut = strings.EqualFold(filepath.Ext(o.output), ".zip")
	if zipOut {
		if err := checkWritable(o.output); err != nil {
			return false, usageError("--output %s: %v", o.output, err)
		}
	} else if entries, err := os.ReadDir(o.output); err == nil && len(entries) > 0 {
		return false, usageError("--output %s is a directory that is not empty: give a new or empty directory, or a .zip file", o.output)
	} else if info, err := os.Stat(o.output); err == nil && !info.IsDir() {
		return false, usageError("--output %s exists and is not a directory; a zip pack needs the .zip extension", o.output)
	}
	if flag := o.overwrittenInput(snapshotPath, o.output); flag != "" {
		return false, usageError("--output %s would overwrite the %s file: write the pack somewhere else", o.output, flag)
	}
	return zipOut, nil
}

// loadSignKey reads --sign-key (nil without one).
func loadSignKey(path string) (ed25519.PrivateKey, error) {
	if path == "" {
		return nil, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError("--sign-key %s: %v", path, errors.Unwrap(err))
	}
	key, err := evidence.ParsePrivateKey(raw)
	if err != nil {
		return nil, usageError("--sign-key %s: %v", path, err)
	}
	return key, nil
}

// readInputs reads the files the pack holds as they were given: the
// snapshot, config, baseline, --policy rules and --mappings files.
func (o evidenceOptions) readInputs(snapshotPath string, opts *evidence.Options) error {
	var err error
	read := func(flag, path string) ([]byte, error) {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, usageError("%s %s: %v", flag, path, errors.Unwrap(err))
		}
		return data, nil
	}
	if opts.Snapshot, err = read("SNAPSHOT", snapshotPath); err != nil {
		return err
	}
	if opts.Config, err = read("--config", o.configPath); err != nil {
		return err
	}
	if o.baseline != "" {
		if opts.Baseline, err = read("--baseline", o.baseline); err != nil {
			return err
		}
	}
	for _, dir := range o.policyDirs {
		files, err := policyFiles(dir)
		if err != nil {
			return usageError("--policy %s: %v", dir, err)
		}
		opts.Policies = append(opts.Policies, files...)
	}
	for _, m := range o.mappingFile {
		data, err := read("--mappings", m)
		if err != nil {
			return err
		}
		opts.Mappings = append(opts.Mappings, evidence.File{Name: filepath.Base(m), Data: data})
	}
	return nil
}

// policyFiles lists the evaluated .rego files of a --policy directory
// (tests excluded, as the engine loads them), named <dir base>/<path>.
func policyFiles(dir string) ([]evidence.File, error) {
	var out []evidence.File
	base := filepath.Base(filepath.Clean(dir))
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") || strings.HasSuffix(p, "_test.rego") {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, evidence.File{Name: base + "/" + filepath.ToSlash(rel), Data: data})
		return nil
	})
	return out, err
}

func newEvidenceVerifyCmd() *cobra.Command {
	var pubPath string
	cmd := &cobra.Command{
		Use:   "verify PACK.zip|DIR [--pub KEY]",
		Short: "Check an evidence pack against its manifest (and signature)",
		Long: `Check every file of an evidence pack against MANIFEST.sha256 and name each
changed, added or removed file; with --pub, also check the manifest's ed25519
signature.

Exit codes: 0 intact (and validly signed, with --pub); 1 a file changed,
was added or removed, the manifest is malformed or the signature is bad or
missing; 2 usage error (no such pack, unreadable key).`,
		Example: `  breakglass evidence verify evidence.zip
  breakglass evidence verify evidence-2026-12/ --pub evidence-key.pub.pem`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("evidence verify needs exactly one PACK (.zip file or directory), got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var pub ed25519.PublicKey
			if pubPath != "" {
				raw, err := os.ReadFile(pubPath)
				if err != nil {
					return usageError("--pub %s: %v", pubPath, errors.Unwrap(err))
				}
				if pub, err = evidence.ParsePublicKey(raw); err != nil {
					return usageError("--pub %s: %v", pubPath, err)
				}
			}
			files, err := evidence.Read(args[0])
			if err != nil {
				return usageError("%v", err)
			}
			v := evidence.Verify(files, pub)
			out := cmd.OutOrStdout()
			for _, n := range v.Changed {
				fmt.Fprintf(out, "changed: %s\n", n)
			}
			for _, n := range v.Removed {
				fmt.Fprintf(out, "removed: %s\n", n)
			}
			for _, n := range v.Added {
				fmt.Fprintf(out, "added: %s (not in %s)\n", n, evidence.Manifest)
			}
			for _, p := range v.Problems {
				fmt.Fprintf(out, "problem: %s\n", p)
			}
			switch v.Signature {
			case evidence.SigValid:
				fmt.Fprintf(out, "signature: valid (key %s)\n", evidence.KeyID(pub))
			case evidence.SigInvalid:
				fmt.Fprintf(out, "signature: INVALID for key %s: the manifest was altered or signed with another key\n", evidence.KeyID(pub))
			case evidence.SigUnchecked:
				fmt.Fprintf(out, "signature: present, not checked (give --pub KEY to check it)\n")
			case evidence.SigAbsent:
				fmt.Fprintf(out, "signature: none\n")
			}
			if !v.OK() {
				return &exitError{code: exitFindings, err: fmt.Errorf("%s is NOT intact: %d changed, %d removed, %d added, %d other problem(s), signature %s",
					args[0], len(v.Changed), len(v.Removed), len(v.Added), len(v.Problems), v.Signature)}
			}
			fmt.Fprintf(out, "%s: intact, %d files match %s\n", args[0], v.Files, evidence.Manifest)
			return nil
		},
	}
	cmd.Flags().StringVar(&pubPath, "pub", "", "ed25519 public key (PEM) the manifest must be signed with")
	return cmd
}
