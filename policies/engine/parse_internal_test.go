package engine

import (
	"fmt"
	"strings"
	"testing"
)

// TestParseConcurrentlyKeepsOrderAndFirstError: modules come back in the
// order of their files, and of several broken files the first one's error
// is reported, however the goroutines were scheduled.
func TestParseConcurrentlyKeepsOrderAndFirstError(t *testing.T) {
	var files []regoFile
	for i := range 40 {
		files = append(files, regoFile{name: fmt.Sprintf("p%02d.rego", i), text: fmt.Appendf(nil, "package p%02d\n\nx := %d\n", i, i)})
	}
	modules, err := parseConcurrently(files)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range modules {
		if want := fmt.Sprintf("data.p%02d", i); m.Package.Path.String() != want {
			t.Fatalf("module %d is %s, want %s", i, m.Package.Path, want)
		}
	}
	files[7].text = []byte("package p07\n\nx := \n")
	files[30].text = []byte("package p30\n\ny {\n")
	for range 20 {
		_, err := parseConcurrently(files)
		if err == nil || !strings.Contains(err.Error(), "p07.rego:") || strings.Contains(err.Error(), "p30.rego") {
			t.Fatalf("want only p07.rego's error, got %v", err)
		}
	}
}
