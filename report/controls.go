package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/breakglass-dev/breakglass/policies/engine"
)

// Control roll-ups: what the results of a control's rules say about it.
const (
	// RollUpSatisfied: every linked result passes (not_applicable ones
	// aside) and at least one passes.
	RollUpSatisfied = "satisfied"
	// RollUpNotSatisfied: at least one linked result fails.
	RollUpNotSatisfied = "not satisfied"
	// RollUpNotDetermined: no fail, but an error (data missing) or manual
	// (human evidence missing) result: never satisfied.
	RollUpNotDetermined = "not determined"
	// RollUpWaived: no fail, error or manual, but a waived result: the
	// control is not satisfied; the gap is an accepted risk.
	RollUpWaived = "not satisfied (risk accepted)"
	// RollUpNotApplicable: the rules judged nothing in scope.
	RollUpNotApplicable = "not applicable"
	// RollUpNotAssessed: no rule assesses the control.
	RollUpNotAssessed = "not assessed"
)

// RollUps lists the roll-ups in report order.
var RollUps = []string{RollUpNotSatisfied, RollUpNotDetermined, RollUpWaived, RollUpSatisfied, RollUpNotApplicable, RollUpNotAssessed}

// ControlRow is one control of a framework with its rules and roll-up.
type ControlRow struct {
	Framework string
	ID        string
	Title     string
	Rules     []string       // rule ids mapped to the control, sorted
	Counts    map[string]int // linked results per status (all statuses present)
	RollUp    string
	// Reason explains the roll-up ("1 fail: BG-CA-002; 2 error: BG-MON-001").
	Reason  string
	Results []engine.Result // the linked results, in report order
}

// FrameworkMatrix is one framework's controls in catalogue order.
type FrameworkMatrix struct {
	ID, Title string
	Rows      []ControlRow
	// Totals counts the controls per roll-up.
	Totals map[string]int
}

// ControlMatrix rolls the results up per control, for every framework of
// the report (built-ins first, then --mappings files).
func (r *Report) ControlMatrix() []FrameworkMatrix {
	byRule := map[string][]engine.Result{}
	for _, res := range r.Results {
		byRule[res.RuleID] = append(byRule[res.RuleID], res)
	}
	var out []FrameworkMatrix
	if r.Mappings == nil {
		return out
	}
	for _, fw := range r.Mappings.Frameworks {
		m := FrameworkMatrix{ID: fw.ID, Title: fw.Title, Totals: map[string]int{}}
		for _, ru := range RollUps {
			m.Totals[ru] = 0
		}
		for _, c := range fw.Controls {
			row := ControlRow{Framework: fw.ID, ID: c.ID, Title: c.Title, Rules: []string{}, Counts: map[string]int{}}
			for _, st := range engine.Statuses {
				row.Counts[st] = 0
			}
			for _, rule := range r.Rules {
				for _, id := range rule.Controls[fw.ID] {
					if id == c.ID {
						row.Rules = append(row.Rules, rule.ID)
					}
				}
			}
			sort.Strings(row.Rules)
			for _, id := range row.Rules {
				for _, res := range byRule[id] {
					row.Counts[res.Status]++
					row.Results = append(row.Results, res)
				}
			}
			row.RollUp, row.Reason = rollUp(row)
			m.Totals[row.RollUp]++
			m.Rows = append(m.Rows, row)
		}
		out = append(out, m)
	}
	return out
}

