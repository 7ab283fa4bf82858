package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/breakglass-dev/breakglass/policies/engine"
	"github.com/owenrumney/go-sarif/v2/sarif"
)

// SARIF is SARIF 2.1.0 for GitHub code scanning: one run, every rule of the
// catalogue, fail/error/manual results (pass with IncludePass).
type SARIF struct{}

var _ Writer = SARIF{}

// FingerprintKey names our partial fingerprint; bump the version only if
// the fingerprint inputs change.
const FingerprintKey = "breakglass/v1"

const informationURI = "https://github.com/breakglass-dev/breakglass"

// securitySeverity maps our severities onto GitHub's 0–10 scale
// (critical ≥ 9.0, high 7.0–8.9, medium 4.0–6.9, low < 4.0).
var securitySeverity = map[string]string{"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}

func level(severity string) string {
	switch severity {
	case "critical", "high":
		return "error"
	case "medium":
		return "warning"
	default:
		return "note"
	}
}

func (SARIF) Write(w io.Writer, r *Report) error {
	doc, err := sarif.New(sarif.Version210, true)
	if err != nil {
		return err
	}
	driver := sarif.NewVersionedDriver(r.Tool.Name, r.Tool.Version).WithInformationURI(informationURI)
	driver.WithRules([]*sarif.ReportingDescriptor{})
	run := sarif.NewRun(*sarif.NewTool(driver))
	run.WithResults([]*sarif.Result{})
	run.WithAutomationDetails(sarif.NewRunAutomationDetails().WithID(fmt.Sprintf("breakglass/tenant-%s/", r.Snapshot.TenantID)))
	index := map[string]int{}
	for i, rule := range r.Rules {
		index[rule.ID] = i
		driver.AddRule(sarifRule(r, rule))
	}
	for _, res := range r.Results {
		if !r.visible(res) {
			continue
		}
		run.AddResult(sarifResult(r, res, index[res.RuleID]))
	}
	doc.AddRun(run)
	return doc.PrettyWrite(w)
}

func sarifRule(r *Report, rule *engine.Rule) *sarif.ReportingDescriptor {
	tags := append([]string{"security", "break-glass"}, r.controlTags(rule.Controls)...)
	props := sarif.NewPropertyBag()
	props.Add("tags", tags)
	props.Add("security-severity", securitySeverity[rule.Severity])
	props.Add("precision", "very-high")
	props.Add("problem.severity", level(rule.Severity))
	d := sarif.NewRule(rule.ID).
		WithName(ruleName(rule.ID)).
		WithShortDescription(sarif.NewMultiformatMessageString(rule.Title)).
		WithFullDescription(sarif.NewMultiformatMessageString(oneLine(rule.Description))).
		WithHelp(sarif.NewMultiformatMessageString(helpText(rule)).WithMarkdown(helpMarkdown(r, rule))).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(level(rule.Severity))).
		WithProperties(props.Properties)
	if rule.Builtin {
		// Only built-in rules are documented in docs/rules.md.
		d.WithHelpURI(informationURI + "/blob/main/docs/rules.md#" + strings.ToLower(rule.ID))
	}
	return d
}

// ruleName turns BG-CA-002 into BgCa002, the identifier-like name SARIF
// viewers expect.
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.Split(id, "-") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + strings.ToLower(part[1:]))
	}
	return b.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func helpText(rule *engine.Rule) string {
	return oneLine(rule.Description) + "\n\nRemediation: " + oneLine(rule.Remediation)
}

func helpMarkdown(r *Report, rule *engine.Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** (%s)\n\n%s\n\n### Remediation\n\n%s\n\n### Controls\n\n", rule.Title, rule.Severity, rule.Description, rule.Remediation)
	for _, fw := range r.frameworks() {
		if ids := rule.Controls[fw]; len(ids) > 0 {
			fmt.Fprintf(&b, "- %s: %s\n", fw, strings.Join(ids, ", "))
		}
	}
	return b.String()
}

func sarifResult(r *Report, res engine.Result, ruleIndex int) *sarif.Result {
	kind, lvl := "fail", level(res.Severity)
	text := res.Message
	switch res.Status {
	case engine.StatusError:
		text = "Could not be verified: " + res.Message
	case engine.StatusManual:
		kind, lvl = "review", "none"
	case engine.StatusPass:
		kind, lvl = "pass", "none"
	case engine.StatusNotApplicable:
		kind, lvl = "notApplicable", "none"
	}
	subject := ""
	if res.Subject != nil {
		subject = "; account " + describe(*res.Subject)
	}
	text = fmt.Sprintf("%s [%s%s]", text, describe(res.Resource), subject)
	line := r.IDLines[res.Resource.ID]
	if line == 0 {
		line = 1
	}
	logical := sarif.NewLogicalLocation().
		WithName(nonEmpty(res.Resource.Name, res.Resource.ID)).
		WithFullyQualifiedName(res.Resource.Type + "/" + res.Resource.ID).
		WithKind("resource")
	loc := sarif.NewLocationWithPhysicalLocation(
		sarif.NewPhysicalLocation().
			WithArtifactLocation(sarif.NewSimpleArtifactLocation(r.Snapshot.Path)).
			WithRegion(sarif.NewSimpleRegion(line, line)),
	).WithLogicalLocations([]*sarif.LogicalLocation{logical})
	out := sarif.NewRuleResult(res.RuleID).
		WithRuleIndex(ruleIndex).
		WithKind(kind).
		WithLevel(lvl).
		WithMessage(sarif.NewTextMessage(text)).
		WithLocations([]*sarif.Location{loc}).
		WithPartialFingerPrints(map[string]interface{}{FingerprintKey: res.Fingerprint})
	out.AttachPropertyBag(sarif.NewPropertyBag())
	out.Add("status", res.Status)
	return out
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
