package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
)

// Status values are exactly SPEC.md's.
const (
	StatusPass          = "pass"
	StatusFail          = "fail"
	StatusError         = "error"
	StatusManual        = "manual"
	StatusNotApplicable = "not_applicable"
	// StatusWaived is a fail covered by an unexpired waiver (accepted risk,
	// see ApplyWaivers); rules never return it themselves.
	StatusWaived = "waived"
)

// Statuses in summary order.
var Statuses = []string{StatusPass, StatusFail, StatusError, StatusManual, StatusNotApplicable, StatusWaived}

// Severities from most to least severe.
var Severities = []string{"critical", "high", "medium", "low"}

// SeverityRank orders severities: critical 4 … low 1; unknown 0.
func SeverityRank(s string) int {
	for i, v := range Severities {
		if v == s {
			return len(Severities) - i
		}
	}
	return 0
}

// Ref names the object a result is about.
type Ref struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Result is one verdict of one rule on one resource (and subject).
type Result struct {
	RuleID   string              `json:"ruleId"`
	Status   string              `json:"status"`
	Severity string              `json:"severity"`
	Resource Ref                 `json:"resource"`
	Subject  *Ref                `json:"subject,omitempty"`
	Message  string              `json:"message"`
	Controls map[string][]string `json:"controls"`
	// Key distinguishes several results on the same resource (e.g. drift).
	Key         string `json:"key,omitempty"`
	Fingerprint string `json:"fingerprint"`
	// Waiver is the accepted risk covering this result (status waived),
	// or the expired one that no longer does (status fail).
	Waiver *Waiver `json:"waiver,omitempty"`
}

// fingerprint is stable across runs: rule, tenant, object type and object
// ids; never display names, messages or positions.
func fingerprint(tenantID string, r *Result) string {
	parts := []string{r.RuleID, strings.ToLower(tenantID), r.Resource.Type, strings.ToLower(r.Resource.ID)}
	if r.Subject != nil {
		parts = append(parts, r.Subject.Type, strings.ToLower(r.Subject.ID))
	}
	if r.Key != "" {
		parts = append(parts, r.Key)
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}

// Summary counts results per status.
type Summary map[string]int

// Summarize counts statuses; every status is present.
func Summarize(results []Result) Summary {
	s := Summary{}
	for _, st := range Statuses {
		s[st] = 0
	}
	for _, r := range results {
		s[r.Status]++
	}
	return s
}

// sortResults orders by rule ID, resource, subject and key, with the
// fingerprint as the final tie-break: deterministic, independent of
// evaluation order, and readable (a policy's accounts stay together).
func sortResults(rs []Result) {
	// Each key is built once, not once per comparison (XL: 100,000s of
	// results, n log n string joins).
	keys := make([]string, len(rs))
	idx := make([]int, len(rs))
	for i := range rs {
		keys[i], idx[i] = sortKey(&rs[i]), i
	}
	sort.Slice(idx, func(a, b int) bool { return keys[idx[a]] < keys[idx[b]] })
	sorted := make([]Result, len(rs))
	for i, j := range idx {
		sorted[i] = rs[j]
	}
	copy(rs, sorted)
}

func sortKey(r *Result) string {
	subject := ""
	if r.Subject != nil {
		subject = r.Subject.Type + "\x00" + r.Subject.ID
	}
	return strings.Join([]string{r.RuleID, r.Resource.Type, r.Resource.ID, subject, r.Key, r.Fingerprint}, "\x00")
}

// ExitCode applies --fail-on: 1 when a fail or error result has a severity
// at or above the threshold, else 0. "none" never fails.
func ExitCode(results []Result, failOn string) int {
	threshold := SeverityRank(failOn)
	if threshold == 0 {
		return 0
	}
	for _, r := range results {
		if (r.Status == StatusFail || r.Status == StatusError) && SeverityRank(r.Severity) >= threshold {
			return 1
		}
	}
	return 0
}