func rollUp(row ControlRow) (string, string) {
	if len(row.Rules) == 0 {
		return RollUpNotAssessed, "no breakglass rule assesses this control"
	}
	c := row.Counts
	// which rules produced each status, for the reason
	rulesWith := func(status string) string {
		var ids []string
		seen := map[string]bool{}
		for _, res := range row.Results {
			if res.Status == status && !seen[res.RuleID] {
				seen[res.RuleID] = true
				ids = append(ids, res.RuleID)
			}
		}
		return fmt.Sprintf("%d %s (%s)", c[status], strings.ReplaceAll(status, "_", " "), strings.Join(ids, ", "))
	}
	var parts []string
	for _, st := range []string{engine.StatusFail, engine.StatusError, engine.StatusManual, engine.StatusWaived} {
		if c[st] > 0 {
			parts = append(parts, rulesWith(st))
		}
	}
	reason := strings.Join(parts, "; ")
	switch {
	case c[engine.StatusFail] > 0:
		return RollUpNotSatisfied, reason
	case c[engine.StatusError] > 0 || c[engine.StatusManual] > 0:
		return RollUpNotDetermined, reason + ": unverified results never count as satisfied"
	case c[engine.StatusWaived] > 0:
		return RollUpWaived, reason
	case c[engine.StatusPass] > 0:
		return RollUpSatisfied, fmt.Sprintf("all %d result(s) pass", c[engine.StatusPass])
	default:
		return RollUpNotApplicable, "the rules found nothing in scope to judge"
	}
}

// ControlMatrixCSV writes one framework's control matrix as CSV (RFC 4180)
// for spreadsheets: one row per control.
type ControlMatrixCSV struct{ Framework string }

var _ Writer = ControlMatrixCSV{}

func (m ControlMatrixCSV) Write(w io.Writer, r *Report) error {
	fm, err := r.frameworkMatrix(m.Framework)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	header := []string{"framework", "control", "title", "rules", "roll-up"}
	header = append(header, engine.Statuses...)
	header = append(header, "reason")
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, row := range fm.Rows {
		rec := []string{row.Framework, row.ID, row.Title, strings.Join(row.Rules, " "), row.RollUp}
		for _, st := range engine.Statuses {
			rec = append(rec, fmt.Sprint(row.Counts[st]))
		}
		rec = append(rec, row.Reason)
		for i := range rec {
			rec[i] = csvSafe(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula (a custom
// mapping's title "=HYPERLINK(...)"): such cells get a leading apostrophe.
func csvSafe(s string) string {
	s = printable(s)
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ControlMatrixMarkdown writes one framework's control matrix as a
// Markdown table.
type ControlMatrixMarkdown struct{ Framework string }

var _ Writer = ControlMatrixMarkdown{}

func (m ControlMatrixMarkdown) Write(w io.Writer, r *Report) error {
	fm, err := r.frameworkMatrix(m.Framework)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# %s: control matrix\n\nTenant `%s`, snapshot `%s` (collected %s), evaluated %s.\n\n",
		cell(fm.Title), r.Snapshot.TenantID, cell(r.Snapshot.Path), r.Snapshot.CollectedAt.Format("2006-01-02T15:04:05Z07:00"), r.Scan.Now.Format("2006-01-02T15:04:05Z07:00"))
	bw.WriteString("A control is *satisfied* only when every linked result passes; `error` or `manual` make it *not determined*; a waived finding leaves it *not satisfied (risk accepted)*; a control no rule assesses is *not assessed*.\n\n")
	for _, ru := range RollUps {
		fmt.Fprintf(bw, "- %s: %d\n", ru, fm.Totals[ru])
	}
	bw.WriteString("\n| control | title | rules | roll-up | reason |\n|---|---|---|---|---|\n")
	for _, row := range fm.Rows {
		fmt.Fprintf(bw, "| %s | %s | %s | %s | %s |\n", cell(row.ID), cell(row.Title), cell(strings.Join(row.Rules, ", ")), row.RollUp, cell(row.Reason))
	}
	return bw.Flush()
}

func (r *Report) frameworkMatrix(id string) (FrameworkMatrix, error) {
	for _, m := range r.ControlMatrix() {
		if m.ID == id {
			return m, nil
		}
	}
	return FrameworkMatrix{}, fmt.Errorf("control matrix: no framework %q", id)
}
