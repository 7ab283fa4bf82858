package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/policies/engine"
)

// Provenance says how the evidence was produced: the scanner (tool, OPA
// and rule bundle) and the collection (who, when, against which endpoints,
// how many requests per data set and each data set's status).
type Provenance struct {
	OPAVersion string     `json:"opaVersion"`
	RuleBundle RuleBundle `json:"ruleBundle"`
	Collection Collection `json:"collection"`
	DataSets   []DataSet  `json:"dataSets"`
}

// RuleBundle identifies the evaluated policy files (engine.BundleDigest).
type RuleBundle struct {
	SHA256 string              `json:"sha256"`
	Files  []engine.FileDigest `json:"files"`
}

// Collection is the snapshot's metadata about its collection.
type Collection struct {
	Tool        snapshot.Tool       `json:"tool"`
	CollectedBy *snapshot.Principal `json:"collectedBy"`
	CollectedAt time.Time           `json:"collectedAt"`
	Endpoints   snapshot.Endpoints  `json:"endpoints"`
	DurationMS  *int64              `json:"durationMs"`
}

// DataSet is one data set of the snapshot: its status, the collector's
// message, how many items it holds and how many requests it took
// (null when the snapshot does not record requests).
type DataSet struct {
	Name     string `json:"name"`
	Status   string `json:"status"`
	Message  string `json:"message,omitempty"`
	Items    int    `json:"items"`
	Requests *int   `json:"requests"`
}

// Complete reports whether the data set was collected completely.
func (d DataSet) Complete() bool { return d.Status == string(snapshot.StatusOK) }

// NewProvenance reads the collection record from a snapshot's bytes.
func NewProvenance(snapshotBytes []byte, opaVersion, bundleSHA256 string, files []engine.FileDigest) (*Provenance, error) {
	m, sets, err := readCollectionRecord(snapshotBytes)
	if err != nil {
		return nil, fmt.Errorf("read snapshot metadata: %w", err)
	}
	p := &Provenance{
		OPAVersion: opaVersion,
		RuleBundle: RuleBundle{SHA256: bundleSHA256, Files: files},
		Collection: Collection{Tool: m.Tool, CollectedBy: m.CollectedBy, CollectedAt: m.CollectedAt.UTC(), Endpoints: m.Endpoints},
		DataSets:   []DataSet{},
	}
	if p.RuleBundle.Files == nil {
		p.RuleBundle.Files = []engine.FileDigest{}
	}
	if m.Collection != nil {
		d := m.Collection.DurationMS
		p.Collection.DurationMS = &d
	}
	for _, ds := range sets {
		entry := DataSet{Name: ds.Name, Status: ds.Status, Message: ds.Message, Items: ds.Items}
		if m.Collection != nil {
			n := m.Collection.Requests[ds.Name]
			entry.Requests = &n
		}
		p.DataSets = append(p.DataSets, entry)
	}
	sort.Slice(p.DataSets, func(i, j int) bool { return p.DataSets[i].Name < p.DataSets[j].Name })
	return p, nil
}

// ProvenanceJSON writes provenance.json of the evidence pack: the tool,
// the evaluated inputs with checksums, the rule bundle and the collection
// record.
type ProvenanceJSON struct{}

var _ Writer = ProvenanceJSON{}

func (ProvenanceJSON) Write(w io.Writer, r *Report) error {
	if r.Provenance == nil {
		return fmt.Errorf("provenance: the report carries no provenance")
	}
	scan := r.Scan
	if scan.Policies == nil {
		scan.Policies = []string{}
	}
	if scan.Mappings == nil {
		scan.Mappings = []string{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(struct {
		Tool       Tool       `json:"tool"`
		OPAVersion string     `json:"opaVersion"`
		RuleBundle RuleBundle `json:"ruleBundle"`
		Snapshot   Snapshot   `json:"snapshot"`
		Scan       Scan       `json:"scan"`
		Collection Collection `json:"collection"`
		DataSets   []DataSet  `json:"dataSets"`
	}{r.Tool, r.Provenance.OPAVersion, r.Provenance.RuleBundle, r.Snapshot, scan, r.Provenance.Collection, r.Provenance.DataSets})
}
