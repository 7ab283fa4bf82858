package engine

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/breakglass-dev/breakglass/config"
)

// Waiver records the accepted risk on a result, as reports show it.
type Waiver struct {
	Reason  string `json:"reason"`
	Owner   string `json:"owner"`
	Expires string `json:"expires"` // YYYY-MM-DD, the last day it holds
	// Source is where the waiver is declared (breakglass.yaml:42).
	Source string `json:"source"`
	// Expired is true when the waiver no longer holds: the result stays
	// fail and says so.
	Expired bool `json:"expired,omitempty"`
}

// WaiverOptions are the inputs of ApplyWaivers besides the results.
type WaiverOptions struct {
	Waivers []config.Waiver
	// Path is the config file as shown in reports (for Source and warnings).
	Path string
	// Now is the evaluation time (the snapshot's collectedAt or --now), so
	// that re-scanning an old snapshot gives the same verdicts.
	Now time.Time
	// Location is the zone of the expiry dates (the config's timeZone).
	Location *time.Location
	// WarningDays: warn when an applied waiver expires within this many days.
	WarningDays int
}

// ApplyWaivers turns each fail result covered by an unexpired waiver into
// `waived` and marks a fail whose waiver has expired. Only `fail` can be
// waived: an `error` (data missing) or `manual` (human evidence missing)
// result is never hidden by a waiver. Matching is by rule id and object
// ids (case-insensitive), never by name; a waiver with a subject covers
// that subject only and wins over one without. Results are returned in a
// new slice (the input is not modified), in the same order; warnings name
// waivers that expire soon, have expired, match no fail result or match a
// result that cannot be waived.
func ApplyWaivers(results []Result, o WaiverOptions) ([]Result, []string) {
	if len(o.Waivers) == 0 {
		return results, nil
	}
	loc := o.Location
	if loc == nil {
		loc = time.UTC
	}
	out := make([]Result, len(results))
	copy(out, results)
	used := make([]bool, len(o.Waivers))
	var warnings []string
	unwaivable := map[int]string{}
	for i := range out {
		r := &out[i]
		wi := matchWaiver(o.Waivers, r)
		if wi < 0 {
			continue
		}
		w := o.Waivers[wi]
		switch r.Status {
		case StatusFail:
		case StatusError, StatusManual:
			if _, seen := unwaivable[wi]; !seen {
				unwaivable[wi] = r.Status
			}
			continue
		default:
			continue
		}
		used[wi] = true
		info := &Waiver{Reason: w.Reason, Owner: w.Owner, Expires: w.Expires, Source: source(o.Path, w.Line)}
		r.Waiver = info
		if !o.Now.Before(w.ExpiresAt(loc)) {
			info.Expired = true
			r.Message = fmt.Sprintf("%s (the waiver of this finding expired on %s, owner %s: it no longer covers it; fix the finding, or renew the waiver with a new expiry)", r.Message, w.Expires, w.Owner)
			continue
		}
		r.Status = StatusWaived
		r.Message = fmt.Sprintf("%s (accepted risk until %s, owner %s: %s)", r.Message, w.Expires, w.Owner, oneLine(w.Reason))
	}
	for i, w := range o.Waivers {
		where := fmt.Sprintf("waiver at %s (%s on %s%s)", source(o.Path, w.Line), w.Rule, w.Resource, subjectSuffix(w.Subject))
		exp := w.ExpiresAt(loc)
		switch {
		case used[i] && !o.Now.Before(exp):
			warnings = append(warnings, fmt.Sprintf("%s expired on %s: the finding is reported as fail again", where, w.Expires))
		case used[i]:
			// Calendar days from today (in the config's zone) to the last day.
			y, m, d := o.Now.In(loc).Date()
			today := time.Date(y, m, d, 0, 0, 0, 0, loc)
			if days := int(math.Round(exp.Sub(today).Hours()/24)) - 1; days <= o.WarningDays {
				warnings = append(warnings, fmt.Sprintf("%s expires on %s (in %d day(s)): fix the finding or renew the waiver", where, w.Expires, days))
			}
		case unwaivable[i] != "":
			warnings = append(warnings, fmt.Sprintf("%s matches a result with status %s: only fail results can be waived (missing data or missing human evidence is never hidden); it has no effect", where, unwaivable[i]))
		default:
			warnings = append(warnings, fmt.Sprintf("%s matches no fail result (fixed, or the ids are wrong: compare with resource.id/subject.id in the JSON report); remove it", where))
		}
	}
	return out, warnings
}

// matchWaiver returns the index of the waiver covering r: one naming r's
// subject first, else one without a subject; -1 if none.
func matchWaiver(ws []config.Waiver, r *Result) int {
	best := -1
	for i, w := range ws {
		if w.Rule != r.RuleID || !strings.EqualFold(w.Resource, r.Resource.ID) {
			continue
		}
		switch {
		case w.Subject == "":
			if best < 0 {
				best = i
			}
		case r.Subject != nil && strings.EqualFold(w.Subject, r.Subject.ID):
			return i
		}
	}
	return best
}

func source(path string, line int) string {
	if path == "" {
		path = "config"
	}
	if line > 0 {
		return fmt.Sprintf("%s:%d", path, line)
	}
	return path
}

func subjectSuffix(s string) string {
	if s == "" {
		return ""
	}
	return ", subject " + s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
