package report

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/breakglass-dev/breakglass/policies/engine"
)

// OSCAL writes NIST OSCAL 1.1.3 Assessment Results: one observation per
// result (its subject the Entra/ARM object, listed as an inventory item),
// one finding per NIST SP 800-53 Rev. 5 control that a rule assesses (the
// other frameworks' controls of the same rules as props), `satisfied` only
// when every linked result passes. Every UUID is a version-5 UUID of
// stable inputs, so the same scan gives the same document.
type OSCAL struct {
	// SnapshotHref is where the snapshot lies relative to this document
	// (the observations' relevant evidence); empty omits it.
	SnapshotHref string
}

var _ Writer = OSCAL{}

// OSCALVersion is the OSCAL release the output follows.
const OSCALVersion = "1.1.3"

// oscalNS qualifies breakglass's own OSCAL props.
const oscalNS = informationURI + "/ns/oscal"

const nistFramework = "nist-800-53r5"

type oscalProp struct {
	Name    string `json:"name"`
	NS      string `json:"ns,omitempty"`
	Value   string `json:"value"`
	Class   string `json:"class,omitempty"`
	Remarks string `json:"remarks,omitempty"`
}

type oscalSubject struct {
	UUID  string      `json:"subject-uuid"`
	Type  string      `json:"type"`
	Title string      `json:"title,omitempty"`
	Props []oscalProp `json:"props,omitempty"`
}

type oscalEvidence struct {
	Href        string `json:"href,omitempty"`
	Description string `json:"description"`
}

type oscalObservation struct {
	UUID        string          `json:"uuid"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Props       []oscalProp     `json:"props"`
	Methods     []string        `json:"methods"`
	Types       []string        `json:"types,omitempty"`
	Subjects    []oscalSubject  `json:"subjects"`
	Evidence    []oscalEvidence `json:"relevant-evidence,omitempty"`
	Collected   string          `json:"collected"`
	Remarks     string          `json:"remarks,omitempty"`
}

type oscalStatus struct {
	State   string `json:"state"`
	Reason  string `json:"reason,omitempty"`
	Remarks string `json:"remarks,omitempty"`
}

type oscalTarget struct {
	Type     string      `json:"type"`
	TargetID string      `json:"target-id"`
	Title    string      `json:"title,omitempty"`
	Status   oscalStatus `json:"status"`
}

type oscalRelated struct {
	UUID string `json:"observation-uuid"`
}

type oscalFinding struct {
	UUID        string         `json:"uuid"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Props       []oscalProp    `json:"props,omitempty"`
	Target      oscalTarget    `json:"target"`
	Related     []oscalRelated `json:"related-observations,omitempty"`
}

type oscalItem struct {
	UUID        string      `json:"uuid"`
	Description string      `json:"description"`
	Props       []oscalProp `json:"props"`
}

type oscalControlRef struct {
	ControlID string `json:"control-id"`
}

type oscalSelection struct {
	Description     string            `json:"description,omitempty"`
	IncludeAll      *struct{}         `json:"include-all,omitempty"`
	IncludeControls []oscalControlRef `json:"include-controls,omitempty"`
}

type oscalResult struct {
	UUID             string      `json:"uuid"`
	Title            string      `json:"title"`
	Description      string      `json:"description"`
	Start            string      `json:"start"`
	Props            []oscalProp `json:"props,omitempty"`
	LocalDefinitions *struct {
		InventoryItems []oscalItem `json:"inventory-items"`
	} `json:"local-definitions,omitempty"`
	ReviewedControls struct {
		Selections []oscalSelection `json:"control-selections"`
	} `json:"reviewed-controls"`
	Observations []oscalObservation `json:"observations,omitempty"`
	Findings     []oscalFinding     `json:"findings,omitempty"`
	Remarks      string             `json:"remarks,omitempty"`
}

type oscalDoc struct {
	AR struct {
		UUID     string `json:"uuid"`
		Metadata struct {
			Title        string      `json:"title"`
			LastModified string      `json:"last-modified"`
			Version      string      `json:"version"`
			OSCALVersion string      `json:"oscal-version"`
			Props        []oscalProp `json:"props"`
			Remarks      string      `json:"remarks,omitempty"`
		} `json:"metadata"`
		ImportAP struct {
			Href    string `json:"href"`
			Remarks string `json:"remarks,omitempty"`
		} `json:"import-ap"`
		Results []oscalResult `json:"results"`
	} `json:"assessment-results"`
}

// oscalTime renders a time as OSCAL wants it: RFC 3339 with a zone (UTC).
func oscalTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

var nistEnhancement = regexp.MustCompile(`^([A-Za-z]{2})-(\d+)(?:\((\d+)\))?$`)

// NISTControlID turns "AC-2(12)" into the OSCAL catalogue id "ac-2.12".
func NISTControlID(id string) string {
	m := nistEnhancement.FindStringSubmatch(id)
	if m == nil {
		return strings.ToLower(id)
	}
	out := strings.ToLower(m[1]) + "-" + m[2]
	if m[3] != "" {
		out += "." + m[3]
	}
	return out
}

