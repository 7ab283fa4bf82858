package report

import (
	"cmp"
	"compress/gzip"
	"fmt"
	"sort"
	"strings"

	"github.com/breakglass-dev/breakglass/policies/engine"
)

// What GitHub code scanning needs from a SARIF log beyond the SARIF
// schema: its upload limits, fingerprints it does not recompute, and
// messages in which tenant text forms no embedded link.

// GitHub code scanning rejects a whole upload beyond these (docs.github.com:
// "SARIF results exceed hard limit", "SARIF file is too large").
const (
	githubMaxResults  = 25000
	githubMaxTags     = 20
	githubMaxGzipSize = 10 << 20
)

// dropLowest keeps n results, dropping the least severe first (then manual
// before error before fail, then the last in report order), and returns
// both in report order.
func dropLowest(results []engine.Result, n int) (kept, dropped []engine.Result) {
	if n >= len(results) {
		return results, nil
	}
	order := make([]int, len(results))
	for i := range order {
		order[i] = i
	}
	statusRank := map[string]int{engine.StatusFail: 3, engine.StatusError: 2, engine.StatusManual: 1}
	sort.SliceStable(order, func(a, b int) bool {
		ra, rb := results[order[a]], results[order[b]]
		if d := engine.SeverityRank(ra.Severity) - engine.SeverityRank(rb.Severity); d != 0 {
			return d > 0
		}
		return statusRank[ra.Status] > statusRank[rb.Status]
	})
	keep := make([]bool, len(results))
	for _, i := range order[:n] {
		keep[i] = true
	}
	for i, res := range results {
		if keep[i] {
			kept = append(kept, res)
		} else {
			dropped = append(dropped, res)
		}
	}
	return kept, dropped
}

// droppedNote says how many results were left out, by severity.
func droppedNote(dropped []engine.Result, total int) string {
	bySeverity := map[string]int{}
	for _, res := range dropped {
		bySeverity[res.Severity]++
	}
	var parts []string
	for _, sev := range append(append([]string(nil), engine.Severities...), "") {
		if n := bySeverity[sev]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, cmp.Or(sev, "unknown-severity")))
		}
	}
	return fmt.Sprintf("SARIF carries %d of %d results: GitHub code scanning rejects an upload over %d results or %d MB gzipped, so the least severe were left out (%s); the JSON report has them all",
		total-len(dropped), total, githubMaxResults, githubMaxGzipSize>>20, strings.Join(parts, ", "))
}

func gzipSize(data []byte) int {
	var n countWriter
	zw := gzip.NewWriter(&n) // the default level, as upload clients use
	zw.Write(data)
	zw.Close()
	return int(n)
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// ruleTags are "security", "break-glass" and the rule's controls as
// "framework:control". GitHub rejects a rule with more than 20 tags (and
// shows 10): beyond that the controls are taken from each framework in turn,
// so every framework keeps its first controls; help lists them all.
func ruleTags(r *Report, rule *engine.Rule) []string {
	tags := append([]string{"security", "break-glass"}, r.controlTags(rule.Controls)...)
	if len(tags) <= githubMaxTags {
		return tags
	}
	tags = tags[:2]
	for i := 0; len(tags) < githubMaxTags; i++ {
		added := false
		for _, fw := range r.frameworks() {
			if ids := rule.Controls[fw]; i < len(ids) && len(tags) < githubMaxTags {
				tags, added = append(tags, fw+":"+ids[i]), true
			}
		}
		if !added {
			break
		}
	}
	return tags
}

// sarifText makes tenant text safe in a SARIF plain-text message:
// printable, and square brackets (and backslashes) backslash-escaped, as
// SARIF requires for literal brackets, so that no "[text](target)" embedded
// link can come from tenant data.
func sarifText(s string) string {
	return sarifEscaper.Replace(printable(s))
}

// sarifEscaper is built once: building a Replacer costs more than using it
// (on a 2,000-policy tenant, building one per result was 0.13 s of a scan).
var sarifEscaper = strings.NewReplacer("\\", "\\\\", "[", "\\[", "]", "\\]")

// lineHashKey is the fingerprint GitHub's upload-sarif action computes from
// the text around a result's line when the result lacks one. Our results
// point at config lines that many findings share and that users edit, so
// the line text must not decide which alert a finding is: the key carries
// our stable fingerprint instead (upload-sarif keeps a present value and
// logs that it differs from the line's hash).
const lineHashKey = "primaryLocationLineHash"

// lineHash formats a fingerprint like upload-sarif's line hashes
// ("<16 hex>:<occurrence>").
func lineHash(fingerprint string) string {
	return fingerprint[:min(16, len(fingerprint))] + ":1"
}
