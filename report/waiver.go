package report

import (
	"github.com/breakglass-dev/breakglass/policies/engine"
	"github.com/owenrumney/go-sarif/v2/sarif"
)

// waiverSuppression is the SARIF form of an accepted risk: an `external`
// suppression (declared in breakglass.yaml, outside the scanned file) with
// the reason as justification and owner, expiry and source as properties,
// so GitHub code scanning shows the alert as dismissed. nil unless the
// result is waived. Every member is set: the library writes unset ones as
// null, which SARIF does not allow.
func waiverSuppression(res engine.Result, loc *sarif.Location) *sarif.Suppression {
	if res.Status != engine.StatusWaived || res.Waiver == nil {
		return nil
	}
	s := sarif.NewSuppression("external").
		WithStatus("accepted").
		WithJustifcation(res.Waiver.Reason).
		WithLocation(loc).
		WithGuid(stableUUID("sarif-suppression", res.Fingerprint, res.Waiver.Source))
	s.AttachPropertyBag(sarif.NewPropertyBag())
	s.Add("owner", res.Waiver.Owner)
	s.Add("expires", res.Waiver.Expires)
	s.Add("source", res.Waiver.Source)
	return s
}
