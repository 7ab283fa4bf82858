package report_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"
)

// htmlTags are the only elements report.html may contain; tenant text can
// add none (html/template escapes it).
var htmlTags = map[string]bool{
	"html": true, "head": true, "meta": true, "title": true, "style": true, "body": true, "header": true,
	"h1": true, "h2": true, "h3": true, "p": true, "dl": true, "dt": true, "dd": true, "code": true, "div": true,
	"span": true, "table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true, "em": true,
	"br": true, "footer": true,
}

// htmlAttrs are the only attributes it may carry.
var htmlAttrs = map[string]bool{"lang": true, "charset": true, "http-equiv": true, "content": true, "name": true, "class": true, "id": true}

var (
	htmlRowsOnce sync.Once
	htmlRows     int
)

// FuzzHTML renders report.html with arbitrary tenant strings: it must
// parse into our own elements and attributes only, the number of rows
// must not change, and no control or bidirectional character may pass.
func FuzzHTML(f *testing.F) {
	for _, s := range []string{"CA001", `<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, "a\u202eb\x1bc", `</style><style>*{}`, `{{.R}}`, "\xff\xfe"} {
		f.Add(s, s, "7c3f8a2e-5b1d-4e6f-9a0b-1c2d3e4f5a6b", s)
	}
	f.Fuzz(func(t *testing.T, name, message, id, subject string) {
		out := fuzzRender(t, "html", fuzzReport(t, name, message, id, subject))
		checkSafeText(t, "html", string(out))
		z := html.NewTokenizer(bytes.NewReader(out))
		rows := 0
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				break
			}
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			tok := z.Token()
			if !htmlTags[tok.Data] {
				t.Fatalf("element <%s> in the HTML report:\n%s", tok.Data, out)
			}
			for _, a := range tok.Attr {
				if !htmlAttrs[a.Key] || strings.Contains(strings.ToLower(a.Val), "javascript:") {
					t.Fatalf("attribute %s=%q in the HTML report", a.Key, a.Val)
				}
			}
			if tok.Data == "tr" {
				rows++
			}
		}
		htmlRowsOnce.Do(func() {
			htmlRows = strings.Count(string(fuzzRender(t, "html", fuzzReport(t, "n", "m", "i", "s"))), "<tr>")
		})
		if rows != htmlRows {
			t.Fatalf("tenant text changed the number of table rows: %d, want %d", rows, htmlRows)
		}
	})
}
