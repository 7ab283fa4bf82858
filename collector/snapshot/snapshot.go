package snapshot

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"time"
)

// Document is the snapshot as written by the collector. The scanner reads it
// generically (Load) so that unknown Graph fields survive untouched.
type Document struct {
	SchemaVersion int                 `json:"schemaVersion"`
	Metadata      Metadata            `json:"metadata"`
	Config        any                 `json:"config,omitempty"` // the declaration the collector used
	DataSets      map[string]*DataSet `json:"dataSets"`
}

// Metadata says where, when and by whom a snapshot was taken. It never holds
// credentials.
type Metadata struct {
	TenantID    string      `json:"tenantId"`
	CollectedAt time.Time   `json:"collectedAt"`
	Tool        Tool        `json:"tool"`
	Endpoints   Endpoints   `json:"endpoints"`
	CollectedBy *Principal  `json:"collectedBy,omitempty"`
	Collection  *Collection `json:"collection,omitempty"`
}

// Tool identifies the collector build.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Endpoints are the API base URLs the collector talked to.
type Endpoints struct {
	Graph string `json:"graph"`
	ARM   string `json:"arm"`
}

// Principal is the identity that collected (object/app id, never a secret).
type Principal struct {
	Type string `json:"type"` // user | servicePrincipal | unknown
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// Collection records the cost of a collection run per data set.
type Collection struct {
	DurationMS  int64            `json:"durationMs"`
	Requests    map[string]int   `json:"requests"`
	DurationsMS map[string]int64 `json:"durationsMs,omitempty"`
}

// DataSet is one collected data set with its completeness status.
type DataSet struct {
	Status  Status `json:"status"`
	Message string `json:"message,omitempty"`
	// Subjects lists the user ids a per-user data set was collected for
	// (sign-ins: a user with none has no items). The engine reports
	// `error` for an account the data set was not collected for.
	Subjects []string `json:"subjects,omitempty"`
	Items    []any    `json:"items"`
}

// OK returns a complete data set.
func OK(items []any) *DataSet {
	if items == nil {
		items = []any{}
	}
	return &DataSet{Status: StatusOK, Items: items}
}

// Failed returns a data set that could not be collected.
func Failed(status Status, message string) *DataSet {
	return &DataSet{Status: status, Message: message, Items: []any{}}
}

// Marshal renders the document deterministically: encoding/json sorts map
// keys, and two-space indentation keeps snapshots diff-friendly.
func (d *Document) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return nil, fmt.Errorf("encode snapshot: %w", err)
	}
	return buf.Bytes(), nil
}

// Loaded is a snapshot read from disk and validated against the schema.
type Loaded struct {
	Path   string
	Bytes  []byte
	SHA256 string
	// Doc is the generic JSON value (numbers as json.Number), normalised
	// (Parse); nil from ParseInto, whose Builder holds the document.
	Doc         map[string]any
	TenantID    string
	CollectedAt time.Time
}

// InputError is a problem with a file the user gave us: exit code 2.
type InputError struct {
	Path string
	Line int // 0 when unknown
	Col  int
	Msg  string
}

func (e *InputError) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	default:
		return fmt.Sprintf("%s: %s", e.Path, e.Msg)
	}
}

// DefaultMaxSize is the largest snapshot Load reads (scan --max-snapshot-size
// raises it). A real tenant's snapshot is a few MB: the collector reads only
// privileged principals, CA policies and subscriptions, never all users.
const DefaultMaxSize = 256 << 20

// Load reads, parses and validates a snapshot file of at most DefaultMaxSize
// bytes.
func Load(path string) (*Loaded, error) { return LoadLimit(path, DefaultMaxSize) }

