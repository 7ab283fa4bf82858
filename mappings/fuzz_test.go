package mappings

import (
	"errors"
	"maps"
	"os"
	"slices"
	"testing"
)

// FuzzAddFile: a user mapping file (framework catalogue plus an optional
// rules: section) never panics the loader, and every refusal is a
// mappings Error naming the file.
func FuzzAddFile(f *testing.F) {
	for _, name := range []string{"soc2-2017.yaml", "rules.yaml"} {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	base, err := LoadBuiltin()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// A copy of the built-in set (cheaper than loading it each time).
		s := &Set{Frameworks: slices.Clone(base.Frameworks), byID: maps.Clone(base.byID), rules: map[string]map[string][]string{}, refs: slices.Clone(base.refs)}
		for r, m := range base.rules {
			s.rules[r] = maps.Clone(m)
		}
		err := s.addFile("user.yaml", data)
		if err == nil {
			// What was accepted must be usable.
			for _, fw := range s.Frameworks {
				for _, c := range fw.Controls {
					if _, ok := fw.Control(c.ID); !ok {
						t.Fatalf("control %q of %s cannot be looked up", c.ID, fw.ID)
					}
				}
			}
			return
		}
		var me *Error
		if !errors.As(err, &me) {
			t.Fatalf("error %T is not a mappings Error: %v", err, err)
		}
		if me.Path != "user.yaml" {
			t.Fatalf("error names %q, not the file: %v", me.Path, err)
		}
	})
}
