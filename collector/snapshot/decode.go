package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// Builder receives a snapshot's values in document order, as the single
// token pass reads them: already checked (no member named twice, valid
// UTF-8, numbers within float64) and normalised (identifiers lower-cased,
// see normalize.go). The scanner uses it to build the OPA input value in
// the same pass (policies/engine), so that this package needs no OPA.
//
// Calls nest as in the document: BeginObject, then Name + one value per
// member, then EndObject; BeginArray, values, EndArray. Number gets the
// literal as written (like json.Number); an error it returns rejects the
// snapshot at that number. The Builder sees the values of a snapshot that
// may still fail validation: only use what it built when the parse
// succeeded.
type Builder interface {
	Null()
	Bool(b bool)
	Number(literal string) error
	String(s string)
	BeginObject()
	Name(name string)
	EndObject()
	BeginArray()
	EndArray()
}

// noBuilder discards every value.
type noBuilder struct{}

func (noBuilder) Null()               {}
func (noBuilder) Bool(bool)           {}
func (noBuilder) Number(string) error { return nil }
func (noBuilder) String(string)       {}
func (noBuilder) BeginObject()        {}
func (noBuilder) Name(string)         {}
func (noBuilder) EndObject()          {}
func (noBuilder) BeginArray()         {}
func (noBuilder) EndArray()           {}

// reader is the one token pass over a snapshot's bytes (jsontext): it
// replaces encoding/json's decode, the separate token check and the
// normalisation walk. It builds the generic (`any`) tree where keep says
// so — the schema validator reads that tree — and feeds every value to b.
type reader struct {
	path  string
	data  []byte
	dec   *jsontext.Decoder
	b     Builder
	names map[string]string // short texts seen, to share one string per text
	// dataSet, when set, is called for each member of the top-level
	// dataSets object with its generic tree, which is then dropped: the
	// document keeps only what the callback leaves (split mode).
	dataSet func(name string, v any)
}

// The string table holds texts of at most maxInternedLen bytes, at most
// maxInterned of them: longer texts are rarely repeated, and a hostile
// file must not grow the table without end.
const (
	maxInternedLen = 64
	maxInterned    = 1 << 16
)

func newReader(path string, data []byte, b Builder) *reader {
	if b == nil {
		b = noBuilder{}
	}
	return &reader{
		path: path, data: data, b: b, names: map[string]string{},
		// A *bytes.Buffer is parsed in place, without a copy.
		dec: jsontext.NewDecoder(bytes.NewBuffer(data)),
	}
}

// document reads the whole input: exactly one JSON value and nothing after
// it. It returns the generic tree of the top-level value (without the data
// sets' trees in split mode).
func (r *reader) document() (any, error) {
	v, err := r.value("", true, 0)
	if err != nil {
		return nil, err
	}
	start := r.dec.InputOffset()
	if _, err := r.dec.ReadToken(); err != io.EOF {
		if err == nil {
			return nil, r.errorAt(valueStart(r.data, start), "invalid JSON: unexpected data after the top-level JSON value: a snapshot is one JSON object; remove what follows it or re-collect the snapshot")
		}
		return nil, r.syntaxError(err)
	}
	return v, nil
}

// value reads one JSON value. key is the name of the member the value
// belongs to (for an array element, the array's): normalisation depends
// on it. depth is 0 for the top-level value. The generic value is
// returned when keep is set.
func (r *reader) value(key string, keep bool, depth int) (any, error) {
	switch r.dec.PeekKind() {
	case '{':
		return r.object(key, keep, depth)
	case '[':
		return r.array(key, keep, depth)
	case '"':
		raw, err := r.dec.ReadValue()
		if err != nil {
			return nil, r.syntaxError(err)
		}
		s := NormalizeString(key, r.text(raw))
		r.b.String(s)
		return keepIf(keep, s), nil
	case '0':
		return r.number(keep)
	case 't', 'f':
		tok, err := r.dec.ReadToken()
		if err != nil {
			return nil, r.syntaxError(err)
		}
		r.b.Bool(tok.Bool())
		return keepIf(keep, tok.Bool()), nil
	case 'n':
		if _, err := r.dec.ReadToken(); err != nil {
			return nil, r.syntaxError(err)
		}
		r.b.Null()
		return nil, nil
	default:
		// Invalid input or the end of it: ReadToken says what is wrong.
		_, err := r.dec.ReadToken()
		if err == nil {
			err = errors.New("unexpected token")
		}
		return nil, r.syntaxError(err)
	}
}

func keepIf(keep bool, v any) any {
	if !keep {
		return nil
	}
	return v
}

