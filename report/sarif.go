package report

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"strings"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/policies/engine"
	"github.com/owenrumney/go-sarif/v2/sarif"
)

// SARIF is SARIF 2.1.0 for GitHub code scanning: one run, every rule of the
// catalogue, fail/error/manual results. pass and not_applicable results are
// never written, even with IncludePass: GitHub ignores result.kind and
// would open an alert for each, and since the fingerprint does not include
// the status, a fixed finding's pass result would keep its alert open
// instead of closing it. (manual results do become alerts: they need human
// evidence; they carry kind "review" and level "none".)
//
// Every result has a physical location in a file of the repository (see
// Source) and stays within GitHub's upload limits (sarif_github.go): a file
// GitHub would reject is never written.
type SARIF struct {
	// MaxResults and MaxGzipBytes lower GitHub's limits (for tests); zero
	// means GitHub's.
	MaxResults   int
	MaxGzipBytes int
}

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

func (s SARIF) Write(w io.Writer, r *Report) error {
	maxResults, maxGzip := cmp.Or(s.MaxResults, githubMaxResults), cmp.Or(s.MaxGzipBytes, githubMaxGzipSize)
	var alerts []engine.Result
	for _, res := range r.Results {
		if res.Status != engine.StatusPass && res.Status != engine.StatusNotApplicable {
			alerts = append(alerts, res)
		}
	}
	keep := min(len(alerts), maxResults)
	for {
		kept, dropped := dropLowest(alerts, keep)
		var buf bytes.Buffer
		if err := sarifDocument(r, kept, dropped).PrettyWrite(&buf); err != nil {
			return err
		}
		size := gzipSize(buf.Bytes())
		if size > maxGzip && keep > 0 {
			// Shrink in proportion (with a margin) and render again:
			// deterministic, and a few rounds at most.
			keep = min(keep-1, int(float64(keep)*float64(maxGzip)/float64(size)*0.9))
			keep = max(keep, 0)
			continue
		}
		if size > maxGzip {
			return fmt.Errorf("SARIF without results is %d bytes gzipped, over the %d-byte limit of GitHub code scanning", size, maxGzip)
		}
		if len(dropped) > 0 && r.Log != nil {
			fmt.Fprintf(r.Log, "breakglass: warning: %s\n", droppedNote(dropped, len(alerts)))
		}
		_, err := w.Write(buf.Bytes())
		return err
	}
}

// sarifDocument builds the log for the results kept; dropped ones are
// counted in a tool execution notification.
func sarifDocument(r *Report, results, dropped []engine.Result) *sarif.Report {
	doc, _ := sarif.New(sarif.Version210, true) // cannot fail for 2.1.0
	driver := sarif.NewVersionedDriver(r.Tool.Name, r.Tool.Version).WithInformationURI(informationURI)
	driver.WithRules([]*sarif.ReportingDescriptor{})
	run := sarif.NewRun(*sarif.NewTool(driver))
	run.WithResults([]*sarif.Result{})
	run.WithAutomationDetails(sarif.NewRunAutomationDetails().WithID(fmt.Sprintf("breakglass/tenant-%s/", printable(r.Snapshot.TenantID))))
	if r.Source != nil {
		// No absolute path: the root is wherever the repository is checked
		// out; GitHub resolves these paths from the repository root.
		run.WithOriginalUriBaseIds(map[string]*sarif.ArtifactLocation{
			SourceRoot: sarif.NewArtifactLocation().WithDescriptionText("The root of the repository; result paths are relative to it."),
		})
	}
	index := map[string]int{}
	for i, rule := range r.Rules {
		index[rule.ID] = i
		driver.AddRule(sarifRule(r, rule))
	}
	for _, res := range results {
		run.AddResult(sarifResult(r, res, index[res.RuleID]))
	}
	if len(dropped) > 0 {
		note := sarif.NewNotification().WithLevel("warning").WithMessage(sarif.NewTextMessage(droppedNote(dropped, len(results)+len(dropped))))
		run.AddInvocations(sarif.NewInvocation().WithExecutionSuccess(true).WithToolExecutionNotifications([]*sarif.Notification{note}))
	}
	doc.AddRun(run)
	return doc
}

func sarifRule(r *Report, rule *engine.Rule) *sarif.ReportingDescriptor {
	props := sarif.NewPropertyBag()
	props.Add("tags", ruleTags(r, rule))
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
	}
	subject := ""
	if res.Subject != nil {
		subject = "; " + subjectLabel(*res.Subject) + " " + sarifText(describe(*res.Subject))
	}
	text = fmt.Sprintf("%s [%s%s]", sarifText(text), sarifText(describe(res.Resource)), subject)
	logical := sarif.NewLogicalLocation().
		WithName(printable(nonEmpty(res.Resource.Name, res.Resource.ID))).
		WithFullyQualifiedName(printable(res.Resource.Type + "/" + res.Resource.ID)).
		WithKind("resource")
	at := r.anchorOf(res)
	artifact := sarif.NewSimpleArtifactLocation(at.uri)
	if at.baseID != "" {
		artifact.WithUriBaseId(at.baseID)
	}
	loc := sarif.NewLocationWithPhysicalLocation(
		sarif.NewPhysicalLocation().
			WithArtifactLocation(artifact).
			WithRegion(sarif.NewSimpleRegion(at.line, at.line)),
	).WithLogicalLocations([]*sarif.LogicalLocation{logical})
	out := sarif.NewRuleResult(res.RuleID).
		WithRuleIndex(ruleIndex).
		WithKind(kind).
		WithLevel(lvl).
		WithMessage(sarif.NewTextMessage(text)).
		WithLocations([]*sarif.Location{loc}).
		WithPartialFingerPrints(map[string]interface{}{FingerprintKey: res.Fingerprint, lineHashKey: lineHash(res.Fingerprint)})
	out.AttachPropertyBag(sarif.NewPropertyBag())
	out.Add("status", res.Status)
	if s := waiverSuppression(res, loc); s != nil {
		out.AddSuppression(s)
	}
	return out
}

// dataSetOf names the data set holding objects of a resource type.
var dataSetOf = map[string]string{
	"user":                    snapshot.Users,
	"group":                   snapshot.Groups,
	"conditionalAccessPolicy": snapshot.ConditionalAccessPolicies,
	"subscription":            snapshot.Subscriptions,
	"keyVault":                snapshot.KeyVaults,
	"directoryObject":         snapshot.DirectoryObjects,
	"tenant":                  snapshot.Organization,
}

// resourceLine is the line of the resource's own object in the snapshot:
// the item with its id in the data set of its type (a user's id also keys
// its authenticationMethods, signInActivity, ... entries), else the id's
// first occurrence; a tenant falls back to metadata.tenantId; else line 1.
func resourceLine(idx *snapshot.IDIndex, ref engine.Ref) int {
	var line int
	if set, ok := dataSetOf[ref.Type]; ok {
		line = idx.Line(set, ref.ID)
	} else {
		line = idx.First(ref.ID)
	}
	if line == 0 && ref.Type == "tenant" {
		line = idx.TenantLine()
	}
	return max(line, 1)
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
