package config

import (
	"errors"
	"os"
	"testing"
)

// FuzzParse: any bytes as a breakglass.yaml never panic, and every
// refusal is a config Error naming the file.
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile("../testdata/sample/breakglass.yaml"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.yaml", data)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not a config Error: %v", err, err)
			}
			if ce.Path != "fuzz.yaml" {
				t.Fatalf("error names %q, not the file: %v", ce.Path, err)
			}
			return
		}
		if cfg == nil {
			t.Fatal("no error and no config")
		}
		for _, a := range cfg.Accounts {
			_ = a.Ref()
		}
	})
}
