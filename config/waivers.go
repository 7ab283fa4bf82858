package config

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// DefaultWaiverWarningDays is how many days before a waiver expires scan
// starts warning about it (waiverWarningDays).
const DefaultWaiverWarningDays = 14

// Waiver is an accepted risk: one rule's fail verdict on one resource (and,
// optionally, one subject) that the owner has accepted until Expires.
// Waivers are matched on object ids, never on display names (a name is
// tenant-controlled and could be renamed into a waiver's scope).
type Waiver struct {
	Rule     string `yaml:"rule" json:"rule"`
	Resource string `yaml:"resource" json:"resource"`
	Subject  string `yaml:"subject" json:"subject,omitempty"`
	Reason   string `yaml:"reason" json:"reason"`
	Owner    string `yaml:"owner" json:"owner"`
	Expires  string `yaml:"expires" json:"expires"` // YYYY-MM-DD, the last day the waiver holds
	// Line is the line of the waiver in the config file (for messages).
	Line int `yaml:"-" json:"-"`
}

// ExpiresAt is the first instant the waiver no longer holds: the day after
// Expires, at midnight in loc (the config's timeZone; UTC when nil).
func (w Waiver) ExpiresAt(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	d, err := time.ParseInLocation(dateLayout, w.Expires, loc)
	if err != nil {
		return time.Time{}
	}
	return d.AddDate(0, 0, 1)
}

// Location is the zone of the config's dates (timeZone, default UTC).
func (c *Config) Location() *time.Location {
	if c.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// WarningDays is waiverWarningDays, or its default.
func (c *Config) WarningDays() int {
	return orDefault(c.WaiverWarningDays, DefaultWaiverWarningDays)
}

// CheckWaiverRules rejects a waiver naming a rule that is not loaded (a
// typo would otherwise waive nothing, silently). known lists the rule ids
// of the catalogue (built-in and --policy).
func (c *Config) CheckWaiverRules(path string, known []string) error {
	set := map[string]bool{}
	for _, id := range known {
		set[id] = true
	}
	for i, w := range c.Waivers {
		if set[w.Rule] {
			continue
		}
		msg := fmt.Sprintf("waivers[%d].rule %q is not a loaded rule", i, w.Rule)
		if s := closest(w.Rule, known); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		}
		msg += "; `breakglass rules` lists them (custom rules need --policy)"
		return &Error{Path: path, Line: w.Line, Msg: msg}
	}
	return nil
}

// closest returns the known id with the smallest edit distance to id, if
// it is close (at most 2 edits).
func closest(id string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := editDistance(strings.ToUpper(id), k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

var waiverRuleRE = regexp.MustCompile(`^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$`)

// armIDRE accepts an ARM resource id (/subscriptions/...), the resource id
// of subscriptions and Key Vaults in results.
var armIDRE = regexp.MustCompile(`^/subscriptions/[^/]+(/.*)?$`)

// checkWaivers validates the waivers: every field present, ids in the
// form results use, a real date, no duplicates.
func (v *validator) checkWaivers(c *Config) {
	if n := v.node("waiverWarningDays"); n != nil && n.ShortTag() == "!!float" {
		v.fail(n.Line, "waiverWarningDays: expected a whole number, got %s", n.Value)
	}
	if c.WaiverWarningDays != nil && *c.WaiverWarningDays < 0 {
		v.fail(v.line("waiverWarningDays"), "waiverWarningDays must be 0 or more (days before a waiver expires that scan warns), got %d", *c.WaiverWarningDays)
	}
	seen := map[string]int{}
	for i := range c.Waivers {
		w := &c.Waivers[i]
		w.Line = v.line("waivers", i)
		at := func(key string) int {
			if n := v.node("waivers", i, key); n != nil {
				return n.Line
			}
			return w.Line
		}
		switch {
		case w.Rule == "":
			v.fail(w.Line, "waivers[%d] needs rule: the rule id whose finding is accepted (e.g. BG-AUTH-002)", i)
		case !waiverRuleRE.MatchString(w.Rule):
			v.fail(at("rule"), "waivers[%d].rule %q is not a rule id (e.g. BG-AUTH-002)", i, w.Rule)
		}
		switch {
		case w.Resource == "":
			v.fail(w.Line, "waivers[%d] needs resource: the object id of the finding's resource (resource.id in the JSON report)", i)
		case !IsGUID(w.Resource) && !armIDRE.MatchString(w.Resource):
			v.fail(at("resource"), "waivers[%d].resource %q must be an object id (GUID) or an ARM resource id (/subscriptions/...), as resource.id in the JSON report; names are not accepted because they can be changed", i, w.Resource)
		}
		if w.Subject != "" && !IsGUID(w.Subject) {
			v.fail(at("subject"), "waivers[%d].subject %q must be an object id (GUID), as subject.id in the JSON report", i, w.Subject)
		}
		if strings.TrimSpace(w.Reason) == "" {
			v.fail(at("reason"), "waivers[%d] needs reason: why the risk is accepted (it is shown to auditors)", i)
		}
		if strings.TrimSpace(w.Owner) == "" {
			v.fail(at("owner"), "waivers[%d] needs owner: who accepted the risk (a name or e-mail address)", i)
		} else if strings.Contains(w.Owner, "@") {
			if _, err := mail.ParseAddress(w.Owner); err != nil {
				v.fail(at("owner"), "waivers[%d].owner %q is not a valid e-mail address", i, w.Owner)
			}
		}
		switch {
		case w.Expires == "":
			v.fail(w.Line, "waivers[%d] needs expires: the last day (YYYY-MM-DD) the risk is accepted; a waiver never lasts forever", i)
		default:
			if _, err := time.Parse(dateLayout, w.Expires); err != nil {
				v.fail(at("expires"), "waivers[%d].expires %q is not a date (YYYY-MM-DD)", i, w.Expires)
			}
		}
		key := strings.Join([]string{w.Rule, strings.ToLower(w.Resource), strings.ToLower(w.Subject)}, "\x00")
		if prev, dup := seen[key]; dup {
			v.fail(w.Line, "waivers[%d] repeats waivers[%d] (same rule, resource and subject)", i, prev)
		}
		seen[key] = i
	}
}
