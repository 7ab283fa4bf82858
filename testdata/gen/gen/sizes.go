// Package gen generates deterministic, seeded break-glass tenants for
// property tests and measurements: a snapshot that fills every data set
// with several items per account (the shapes real tenants produce and
// hand-made fixtures never hold twice), the breakglass.yaml declaring its
// accounts, and a baseline snapshot derived from it with some changes.
//
// The same seed and size always give byte-identical output.
package gen

import (
	"fmt"
	"sort"
)

// Size is one row of the size table: how many of each thing a generated
// tenant holds. Add a row to Sizes to add a size.
type Size struct {
	Name string
	// Accounts is the number of declared break-glass accounts that exist.
	Accounts int
	// MissingAccounts are declared accounts the tenant lacks.
	MissingAccounts int
	// Admins are other holders of directory roles (BG-INV-004 candidates).
	Admins int
	// Users are ordinary users referenced by CA policies and groups.
	Users int
	// CAPolicies is the number of Conditional Access policies; the shapes
	// (block, mfa, strengths, report-only, ...) repeat when there are more
	// policies than shapes.
	CAPolicies int
	// GroupDepth is the nesting depth of the exclusion and role groups.
	GroupDepth int
	// Groups are other groups CA policies include or exclude.
	Groups int
	// Subscriptions and Vaults are Azure subscriptions and Key Vaults.
	Subscriptions int
	Vaults        int
	// SignInDays is the number of days (in the 30-day window) on which each
	// account signs in; SignInsPerDay the sign-ins on each such day.
	SignInDays    int
	SignInsPerDay int
	// AlertRules and DiagnosticSettings count monitoring resources.
	AlertRules         int
	DiagnosticSettings int
	// Versions is the number of Key Vault secret versions per account.
	Versions int
	// Memberships, when set, is the total number of extra ("team") group
	// memberships spread over the candidate principals (accounts and role
	// holders) in transitiveMemberOf; 0 keeps three random ones each.
	Memberships int
}

// Sizes is the table of named sizes. S is about the bundled sample; M a
// 10,000-user tenant's privileged slice with 50 CA policies; L the Entra
// limit of 195 CA policies, nested groups to depth 5, 40 role holders and
// 20 subscriptions; XL a stress tenant with 2,000 CA policies and 50,000
// group memberships of candidate principals.
var Sizes = map[string]Size{
	"S": {Name: "S", Accounts: 2, MissingAccounts: 0, Admins: 3, Users: 3, CAPolicies: len(shapes), GroupDepth: 2, Groups: 3,
		Subscriptions: 1, Vaults: 2, SignInDays: 3, SignInsPerDay: 3, AlertRules: 3, DiagnosticSettings: 3, Versions: 3},
	"M": {Name: "M", Accounts: 3, MissingAccounts: 1, Admins: 20, Users: 30, CAPolicies: 50, GroupDepth: 3, Groups: 40,
		Subscriptions: 5, Vaults: 3, SignInDays: 6, SignInsPerDay: 4, AlertRules: 6, DiagnosticSettings: 4, Versions: 4},
	"L": {Name: "L", Accounts: 4, MissingAccounts: 1, Admins: 40, Users: 80, CAPolicies: 195, GroupDepth: 5, Groups: 150,
		Subscriptions: 20, Vaults: 5, SignInDays: 10, SignInsPerDay: 5, AlertRules: 10, DiagnosticSettings: 5, Versions: 6},
	"XL": {Name: "XL", Accounts: 5, MissingAccounts: 1, Admins: 60, Users: 200, CAPolicies: 2000, GroupDepth: 5, Groups: 5000,
		Subscriptions: 40, Vaults: 8, SignInDays: 15, SignInsPerDay: 6, AlertRules: 15, DiagnosticSettings: 6, Versions: 8,
		Memberships: 50000},
}

// Lookup returns the named size.
func Lookup(name string) (Size, error) {
	s, ok := Sizes[name]
	if !ok {
		return Size{}, fmt.Errorf("unknown size %q (known: %v)", name, SizeNames())
	}
	return s, nil
}

// SizeNames lists the known sizes, smallest first.
func SizeNames() []string {
	names := make([]string, 0, len(Sizes))
	for n := range Sizes {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := Sizes[names[i]], Sizes[names[j]]
		if a.CAPolicies != b.CAPolicies {
			return a.CAPolicies < b.CAPolicies
		}
		return names[i] < names[j]
	})
	return names
}
