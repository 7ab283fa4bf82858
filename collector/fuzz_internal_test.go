package collector

import (
	"errors"
	"testing"
)

// FuzzDecodeGraphPage: a Graph collection page, as any server may send
// it, is decoded (decodeObject, decodeGraphPage) without panicking; every
// refusal is a malformedError (the data set becomes error), and a
// nextLink is only ever accepted on the endpoint's own origin.
func FuzzDecodeGraphPage(f *testing.F) {
	const origin = "https://graph.microsoft.com:443"
	f.Fuzz(func(t *testing.T, data []byte) {
		obj, err := decodeObject(data)
		if err != nil {
			var me *malformedError
			if !errors.As(err, &me) {
				t.Fatalf("decodeObject error %T is not a malformedError: %v", err, err)
			}
			return
		}
		stripContext(obj)
		items, next, err := decodeGraphPage(obj)
		if err != nil {
			var me *malformedError
			if !errors.As(err, &me) {
				t.Fatalf("decodeGraphPage error %T is not a malformedError: %v", err, err)
			}
			return
		}
		for _, it := range items {
			if it == nil {
				t.Fatal("nil item accepted")
			}
		}
		if next == "" {
			return
		}
		u, err := checkLink(origin, next)
		if err != nil {
			var oe *offHostError
			if !errors.As(err, &oe) {
				t.Fatalf("checkLink error %T: %v", err, err)
			}
			return
		}
		// Accepted: it must really be that origin, and url() must keep it there.
		if originOf(u) != origin || u.User != nil {
			t.Fatalf("accepted nextLink %q on origin %s", next, originOf(u))
		}
		g := &graphClient{base: "https://graph.microsoft.com/v1.0", origin: origin}
		ru, err := g.url(graphRequest{path: next})
		if err == nil && originOf(ru) != origin {
			t.Fatalf("nextLink %q was turned into a request for %s", next, ru.Redacted())
		}
	})
}
