package snapshot

import (
	"errors"
	"os"
	"testing"
)

// FuzzParse: loading and validating any bytes as a snapshot never panics,
// and every refusal is an InputError naming the file (exit code 2, with
// file:line where there is one). Seeds: testdata/fuzz/FuzzParse and the
// bundled sample snapshot.
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile("../../testdata/sample/snapshot.json"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse("fuzz.json", data)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %T is not an InputError: %v", err, err)
			}
			if ie.Path != "fuzz.json" {
				t.Fatalf("error names %q, not the file: %v", ie.Path, err)
			}
			return
		}
		if l.Doc == nil || l.SHA256 == "" {
			t.Fatalf("accepted snapshot without a document or hash")
		}
		IDLines(data) // the report's line index must cope with whatever was accepted
	})
}