func (o OSCAL) Write(w io.Writer, r *Report) error {
	var doc oscalDoc
	ar := &doc.AR
	configSum, baselineSum := "", ""
	if r.Scan.Config != nil {
		configSum = r.Scan.Config.SHA256
	}
	if r.Scan.Baseline != nil {
		baselineSum = r.Scan.Baseline.SHA256
	}
	root := stableUUID("oscal-assessment-results", strings.ToLower(r.Snapshot.TenantID), r.Snapshot.SHA256, configSum, baselineSum, oscalTime(r.Scan.Now), r.Tool.Version)
	ar.UUID = root
	ar.Metadata.Title = fmt.Sprintf("Break-glass account assessment of Entra ID tenant %s", r.Snapshot.TenantID)
	ar.Metadata.LastModified = oscalTime(r.Scan.Now)
	ar.Metadata.Version = r.Tool.Version
	ar.Metadata.OSCALVersion = OSCALVersion
	ar.Metadata.Props = []oscalProp{
		{Name: "tool", NS: oscalNS, Value: r.Tool.Name + " " + r.Tool.Version},
		{Name: "tenant-id", NS: oscalNS, Value: r.Snapshot.TenantID},
	}
	ar.Metadata.Remarks = "last-modified is the evaluation time (the snapshot's collection time unless --now was given), so that the same inputs give the same document."
	ar.ImportAP.Href = informationURI + "/blob/main/docs/rules.md"
	ar.ImportAP.Remarks = "breakglass has no OSCAL assessment plan: its rule catalogue (each rule's checks, data and control mappings) plays that role."

	res := oscalResult{
		UUID:        stableUUID(root, "result"),
		Title:       "breakglass scan",
		Description: fmt.Sprintf("The built-in and custom breakglass rules evaluated against snapshot %s (SHA-256 %s) of tenant %s, as of %s.", r.Snapshot.Path, r.Snapshot.SHA256, r.Snapshot.TenantID, oscalTime(r.Scan.Now)),
		Start:       oscalTime(r.Snapshot.CollectedAt),
	}
	res.Props = append(res.Props,
		oscalProp{Name: "snapshot-sha256", NS: oscalNS, Value: r.Snapshot.SHA256},
		oscalProp{Name: "evaluated-at", NS: oscalNS, Value: oscalTime(r.Scan.Now)},
	)
	if configSum != "" {
		res.Props = append(res.Props, oscalProp{Name: "config-sha256", NS: oscalNS, Value: configSum})
	}
	if r.Provenance != nil {
		res.Props = append(res.Props,
			oscalProp{Name: "rule-bundle-sha256", NS: oscalNS, Value: r.Provenance.RuleBundle.SHA256},
			oscalProp{Name: "opa-version", NS: oscalNS, Value: r.Provenance.OPAVersion})
	}

	// Subjects: every resource and subject object, once.
	items := map[string]oscalItem{}
	subject := func(ref engine.Ref) oscalSubject {
		u := stableUUID("subject", ref.Type, strings.ToLower(ref.ID))
		if _, ok := items[u]; !ok {
			props := []oscalProp{{Name: "object-type", NS: oscalNS, Value: ref.Type}, {Name: "object-id", NS: oscalNS, Value: ref.ID}}
			if ref.Name != "" {
				props = append(props, oscalProp{Name: "display-name", NS: oscalNS, Value: ref.Name})
			}
			items[u] = oscalItem{UUID: u, Description: describe(ref), Props: props}
		}
		return oscalSubject{UUID: u, Type: "inventory-item", Title: describe(ref)}
	}
	obsUUID := map[string]string{} // fingerprint → observation uuid
	for _, x := range r.Results {
		obs := o.observation(r, root, x, subject)
		obsUUID[x.Fingerprint] = obs.UUID
		res.Observations = append(res.Observations, obs)
	}
	setInventory(&res, items)

	// Findings: one per NIST control that a rule assesses.
	rules := r.ruleByID()
	var reviewed []oscalControlRef
	var notApplicable []string
	for _, fm := range r.ControlMatrix() {
		if fm.ID != nistFramework {
			continue
		}
		for _, row := range fm.Rows {
			if len(row.Rules) == 0 {
				continue
			}
			cid := NISTControlID(row.ID)
			reviewed = append(reviewed, oscalControlRef{ControlID: cid})
			if row.RollUp == RollUpNotApplicable {
				notApplicable = append(notApplicable, row.ID)
				continue
			}
			f := oscalFinding{
				UUID:        stableUUID(root, "finding", fm.ID, row.ID),
				Title:       fmt.Sprintf("%s %s", row.ID, row.Title),
				Description: fmt.Sprintf("%s: %s.", row.RollUp, row.Reason),
				Target: oscalTarget{
					Type: "objective-id", TargetID: cid + "_obj", Title: row.ID + " " + row.Title,
					Status: findingStatus(row),
				},
			}
			for _, id := range row.Rules {
				f.Props = append(f.Props, oscalProp{Name: "rule-id", NS: oscalNS, Value: id})
			}
			for _, other := range r.frameworks() {
				if other == nistFramework {
					continue
				}
				seen := map[string]bool{}
				for _, id := range row.Rules {
					rule := rules[id]
					if rule == nil {
						continue
					}
					for _, c := range rule.Controls[other] {
						if !seen[c] {
							seen[c] = true
							f.Props = append(f.Props, oscalProp{Name: "control", NS: oscalNS, Class: other, Value: c})
						}
					}
				}
			}
			for _, x := range row.Results {
				f.Related = append(f.Related, oscalRelated{UUID: obsUUID[x.Fingerprint]})
			}
			res.Findings = append(res.Findings, f)
		}
	}
	if len(reviewed) > 0 {
		res.ReviewedControls.Selections = []oscalSelection{{Description: "NIST SP 800-53 Rev. 5 controls that breakglass rules assess", IncludeControls: reviewed}}
	} else {
		res.ReviewedControls.Selections = []oscalSelection{{Description: "no NIST SP 800-53 Rev. 5 control is mapped", IncludeAll: &struct{}{}}}
	}
	if len(notApplicable) > 0 {
		res.Remarks = "No finding for these controls: their rules found nothing in scope to judge (not applicable): " + strings.Join(notApplicable, ", ") + "."
	}
	ar.Results = []oscalResult{res}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// findingStatus: satisfied only when every linked result passes; error and
// manual are not-satisfied with the reason that they could not be
// verified; a waived gap is not-satisfied with the waiver named.
func findingStatus(row ControlRow) oscalStatus {
	switch row.RollUp {
	case RollUpSatisfied:
		return oscalStatus{State: "satisfied", Reason: "pass"}
	case RollUpNotSatisfied:
		return oscalStatus{State: "not-satisfied", Reason: "fail", Remarks: row.Reason}
	case RollUpNotDetermined:
		return oscalStatus{State: "not-satisfied", Reason: "other", Remarks: "Not determined: " + row.Reason + " (error: data could not be collected or read; manual: human evidence is missing)."}
	default: // waived
		return oscalStatus{State: "not-satisfied", Reason: "other", Remarks: "Risk accepted by waiver: " + row.Reason + "."}
	}
}

// observation is the OSCAL observation of one result; subject names (and
// records, once) an inventory item.
func (o OSCAL) observation(r *Report, root string, x engine.Result, subject func(engine.Ref) oscalSubject) oscalObservation {
	obs := oscalObservation{
		UUID:        stableUUID(root, "observation", x.Fingerprint),
		Title:       fmt.Sprintf("%s %s: %s", x.RuleID, x.Status, describe(x.Resource)),
		Description: x.Message,
		Props: []oscalProp{
			{Name: "rule-id", NS: oscalNS, Value: x.RuleID},
			{Name: "status", NS: oscalNS, Value: x.Status},
			{Name: "severity", NS: oscalNS, Value: x.Severity},
			{Name: "fingerprint", NS: oscalNS, Value: x.Fingerprint},
		},
		Methods:   []string{"TEST"},
		Subjects:  []oscalSubject{subject(x.Resource)},
		Collected: oscalTime(r.Snapshot.CollectedAt),
	}
	if x.Status != engine.StatusPass && x.Status != engine.StatusNotApplicable {
		obs.Types = []string{"finding"}
	}
	if x.Subject != nil {
		obs.Subjects = append(obs.Subjects, subject(*x.Subject))
	}
	if w := x.Waiver; w != nil {
		obs.Props = append(obs.Props,
			oscalProp{Name: "waiver-owner", NS: oscalNS, Value: w.Owner},
			oscalProp{Name: "waiver-expires", NS: oscalNS, Value: w.Expires},
			oscalProp{Name: "waiver-expired", NS: oscalNS, Value: fmt.Sprint(w.Expired)})
		obs.Remarks = "Waiver (" + w.Source + "): " + w.Reason
	}
	if o.SnapshotHref != "" {
		obs.Evidence = []oscalEvidence{{Href: o.SnapshotHref, Description: "the collected snapshot (SHA-256 " + r.Snapshot.SHA256 + ")"}}
	}
	return obs
}

// setInventory records items as res's inventory items, sorted (none: no
// local definitions).
func setInventory(res *oscalResult, items map[string]oscalItem) {
	if len(items) == 0 {
		return
	}
	res.LocalDefinitions = &struct {
		InventoryItems []oscalItem `json:"inventory-items"`
	}{}
	for _, it := range items {
		res.LocalDefinitions.InventoryItems = append(res.LocalDefinitions.InventoryItems, it)
	}
	sort.Slice(res.LocalDefinitions.InventoryItems, func(i, j int) bool {
		return res.LocalDefinitions.InventoryItems[i].Description+res.LocalDefinitions.InventoryItems[i].UUID <
			res.LocalDefinitions.InventoryItems[j].Description+res.LocalDefinitions.InventoryItems[j].UUID
	})
}
