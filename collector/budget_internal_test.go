package collector

import (
	"net/url"
	"testing"
)

// Requests are charged to the family whose documented limit governs them,
// at the documented resource-unit cost for the directory family.
func TestRequestFamilyAndCost(t *testing.T) {
	for _, tc := range []struct {
		method, url, family string
		cost                int
	}{
		{"GET", "https://g/v1.0/auditLogs/signIns?$filter=userId%20eq%20'x'", familySignIns, 1},
		{"GET", "https://g/v1.0/users/x/authentication/methods", familyAuthMethods, 1},
		{"GET", "https://g/v1.0/users?$filter=id%20in%20('x')&$select=id,signInActivity", familySignInActivity, 1},
		{"GET", "https://g/v1.0/identity/conditionalAccess/policies", familyConditionalAccess, 1},
		{"GET", "https://g/prefix/v1.0/identity/conditionalAccess/namedLocations?$skiptoken=a", familyConditionalAccess, 1},
		{"GET", "https://g/v1.0/users/x?$select=id", familyDirectory, 1},
		{"GET", "https://g/v1.0/users?$search=%22displayName:break%22", familyDirectory, 2},
		{"GET", "https://g/v1.0/users/x/transitiveMemberOf?$select=id&$top=999", familyDirectory, 1},
		{"GET", "https://g/v1.0/users/x/ownedObjects", familyDirectory, 2},
		{"GET", "https://g/v1.0/groups/g/members", familyDirectory, 3},
		{"GET", "https://g/v1.0/groups/g/members?$select=id&$top=5", familyDirectory, 1},
		{"GET", "https://g/v1.0/roleManagement/directory/roleAssignments?$expand=principal", familyDirectory, 2},
		{"POST", "https://g/v1.0/directoryObjects/getByIds", familyDirectory, 5},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := requestFamily(tc.method, u); got != tc.family {
			t.Errorf("%s %s: family %s, want %s", tc.method, tc.url, got, tc.family)
		}
		if tc.family == familyDirectory {
			if got := directoryCost(tc.method, u); got != tc.cost {
				t.Errorf("%s %s: cost %d, want %d", tc.method, tc.url, got, tc.cost)
			}
		}
	}
}