// object reads an object (see value). In split mode, each member of the
// top-level dataSets object gets its own generic tree, handed to
// r.dataSet and then dropped.
func (r *reader) object(key string, keep bool, depth int) (any, error) {
	if _, err := r.dec.ReadToken(); err != nil {
		return nil, r.syntaxError(err)
	}
	r.b.BeginObject()
	var m map[string]any
	if keep {
		m = map[string]any{}
	}
	split := depth == 1 && key == "dataSets" && r.dataSet != nil
	for r.dec.PeekKind() != '}' {
		name, err := r.name()
		if err != nil {
			return nil, err
		}
		r.b.Name(name)
		v, err := r.value(name, keep || split, depth+1)
		if err != nil {
			return nil, err
		}
		if split {
			r.dataSet(name, v)
			v = nil
		}
		if keep {
			m[name] = v
		}
	}
	if _, err := r.dec.ReadToken(); err != nil {
		return nil, r.syntaxError(err)
	}
	r.b.EndObject()
	if !keep {
		return nil, nil
	}
	return m, nil
}

// array reads an array (see value).
func (r *reader) array(key string, keep bool, depth int) (any, error) {
	if _, err := r.dec.ReadToken(); err != nil {
		return nil, r.syntaxError(err)
	}
	r.b.BeginArray()
	var a []any
	if keep {
		a = []any{}
	}
	for r.dec.PeekKind() != ']' {
		v, err := r.value(key, keep, depth+1)
		if err != nil {
			return nil, err
		}
		if keep {
			a = append(a, v)
		}
	}
	if _, err := r.dec.ReadToken(); err != nil {
		return nil, r.syntaxError(err)
	}
	r.b.EndArray()
	if !keep {
		return nil, nil
	}
	return a, nil
}

// number reads a number: its literal, refused beyond float64.
func (r *reader) number(keep bool) (any, error) {
	raw, err := r.dec.ReadValue()
	if err != nil {
		return nil, r.syntaxError(err)
	}
	lit := string(raw)
	at := r.dec.InputOffset() - int64(len(raw))
	if _, err := strconv.ParseFloat(lit, 64); err != nil {
		return nil, r.errorAt(at, fmt.Sprintf("number %s at %s is out of range (larger than a 64-bit float): re-collect the snapshot", lit, r.pointer()))
	}
	if err := r.b.Number(lit); err != nil {
		return nil, r.errorAt(at, fmt.Sprintf("number %s at %s cannot be used: %v; re-collect the snapshot", lit, r.pointer(), err))
	}
	if !keep {
		return nil, nil
	}
	return json.Number(lit), nil
}

// name reads an object member's name.
func (r *reader) name() (string, error) {
	raw, err := r.dec.ReadValue()
	if err != nil {
		return "", r.syntaxErrorHint(err, "a member name in double quotes should start here")
	}
	return r.text(raw), nil
}

// text returns the text of a JSON string the decoder has validated; one
// string is shared per distinct short text (member names, and values
// such as `#microsoft.graph.group` repeated thousands of times).
func (r *reader) text(raw jsontext.Value) string {
	if len(raw) > maxInternedLen+2 || bytes.IndexByte(raw, '\\') >= 0 {
		return unquote(raw)
	}
	content := raw[1 : len(raw)-1]
	if s, ok := r.names[string(content)]; ok {
		return s
	}
	s := string(content)
	if len(r.names) < maxInterned {
		r.names[s] = s
	}
	return s
}

// pointer is the JSON pointer of the value just read.
func (r *reader) pointer() string { return string(r.dec.StackPointer()) }

func (r *reader) errorAt(offset int64, msg string) error {
	line, col := position(r.data, offset)
	return &InputError{Path: r.path, Line: line, Col: col, Msg: msg}
}

// syntaxError turns a jsontext error into an InputError at the offending
// byte, saying what is wrong, where in the document and what to do.
func (r *reader) syntaxError(err error) error { return r.syntaxErrorHint(err, "") }

// syntaxErrorHint is syntaxError with what was expected where an invalid
// character stands.
func (r *reader) syntaxErrorHint(err error, hint string) error {
	var se *jsontext.SyntacticError
	if errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
		if len(bytes.TrimSpace(r.data)) == 0 {
			return r.errorAt(0, "invalid JSON: the file is empty; give a snapshot written by `breakglass collect`")
		}
		return r.errorAt(int64(len(r.data)), "invalid JSON: the file ends in the middle of a value (truncated?); re-collect the snapshot")
	}
	if !errors.As(err, &se) {
		return r.errorAt(r.dec.InputOffset(), "invalid JSON: "+err.Error())
	}
	msg := strings.TrimPrefix(se.Err.Error(), "jsontext: ")
	where := ""
	if se.JSONPointer != "" {
		where = " at " + string(se.JSONPointer)
	}
	switch {
	case strings.Contains(msg, "duplicate"):
		msg = fmt.Sprintf("%s%s: a JSON object may name each member once (which value would be true?); re-collect the snapshot or remove one", msg, where)
	case strings.Contains(msg, "UTF-8"):
		msg = fmt.Sprintf("%s%s: a snapshot is UTF-8 text; re-collect the snapshot, or re-save the file as UTF-8", msg, where)
	case hint != "" && strings.Contains(msg, "invalid character"):
		msg = fmt.Sprintf("%s%s (%s): fix the file or re-collect the snapshot", msg, where, hint)
	default:
		msg = fmt.Sprintf("%s%s: fix the file or re-collect the snapshot", msg, where)
	}
	return r.errorAt(se.ByteOffset, "invalid JSON: "+msg)
}
