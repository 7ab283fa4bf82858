// Package fakeserver is a fake Microsoft Graph + Azure Resource Manager +
// Key Vault server for the collector's tests and benchmark. It speaks the
// wire formats the real services use: OData collections with absolute
// @odata.nextLink, @odata.type on polymorphic items, Graph error bodies
// {"error":{"code","message","innerError"}}, ARM lists with nextLink, Key
// Vault secret versions with Unix-second attributes and the 401 bearer
// challenge, TLS, gzip-compressed request bodies and the graph.* type-cast
// alias. It is test support code: never use it against real credentials.
package fakeserver

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Obj is one JSON object as Graph/ARM return it.
type Obj = map[string]any

// Tenant is the fake tenant's state. Graph objects are stored as the API
// returns them (without @odata.type for users/groups; the server adds it
// where the response is polymorphic). Relationship maps are keyed by
// object id.
type Tenant struct {
	TenantID string `json:"tenantId"`

	Organization []Obj `json:"organization"`
	Domains      []Obj `json:"domains"`

	RoleDefinitions          []Obj `json:"roleDefinitions"`
	RoleAssignments          []Obj `json:"roleAssignments"` // principal is expanded by the server
	RoleAssignmentSchedules  []Obj `json:"roleAssignmentSchedules"`
	RoleEligibilitySchedules []Obj `json:"roleEligibilitySchedules"`

	Users             []Obj `json:"users"` // may carry signInActivity
	Groups            []Obj `json:"groups"`
	ServicePrincipals []Obj `json:"servicePrincipals"`
	Applications      []Obj `json:"applications"`
	// DirectoryRoles are activated roles: {id, displayName, roleTemplateId, members: [ids]}.
	DirectoryRoles []Obj `json:"directoryRoles"`
	// AdministrativeUnits: {id, displayName, isMemberManagementRestricted, ...}.
	AdministrativeUnits []Obj `json:"administrativeUnits"`

	GroupMembers          map[string][]string `json:"groupMembers"`
	GroupOwners           map[string][]string `json:"groupOwners"`
	AUMembers             map[string][]string `json:"administrativeUnitMembers"`
	OwnedObjects          map[string][]string `json:"ownedObjects"`
	AuthenticationMethods map[string][]Obj    `json:"authenticationMethods"`

	AuthenticationMethodsPolicy    Obj              `json:"authenticationMethodsPolicy"`
	ConditionalAccessPolicies      []Obj            `json:"conditionalAccessPolicies"`
	NamedLocations                 []Obj            `json:"namedLocations"`
	AuthenticationStrengthPolicies []Obj            `json:"authenticationStrengthPolicies"`
	CombinationConfigurations      map[string][]Obj `json:"combinationConfigurations"`
	SignIns                        []Obj            `json:"signIns"`

	// Issue 13 (lockout.go). RoleManagementPolicyAssignments carry their
	// policy with its rules (served only with $expand=policy($expand=rules)).
	RoleManagementPolicyAssignments []Obj `json:"roleManagementPolicyAssignments"`
	// MonitorAlerts: Microsoft.AlertsManagement/alerts per subscription id.
	MonitorAlerts map[string][]Obj `json:"monitorAlerts"`
	// AccessReviewDefinitions, LifecycleWorkflows (tasks inline, served
	// per workflow) and GroupLifecyclePolicies (a fixture-only `groups`
	// lists the groups a Selected policy applies to).
	AccessReviewDefinitions []Obj `json:"accessReviewDefinitions"`
	LifecycleWorkflows      []Obj `json:"lifecycleWorkflows"`
	GroupLifecyclePolicies  []Obj `json:"groupLifecyclePolicies"`
	// CertificateBasedAuthConfiguration: organization/{id}/certificateBasedAuthConfiguration.
	CertificateBasedAuthConfiguration []Obj `json:"certificateBasedAuthConfiguration"`

	// Azure Resource Manager, keyed by subscription id where per subscription.
	Subscriptions                       []Obj            `json:"subscriptions"`
	ARMRoleAssignments                  map[string][]Obj `json:"armRoleAssignments"`
	ARMRoleEligibilityScheduleInstances map[string][]Obj `json:"armRoleEligibilityScheduleInstances"`
	DiagnosticSettings                  []Obj            `json:"diagnosticSettings"`
	ScheduledQueryRules                 map[string][]Obj `json:"scheduledQueryRules"`
	ActionGroups                        map[string][]Obj `json:"actionGroups"`
	Vaults                              map[string][]Obj `json:"vaults"`

	// Key Vault data plane: secret name -> versions {id, attributes} (ids
	// may use the {{server}} placeholder).
	Secrets map[string][]Obj `json:"secrets"`

	// Synthetic (benchmark) bulk: never materialised.
	SyntheticUsers   int            `json:"-"` // users syntheticUserID(0..n-1)
	SyntheticMembers map[string]int `json:"-"` // group id -> number of synthetic user members

	indexOnce sync.Once
	index     *index
}

