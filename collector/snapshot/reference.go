package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// ParseReference is the parser Parse and ParseInto replaced, kept as the
// reference their equivalence tests and fuzz targets compare against:
// encoding/json decodes into a generic tree, a separate jsontext pass
// checks duplicate members, UTF-8 and number range, Normalize walks the
// tree, and the whole tree is validated. It accepts and rejects exactly
// what Parse does and yields the same Doc; its messages for invalid JSON
// are encoding/json's. Not for production use (the linker drops it).
func ParseReference(path string, data []byte) (*Loaded, error) {
	doc, err := referenceDecode(data)
	if err != nil {
		return nil, referenceSyntaxError(path, data, err)
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, &InputError{Path: path, Line: 1, Msg: "a snapshot is a JSON object; this file holds something else"}
	}
	if err := referenceCheckTokens(path, data); err != nil {
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
	l, err := loaded(path, data, obj)
	if err != nil {
		return nil, err
	}
	l.Doc = obj
	return l, nil
}

func referenceCheckTokens(path string, data []byte) error {
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

func referenceDecode(data []byte) (any, error) {
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

func referenceSyntaxError(path string, data []byte, err error) error {
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
