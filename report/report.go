// Package report renders scan results. Each format is one Writer in its own
// file; writers never mutate the shared Report.
package report

import (
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/mappings"
	"github.com/breakglass-dev/breakglass/policies/engine"
)

// Report is everything a writer may render.
type Report struct {
	Tool     Tool
	Snapshot Snapshot
	Scan     Scan
	Rules    []*engine.Rule // the catalogue, sorted by ID
	Results  []engine.Result
	Summary  engine.Summary
	Mappings *mappings.Set
	// IDLines locates object ids in the snapshot (SARIF regions); nil
	// points every result at line 1.
	IDLines *snapshot.IDIndex
	// Source names the repository files SARIF points at (the config file,
	// else the snapshot); nil points at Snapshot.Path. See Source.
	Source *Source
	// Log receives what a writer had to leave out (SARIF beyond GitHub's
	// limits); the CLI sets stderr; nil discards.
	Log io.Writer
	// IncludePass adds pass and not_applicable results to text and
	// markdown. SARIF never carries them (see SARIF); JSON always does.
	IncludePass bool
	// Provenance is the collection and rule-bundle record (evidence pack,
	// HTML); nil when unknown.
	Provenance *Provenance
}

// Scan records what a scan evaluated, so an auditor can reconstruct it:
// the evaluation time, the declaration and the baseline (with checksums),
// custom policy directories and extra mapping files.
type Scan struct {
	Now      time.Time `json:"now"`
	Config   *File     `json:"config"`   // nil: the config recorded in the snapshot
	Baseline *File     `json:"baseline"` // nil: no --baseline
	Policies []string  `json:"policies"`
	Mappings []string  `json:"mappings"`
}

// File is an input file named in a report: display path and SHA-256.
type File struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Tool identifies this build.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Snapshot identifies the evaluated snapshot.
type Snapshot struct {
	Path        string    `json:"path"`
	SHA256      string    `json:"sha256"`
	TenantID    string    `json:"tenantId"`
	CollectedAt time.Time `json:"collectedAt"`
}

// Writer renders a report in one format.
type Writer interface {
	Write(w io.Writer, r *Report) error
}

// Format names, as accepted by --format.
const (
	FormatText     = "text"
	FormatJSON     = "json"
	FormatSARIF    = "sarif"
	FormatJUnit    = "junit"
	FormatMarkdown = "markdown"
	FormatHTML     = "html"
)

var writers = map[string]Writer{
	FormatText:     Text{},
	FormatJSON:     JSON{},
	FormatSARIF:    SARIF{},
	FormatJUnit:    JUnit{},
	FormatMarkdown: Markdown{},
	FormatHTML:     HTML{},
}

// Formats lists the supported formats, sorted, for flag help.
func Formats() []string {
	out := make([]string, 0, len(writers))
	for f := range writers {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// Get returns the writer for a format.
func Get(format string) (Writer, error) {
	w, ok := writers[format]
	if !ok {
		return nil, fmt.Errorf("unknown format %q (supported: %s)", format, strings.Join(Formats(), ", "))
	}
	return w, nil
}

// DisplayPath keeps absolute paths (and so user names and hostnames) out of
// reports: relative paths stay as given, absolute ones become relative to
// the working directory when below it, else the base name.
func DisplayPath(path, cwd string) string {
	if !filepath.IsAbs(path) {
		return filepath.ToSlash(filepath.Clean(path))
	}
	if cwd != "" {
		if rel, err := filepath.Rel(cwd, path); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.Base(path)
}

// visible reports whether a result is shown in the compact formats.
func (r *Report) visible(res engine.Result) bool {
	return r.IncludePass || (res.Status != engine.StatusPass && res.Status != engine.StatusNotApplicable)
}

// ruleByID indexes the catalogue.
func (r *Report) ruleByID() map[string]*engine.Rule {
	m := make(map[string]*engine.Rule, len(r.Rules))
	for _, rule := range r.Rules {
		m[rule.ID] = rule
	}
	return m
}

// frameworks lists the framework keys in report order.
func (r *Report) frameworks() []string {
	if r.Mappings == nil {
		return mappings.BuiltinFrameworks
	}
	ids := make([]string, 0, len(r.Mappings.Frameworks))
	for _, f := range r.Mappings.Frameworks {
		ids = append(ids, f.ID)
	}
	return ids
}

// controlTags flattens a rule's controls as "framework:control" tags.
func (r *Report) controlTags(controls map[string][]string) []string {
	var tags []string
	for _, fw := range r.frameworks() {
		for _, c := range controls[fw] {
			tags = append(tags, fw+":"+c)
		}
	}
	return tags
}

// subjectLabel names a result's subject: "account" for a user, "object"
// for anything else (a group, a service principal, ...).
func subjectLabel(ref engine.Ref) string {
	if ref.Type == "user" {
		return "account"
	}
	return "object"
}

func describe(ref engine.Ref) string {
	if ref.Name != "" && ref.Name != ref.ID {
		return fmt.Sprintf("%s %s (%s)", ref.Type, ref.Name, ref.ID)
	}
	return fmt.Sprintf("%s %s", ref.Type, ref.ID)
}

// printable makes tenant-controlled text (display names, messages quoting
// them) safe for a terminal, a one-line table cell, a SARIF message or a
// JUnit attribute: control characters (escape sequences, carriage returns,
// NUL, C1) and bidirectional controls (embeddings, overrides, isolates and
// the LRM/RLM/ALM marks) become spaces or U+FFFD, so a policy name cannot
// forge report lines or colours, or reorder what a reviewer reads. Every
// writer passes tenant text through this one function.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t' || r == 0x2028 || r == 0x2029:
			return ' '
		case r < 0x20 || (r >= 0x7f && r < 0xa0):
			return '\ufffd'
		case (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c:
			return '\ufffd'
		}
		return r
	}, s)
}
