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
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"
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
	// Doc is the generic JSON value (numbers as json.Number), ready to be
	// converted into the Rego input.
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
	f, err := os.Open(path)
	if err != nil {
		return nil, &InputError{Path: path, Msg: fmt.Sprintf("cannot read snapshot: %v (run `breakglass collect` to create one)", errors.Unwrap(err))}
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Mode().IsRegular() && info.Size() > maxSize {
		return nil, &InputError{Path: path, Msg: fmt.Sprintf("the snapshot is %d bytes, more than the limit of %d: a real tenant's snapshot is a few MB, so check the file; raise the limit with --max-snapshot-size if it is genuine", info.Size(), maxSize)}
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSize+1))
	if err != nil {
		return nil, &InputError{Path: path, Msg: fmt.Sprintf("cannot read snapshot: %v", err)}
	}
	if int64(len(data)) > maxSize {
		return nil, &InputError{Path: path, Msg: fmt.Sprintf("the snapshot is more than %d bytes: raise the limit with --max-snapshot-size if it is genuine", maxSize)}
	}
	return Parse(path, data)
}

// Parse parses and validates snapshot bytes; path is used in messages only.
func Parse(path string, data []byte) (*Loaded, error) {
	doc, err := decodeJSON(data)
	if err != nil {
		return nil, syntaxError(path, data, err)
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, &InputError{Path: path, Line: 1, Msg: "a snapshot is a JSON object; this file holds something else"}
	}
	if err := checkTokens(path, data); err != nil {
		return nil, err
	}
	if err := checkVersion(path, data, obj); err != nil {
		return nil, err
	}
	Normalize(obj)
	if err := validate(path, data, obj); err != nil {
		return nil, err
	}
	if err := checkDuplicateIDs(path, data, obj); err != nil {
		return nil, err
	}
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
		Doc:         obj,
		TenantID:    meta["tenantId"].(string),
		CollectedAt: collectedAt.UTC(),
	}, nil
}

// checkTokens rejects what encoding/json lets through silently: an object
// with two members of one name (`"accountEnabled": false, "accountEnabled":
// true` — the last would win), invalid UTF-8, and a number too large for
// the rules to compare (it would become infinity).
func checkTokens(path string, data []byte) error {
	dec := jsontext.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.ReadToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var se *jsontext.SyntacticError
			offset := dec.InputOffset()
			msg := err.Error()
			if errors.As(err, &se) {
				offset, msg = se.ByteOffset, strings.TrimPrefix(se.Err.Error(), "jsontext: ")
				if strings.Contains(msg, "duplicate") {
					msg = fmt.Sprintf("%s at %s: a JSON object may name each member once (which value would be true?); re-collect the snapshot or remove one", msg, se.JSONPointer)
				}
			}
			line, col := position(data, offset)
			return &InputError{Path: path, Line: line, Col: col, Msg: "invalid JSON: " + msg}
		}
		if tok.Kind() == '0' {
			if _, err := tok.Float(); err != nil {
				line, col := position(data, dec.InputOffset()-int64(len(tok.String())))
				return &InputError{Path: path, Line: line, Col: col, Msg: fmt.Sprintf("number %s at %s is out of range (larger than a 64-bit float): re-collect the snapshot", tok.String(), dec.StackPointer())}
			}
		}
	}
}

// checkDuplicateIDs rejects a data set listing one id twice with different
// content: the rules index items by id and could not tell which is true.
// (Identical repeats, e.g. from overlapping pages, are harmless.)
func checkDuplicateIDs(path string, data []byte, doc map[string]any) error {
	sets, _ := doc["dataSets"].(map[string]any)
	for _, name := range Names {
		set, _ := sets[name].(map[string]any)
		items, _ := set["items"].([]any)
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
	}
	return nil
}

func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, &json.SyntaxError{Offset: dec.InputOffset()}
	}
	return v, nil
}

func syntaxError(path string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	offset := int64(len(data))
	msg := err.Error()
	switch {
	case errors.As(err, &se):
		offset = se.Offset
		if se.Error() == "" {
			msg = "unexpected data after the top-level JSON value"
		}
	case errors.As(err, &te):
		offset = te.Offset
	}
	line, col := position(data, offset)
	return &InputError{Path: path, Line: line, Col: col, Msg: "invalid JSON: " + msg}
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