// LoadLimit is Load with another size limit: a larger file is refused
// before it is read.
func LoadLimit(path string, maxSize int64) (*Loaded, error) {
	data, err := ReadLimit(path, maxSize)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// LoadInto is LoadLimit through ParseInto: b builds the scanner's own
// representation in the same pass, and Loaded.Doc is nil.
func LoadInto(path string, maxSize int64, b Builder) (*Loaded, error) {
	data, err := ReadLimit(path, maxSize)
	if err != nil {
		return nil, err
	}
	return ParseInto(path, data, b)
}

// ReadLimit reads a snapshot file of at most maxSize bytes: a larger file
// is refused before it is read.
func ReadLimit(path string, maxSize int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &InputError{Path: path, Msg: fmt.Sprintf("cannot read snapshot: %v (run `breakglass collect` to create one)", errors.Unwrap(err))}
	}
	defer f.Close()
	var buf bytes.Buffer
	if info, err := f.Stat(); err == nil && info.Mode().IsRegular() {
		if info.Size() > maxSize {
			return nil, &InputError{Path: path, Msg: fmt.Sprintf("the snapshot is %d bytes, more than the limit of %d: a real tenant's snapshot is a few MB, so check the file; raise the limit with --max-snapshot-size if it is genuine", info.Size(), maxSize)}
		}
		// One buffer of the file's size, not a doubling series (on a 15 MB
		// file the regrowing was a fifth of loading it).
		buf.Grow(int(info.Size()) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(f, maxSize+1)); err != nil {
		return nil, &InputError{Path: path, Msg: fmt.Sprintf("cannot read snapshot: %v", err)}
	}
	data := buf.Bytes()
	if int64(len(data)) > maxSize {
		return nil, &InputError{Path: path, Msg: fmt.Sprintf("the snapshot is more than %d bytes: raise the limit with --max-snapshot-size if it is genuine", maxSize)}
	}
	return data, nil
}

// Parse parses and validates snapshot bytes; path is used in messages only.
// One token pass (decode.go) checks the JSON (an object naming a member
// twice — `"accountEnabled": false, "accountEnabled": true`, which value
// is true? —, invalid UTF-8, a number too large for the rules to compare),
// lower-cases the identifiers (normalize.go) and builds Doc; then the
// version, the schema and duplicate ids are checked.
func Parse(path string, data []byte) (*Loaded, error) {
	doc, err := newReader(path, data, nil).document()
	if err != nil {
		return nil, err
	}
	obj, err := topObject(path, data, doc)
	if err != nil {
		return nil, err
	}
	if err := validate(path, data, obj); err != nil {
		return nil, err
	}
	if err := checkDuplicateIDs(path, data, obj); err != nil {
		return nil, err
	}
	l, err := loaded(path, data, obj)
	if err != nil {
		return nil, err
	}
	l.Doc = obj
	return l, nil
}

// ParseInto is Parse for the scanner: the same token pass feeds b, which
// builds the evaluation's input value, and no generic tree of the whole
// snapshot is kept (Loaded.Doc is nil). Each data set's generic tree lives
// only while it is validated against its part of the schema and checked
// for duplicate ids; the rest of the document (metadata, config) is
// validated against the schema with the data sets left out. Accepting
// and rejecting are Parse's; a snapshot that fails validation is reported
// exactly as Parse reports it (first violation, count), by validating it
// as a whole: only the valid snapshot needs to be fast.
func ParseInto(path string, data []byte, b Builder) (*Loaded, error) {
	r := newReader(path, data, b)
	invalid := false
	var dupErrs map[string]error
	r.dataSet = func(name string, v any) {
		if invalid {
			return
		}
		if !validDataSet(name, v) {
			invalid = true
			return
		}
		if err := duplicateID(path, data, name, v); err != nil {
			if dupErrs == nil {
				dupErrs = map[string]error{}
			}
			dupErrs[name] = err
		}
	}
	doc, err := r.document()
	if err != nil {
		return nil, err
	}
	obj, err := topObject(path, data, doc)
	if err != nil {
		return nil, err
	}
	if invalid || !validSkeleton(obj) {
		if _, err := Parse(path, data); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%s: internal error: the snapshot fails validation in parts but not as a whole; please report this with the file", path)
	}
	for _, name := range Names {
		if err := dupErrs[name]; err != nil {
			return nil, err
		}
	}
	return loaded(path, data, obj)
}

// topObject checks that the document is an object of this schema version.
func topObject(path string, data []byte, doc any) (map[string]any, error) {
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, &InputError{Path: path, Line: 1, Msg: "a snapshot is a JSON object; this file holds something else"}
	}
	if err := checkVersion(path, data, obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// loaded is the Loaded of a valid document (without Doc).
func loaded(path string, data []byte, obj map[string]any) (*Loaded, error) {
	sum := sha256.Sum256(data)
	meta := obj["metadata"].(map[string]any)
	collectedAt, err := time.Parse(time.RFC3339, meta["collectedAt"].(string))
	if err != nil {
		return nil, &InputError{Path: path, Line: LineOf(data, "/metadata/collectedAt"), Msg: "metadata.collectedAt is not an RFC 3339 time"}
	}
	return &Loaded{
		Path:        path,
		Bytes:       data,
		SHA256:      hex.EncodeToString(sum[:]),
		TenantID:    meta["tenantId"].(string),
		CollectedAt: collectedAt.UTC(),
	}, nil
}

// checkDuplicateIDs rejects a data set listing one id twice with different
// content: the rules index items by id and could not tell which is true.
// (Identical repeats, e.g. from overlapping pages, are harmless.)
func checkDuplicateIDs(path string, data []byte, doc map[string]any) error {
	sets, _ := doc["dataSets"].(map[string]any)
	for _, name := range Names {
		if err := duplicateID(path, data, name, sets[name]); err != nil {
			return err
		}
	}
	return nil
}

// duplicateID is checkDuplicateIDs for one data set's generic tree.
func duplicateID(path string, data []byte, name string, set any) error {
	s, _ := set.(map[string]any)
	items, _ := s["items"].([]any)
	seen := map[string]int{}
	for i, it := range items {
		obj, _ := it.(map[string]any)
		id, _ := obj["id"].(string)
		if id == "" {
			continue
		}
		if j, dup := seen[id]; dup && !reflect.DeepEqual(items[j], it) {
			return &InputError{Path: path, Line: LineOf(data, fmt.Sprintf("/dataSets/%s/items/%d/id", name, i)),
				Msg: fmt.Sprintf("dataSets.%s lists id %s twice (items %d and %d) with different content; re-collect the snapshot", name, id, j, i)}
		}
		seen[id] = i
	}
	return nil
}

func checkVersion(path string, data []byte, obj map[string]any) error {
	v, ok := obj["schemaVersion"].(json.Number)
	if !ok {
		return &InputError{Path: path, Line: 1, Msg: "missing or non-numeric schemaVersion: this is not a breakglass snapshot"}
	}
	if v.String() != fmt.Sprint(SchemaVersion) {
		advice := "re-collect it with this version of breakglass"
		if n, err := v.Int64(); err == nil && n > SchemaVersion {
			advice = "it was written by a newer breakglass: upgrade breakglass to scan it"
		}
		return &InputError{Path: path, Line: LineOf(data, "/schemaVersion"),
			Msg: fmt.Sprintf("schemaVersion %s is not supported (this build reads version %d): %s", v, SchemaVersion, advice)}
	}
	return nil
}

// position converts a byte offset into a 1-based line and column.
func position(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

func sortStrings(s []string) { sort.Strings(s) }
