package report

import (
	"encoding/json"
	"io"

	"github.com/breakglass-dev/breakglass/policies/engine"
)

// JSON is the full record: every result, pass and not_applicable included.
type JSON struct{}

var _ Writer = JSON{}

type jsonReport struct {
	Tool     Tool            `json:"tool"`
	Snapshot Snapshot        `json:"snapshot"`
	Scan     Scan            `json:"scan"`
	Results  []engine.Result `json:"results"`
	Summary  engine.Summary  `json:"summary"`
}

func (JSON) Write(w io.Writer, r *Report) error {
	results := r.Results
	if results == nil {
		results = []engine.Result{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	scan := r.Scan
	if scan.Policies == nil {
		scan.Policies = []string{}
	}
	if scan.Mappings == nil {
		scan.Mappings = []string{}
	}
	return enc.Encode(jsonReport{Tool: r.Tool, Snapshot: r.Snapshot, Scan: scan, Results: results, Summary: r.Summary})
}