// Load reads a tenant fixture.
func Load(path string) (*Tenant, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t Tenant
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &t, nil
}

// SyntheticUserID is the object id of synthetic user i.
func SyntheticUserID(i int) string {
	return fmt.Sprintf("5e000000-0000-4000-8000-%012d", i)
}

func syntheticIndex(id string) (int, bool) {
	var i int
	if !strings.HasPrefix(id, "5e000000-0000-4000-8000-") {
		return 0, false
	}
	if _, err := fmt.Sscanf(id[len("5e000000-0000-4000-8000-"):], "%012d", &i); err != nil {
		return 0, false
	}
	return i, true
}

func syntheticUser(i int) Obj {
	return Obj{
		"id":                SyntheticUserID(i),
		"userPrincipalName": fmt.Sprintf("user%06d@contoso.com", i),
		"displayName":       fmt.Sprintf("User %06d", i),
		"accountEnabled":    true,
		"userType":          "Member",
	}
}

// index is built once: lookups by id and reverse membership.
type index struct {
	byID     map[string]Obj    // lower id -> object (users, groups, SPs, apps, roles, AUs)
	kind     map[string]string // lower id -> odata type name (user, group, ...)
	byUPN    map[string]Obj
	memberOf map[string][]string // member id -> group ids (direct)
	auOf     map[string][]string // member id -> AU ids
	roleOf   map[string][]string // user id -> directoryRole ids
}

func (t *Tenant) idx() *index {
	t.indexOnce.Do(t.buildIndex)
	return t.index
}

func (t *Tenant) buildIndex() {
	ix := &index{byID: map[string]Obj{}, kind: map[string]string{}, byUPN: map[string]Obj{},
		memberOf: map[string][]string{}, auOf: map[string][]string{}, roleOf: map[string][]string{}}
	add := func(kind string, objs []Obj) {
		for _, o := range objs {
			id := strings.ToLower(str(o, "id"))
			ix.byID[id] = o
			ix.kind[id] = kind
		}
	}
	add("user", t.Users)
	add("group", t.Groups)
	add("servicePrincipal", t.ServicePrincipals)
	add("application", t.Applications)
	add("directoryRole", t.DirectoryRoles)
	add("administrativeUnit", t.AdministrativeUnits)
	for _, u := range t.Users {
		ix.byUPN[strings.ToLower(str(u, "userPrincipalName"))] = u
	}
	for _, g := range slices.Sorted(maps.Keys(t.GroupMembers)) {
		for _, m := range t.GroupMembers[g] {
			m = strings.ToLower(m)
			ix.memberOf[m] = append(ix.memberOf[m], strings.ToLower(g))
		}
	}
	for _, a := range slices.Sorted(maps.Keys(t.AUMembers)) {
		for _, m := range t.AUMembers[a] {
			m = strings.ToLower(m)
			ix.auOf[m] = append(ix.auOf[m], strings.ToLower(a))
		}
	}
	for _, r := range t.DirectoryRoles {
		list, _ := r["members"].([]any)
		for _, m := range list {
			s, _ := m.(string)
			ix.roleOf[strings.ToLower(s)] = append(ix.roleOf[strings.ToLower(s)], strings.ToLower(str(r, "id")))
		}
	}
	t.index = ix
}

// object finds any directory object by id (synthetic users included) and
// its type name.
func (t *Tenant) object(id string) (Obj, string, bool) {
	ix := t.idx()
	id = strings.ToLower(id)
	if o, ok := ix.byID[id]; ok {
		return o, ix.kind[id], true
	}
	if i, ok := syntheticIndex(id); ok && i < t.SyntheticUsers {
		return syntheticUser(i), "user", true
	}
	return nil, "", false
}

// user finds a user by id or UPN.
func (t *Tenant) user(key string) (Obj, bool) {
	if o, kind, ok := t.object(key); ok {
		return o, kind == "user"
	}
	o, ok := t.idx().byUPN[strings.ToLower(key)]
	return o, ok
}

// transitiveGroups returns the groups a member belongs to, transitively.
func (t *Tenant) transitiveGroups(id string) []string {
	ix := t.idx()
	seen := map[string]bool{}
	var out []string
	queue := []string{strings.ToLower(id)}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, g := range ix.memberOf[cur] {
			if !seen[g] {
				seen[g] = true
				out = append(out, g)
				queue = append(queue, g)
			}
		}
	}
	sort.Strings(out)
	return out
}

func str(o Obj, k string) string {
	s, _ := o[k].(string)
	return s
}
