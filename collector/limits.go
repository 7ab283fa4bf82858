package collector

import (
	"context"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
)

// DefaultMaxResponseBytes is the default per-response size limit
// (--max-response-mib 64). The largest page breakglass asks for is a Graph
// page of 999 directory objects with $select, or 100 role assignments with
// the principal expanded: a few MiB at most. 64 MiB leaves an order of
// magnitude of headroom and bounds what one response can make collect hold.
const DefaultMaxResponseBytes int64 = 64 << 20

// DataSetBudgetFactor sets how many bytes of responses one data set may
// read in total: this many times the per-response limit (256 MiB by
// default). The page limits alone do not bound memory: 1000 distinct pages
// of 999 fat items each are a gigabyte on the wire and several in memory
// (measured: 7 GB RSS without this budget). The largest data sets of a
// real tenant (role assignments with their principals expanded, the
// memberships of a few hundred candidate users) are tens of MiB.
const DataSetBudgetFactor = 4

// defaultPageLimit bounds one listing (one chain of nextLinks) of a data
// set without a tighter limit below. Graph serves 100 directory objects a
// page by default and 999 with $top, ARM and Key Vault 25 to 1000, so 1000
// pages are 25,000 to 999,000 items in one listing: more than any listing
// breakglass makes in a real tenant holds (exclusion-group members, one
// user's group memberships or 30 days of one account's sign-ins, a
// subscription's role assignments: Azure allows 4,000 per subscription,
// 500 per management group). A hostile server serving an endless chain of
// distinct links stops there.
const defaultPageLimit = 1000

// pageLimits are the tighter limits for collections whose size the
// service itself caps, with a margin of ten pages or more for small server
// page sizes.
var pageLimits = map[string]int{
	snapshot.Organization:                   5,   // one organization object per tenant
	snapshot.ConditionalAccessPolicies:      20,  // Entra ID allows 195 Conditional Access policies per tenant
	snapshot.NamedLocations:                 20,  // and 195 named locations
	snapshot.AuthenticationStrengthPolicies: 10,  // 3 built-in + 15 custom strengths per tenant
	snapshot.DiagnosticSettings:             10,  // Azure Monitor allows 5 diagnostic settings per resource
	snapshot.Domains:                        100, // 5,000 domains per tenant at 100 a page is 50 pages
	snapshot.RoleDefinitions:                100, // ~130 built-in + 5,000 custom roles at 100 a page is 52 pages
}

// pageLimit is the page limit for the data set ctx is tagged with.
func pageLimit(ctx context.Context) (int, string) {
	name := "this data set"
	if c := dataSetFrom(ctx); c != nil {
		name = c.name
		if n, ok := pageLimits[c.name]; ok {
			return n, name
		}
	}
	return defaultPageLimit, name
}
