package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"

	"github.com/breakglass-dev/breakglass/policies/engine"
)

// HTML is one self-contained page for people (a compliance lead, an
// auditor): summary per framework, findings by severity with remediation,
// the accounts and how each fares, data sets that could not be collected,
// accepted risks and control coverage. No script, no external resource (a
// Content-Security-Policy forbids any fetch), inline CSS that prints well.
// html/template escapes every tenant-controlled string.
type HTML struct{}

var _ Writer = HTML{}

//go:embed html.tmpl
var htmlSource string

// cssClass turns a status or severity label into a CSS class name.
var cssClass = strings.NewReplacer(" ", "-", "(", "", ")", "", "_", "-")

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"label":    func(s string) string { return strings.ReplaceAll(s, "_", " ") },
	"class":    cssClass.Replace,
	"time":     func(t any) string { return fmt.Sprint(t) },
	"describe": describe,
	"join":     strings.Join,
}).Parse(htmlSource))

type htmlFinding struct {
	engine.Result
	Title       string
	Remediation string
	Controls    []string
}

type htmlSeverity struct {
	Severity string
	Findings []htmlFinding
}

type htmlAccount struct {
	Ref     engine.Ref
	Verdict string // at risk | unverified | accepted risk | ok
	Counts  map[string]int
	Rules   []string // rules with a non-pass verdict on the account
}

type htmlStatus struct {
	Status string
	Count  int
}

type htmlData struct {
	R          *Report
	Statuses   []htmlStatus
	Frameworks []FrameworkMatrix
	RollUps    []string
	Severities []htmlSeverity
	Findings   int
	Accounts   []htmlAccount
	Missing    []DataSet
	Waivers    []htmlFinding
	CollectedAt,
	Evaluated string
}

func (HTML) Write(w io.Writer, r *Report) error {
	r = printableReport(r)
	rules := r.ruleByID()
	finding := func(res engine.Result) htmlFinding {
		f := htmlFinding{Result: res, Title: res.RuleID, Controls: r.controlTags(res.Controls)}
		if rule, ok := rules[res.RuleID]; ok {
			f.Title, f.Remediation = rule.Title, oneLine(rule.Remediation)
		}
		return f
	}
	d := htmlData{
		R: r, Frameworks: r.ControlMatrix(), RollUps: RollUps,
		CollectedAt: r.Snapshot.CollectedAt.UTC().Format("2006-01-02 15:04:05 UTC"),
		Evaluated:   r.Scan.Now.UTC().Format("2006-01-02 15:04:05 UTC"),
	}
	for _, st := range []string{engine.StatusFail, engine.StatusError, engine.StatusManual, engine.StatusWaived, engine.StatusPass, engine.StatusNotApplicable} {
		d.Statuses = append(d.Statuses, htmlStatus{st, r.Summary[st]})
	}
	bySev := map[string][]htmlFinding{}
	for _, res := range r.Results {
		switch {
		case res.Status == engine.StatusFail || res.Status == engine.StatusError || res.Status == engine.StatusManual:
			bySev[res.Severity] = append(bySev[res.Severity], finding(res))
			d.Findings++
		}
		if res.Waiver != nil {
			d.Waivers = append(d.Waivers, finding(res))
		}
	}
	for _, sev := range engine.Severities {
		if len(bySev[sev]) > 0 {
			d.Severities = append(d.Severities, htmlSeverity{sev, bySev[sev]})
		}
	}
	d.Accounts = accounts(r.Results)
	if r.Provenance != nil {
		for _, ds := range r.Provenance.DataSets {
			if !ds.Complete() {
				d.Missing = append(d.Missing, ds)
			}
		}
	}
	return htmlTemplate.Execute(w, d)
}

// accounts lists every user a result judges (as resource or subject) with
// its results per status, ordered by name then id.
func accounts(results []engine.Result) []htmlAccount {
	byID := map[string]*htmlAccount{}
	var order []string
	for _, res := range results {
		var ref *engine.Ref
		switch {
		case res.Resource.Type == "user":
			ref = &res.Resource
		case res.Subject != nil && res.Subject.Type == "user":
			ref = res.Subject
		default:
			continue
		}
		key := strings.ToLower(ref.ID)
		a, ok := byID[key]
		if !ok {
			a = &htmlAccount{Ref: *ref, Counts: map[string]int{}}
			byID[key] = a
			order = append(order, key)
		}
		if a.Ref.Name == "" {
			a.Ref.Name = ref.Name
		}
		a.Counts[res.Status]++
		if res.Status != engine.StatusPass && res.Status != engine.StatusNotApplicable && (len(a.Rules) == 0 || a.Rules[len(a.Rules)-1] != res.RuleID) {
			a.Rules = append(a.Rules, res.RuleID)
		}
	}
	out := make([]htmlAccount, 0, len(order))
	for _, key := range order {
		a := byID[key]
		switch {
		case a.Counts[engine.StatusFail] > 0:
			a.Verdict = "at risk"
		case a.Counts[engine.StatusError] > 0 || a.Counts[engine.StatusManual] > 0:
			a.Verdict = "unverified"
		case a.Counts[engine.StatusWaived] > 0:
			a.Verdict = "accepted risk"
		default:
			a.Verdict = "ok"
		}
		out = append(out, *a)
	}
	sort.SliceStable(out, func(i, j int) bool {
		ni, nj := strings.ToLower(out[i].Ref.Name), strings.ToLower(out[j].Ref.Name)
		if ni != nj {
			return ni < nj
		}
		return out[i].Ref.ID < out[j].Ref.ID
	})
	return out
}

// printableReport returns a copy whose tenant-controlled strings are
// printable (html/template escapes markup, but control characters and
// bidirectional overrides would still reorder or hide what a reader sees).
func printableReport(r *Report) *Report {
	c := *r
	c.Snapshot.Path, c.Snapshot.TenantID = printable(r.Snapshot.Path), printable(r.Snapshot.TenantID)
	ref := func(x engine.Ref) engine.Ref {
		return engine.Ref{Type: printable(x.Type), ID: printable(x.ID), Name: printable(x.Name)}
	}
	c.Results = make([]engine.Result, len(r.Results))
	for i, res := range r.Results {
		res.Resource = ref(res.Resource)
		if res.Subject != nil {
			s := ref(*res.Subject)
			res.Subject = &s
		}
		res.Message = printable(res.Message)
		if res.Waiver != nil {
			w := *res.Waiver
			w.Reason, w.Owner, w.Source = printable(w.Reason), printable(w.Owner), printable(w.Source)
			res.Waiver = &w
		}
		c.Results[i] = res
	}
	if r.Provenance != nil {
		p := *r.Provenance
		p.DataSets = make([]DataSet, len(r.Provenance.DataSets))
		for i, d := range r.Provenance.DataSets {
			d.Message = printable(d.Message)
			p.DataSets[i] = d
		}
		if by := r.Provenance.Collection.CollectedBy; by != nil {
			b := *by
			b.Name, b.ID, b.Type = printable(b.Name), printable(b.ID), printable(b.Type)
			p.Collection.CollectedBy = &b
		}
		c.Provenance = &p
	}
	return &c
}
