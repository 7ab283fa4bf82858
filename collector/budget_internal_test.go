package collector

import (
	"fmt"
	"net/url"
	"strings"
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

// TestPackKeepsBatchesWithinBudgets: a batch never needs more of a budget
// than the budget holds (it takes all its tokens at once), and holds at
// most the batch size.
func TestPackKeepsBatchesWithinBudgets(t *testing.T) {
	l := newBudgetLayer(nil, 1)
	var costs []itemCost
	var pending []int
	for i := 0; i < 12; i++ { // authentication methods: reports, 5 per window
		costs = append(costs, itemCost{family: familyAuthMethods, cost: 1})
		pending = append(pending, len(costs)-1)
	}
	for i := 0; i < 30; i++ { // users: directory resource units
		costs = append(costs, itemCost{family: familyDirectory, cost: 1})
		pending = append(pending, len(costs)-1)
	}
	var sizes []string
	for len(pending) > 0 {
		var chunk []int
		chunk, pending = l.pack(costs, pending, maxBatchItems)
		reports := 0
		for _, i := range chunk {
			if costs[i].family == familyAuthMethods {
				reports++
			}
		}
		if reports > 5 || len(chunk) > maxBatchItems || len(chunk) == 0 {
			t.Fatalf("batch of %d items, %d of them reports", len(chunk), reports)
		}
		sizes = append(sizes, fmt.Sprintf("%d/%d", len(chunk), reports))
	}
	if got := strings.Join(sizes, " "); got != "20/5 20/5 2/2" {
		t.Errorf("batches (items/reports items): %s", got)
	}
	need := batchNeeds([]itemCost{{familyAuthMethods, 1}, {familySignInActivity, 1}, {familyDirectory, 5}}, l.budgets)
	if need["reports"] != 2 || need["signInActivity"] != 1 || need["directory"] != 5 {
		t.Errorf("needs: %v", need)
	}
}
