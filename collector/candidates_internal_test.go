package collector

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
)

const (
	roleGA    = "62e90394-69f5-4237-9190-012177145e10" // allowed
	roleOther = "11111111-1111-1111-1111-111111111111"
)

func assignment(principal, typ, role string) map[string]any {
	a := map[string]any{"principalId": principal, "roleDefinitionId": role}
	if typ != "" {
		a["principal"] = map[string]any{"@odata.type": "#microsoft.graph." + typ}
	}
	return a
}

func user(id string) map[string]any {
	return map[string]any{"id": id, "@odata.type": "#microsoft.graph.user"}
}

func TestDiscoverCandidates(t *testing.T) {
	allowed := map[string]bool{roleGA: true}
	type want struct {
		candidates     []candidate
		rolePrincipals []string
		gaps           []string // substrings of the gap messages, in order
		gapStatus      []snapshot.Status
		deep           int
	}
	tests := []struct {
		name string
		in   candidateInput
		want want
	}{
		{
			name: "nothing read, nothing found",
			in:   candidateInput{allowed: allowed, maxCandidates: 5},
			want: want{},
		},
		{
			name: "direct allowed-role holders are candidates, other role holders are only read",
			in: candidateInput{allowed: allowed, maxCandidates: 5, roleAssignments: [][]map[string]any{
				{assignment("B-USER", "user", roleGA), assignment("c-user", "user", roleOther)},
				{assignment("a-user", "", strings.ToUpper(roleGA)), assignment("sp", "servicePrincipal", roleGA), assignment("grp", "group", roleGA)},
			}},
			want: want{
				candidates: []candidate{
					{id: "a-user", reasons: []string{"holds an allowed role"}, deep: true},
					{id: "b-user", reasons: []string{"holds an allowed role"}, deep: true},
				},
				rolePrincipals: []string{"c-user"},
				deep:           2,
			},
		},
		{
			name: "one user found three ways has all three reasons once",
			in: candidateInput{allowed: allowed, maxCandidates: 5,
				roleAssignments:  [][]map[string]any{{assignment("u1", "user", roleGA)}, {assignment("u1", "user", roleGA)}},
				nameMatches:      []map[string]any{user("U1")},
				exclusionMembers: map[string][]map[string]any{"g1": {user("u1"), {"id": "nested", "@odata.type": "#microsoft.graph.group"}}},
			},
			want: want{
				candidates: []candidate{{id: "u1", reasons: []string{"holds an allowed role", "member of exclusion group g1", "named like a break-glass account"}, deep: true}},
				deep:       1,
			},
		},
		{
			name: "declared accounts are never candidates",
			in: candidateInput{allowed: allowed, maxCandidates: 1,
				nameMatches: []map[string]any{user("declared"), user("other")},
				declared:    func(id string) bool { return id == "declared" },
			},
			want: want{candidates: []candidate{{id: "other", reasons: []string{"named like a break-glass account"}, deep: true}}, deep: 1},
		},
		{
			name: "members of a role-holding group hold the role; a missing group is no gap",
			in: candidateInput{allowed: allowed, maxCandidates: 5, roleGroupMembers: []groupMembers{
				{id: "g1", members: []map[string]any{{"id": "m1"}}},
				{id: "gone", err: &apiError{Status: 404}},
			}},
			want: want{candidates: []candidate{{id: "m1", reasons: []string{"holds an allowed role through group g1"}, deep: true}}, deep: 1},
		},
		{
			name: "an unreadable role group, a failed and a truncated name search are gaps",
			in: candidateInput{allowed: allowed, maxCandidates: 5,
				roleGroupMembers:    []groupMembers{{id: "g1", err: &apiError{Status: 403, Code: "Authorization_RequestDenied"}}},
				nameSearchErr:       errors.New("connection reset"),
				nameSearchTruncated: true,
			},
			want: want{
				gaps:      []string{"members of role-holding group g1 could not be read", "the name search for break-glass-like users failed", "stopped at 2000 matches"},
				gapStatus: []snapshot.Status{snapshot.StatusForbidden, snapshot.StatusError, snapshot.StatusError},
			},
		},
		{
			name: "candidates beyond --max-candidates are listed shallow and the cap is a gap",
			in: candidateInput{allowed: allowed, maxCandidates: 2,
				nameMatches: []map[string]any{user("c"), user("a"), user("b")},
			},
			want: want{
				candidates: []candidate{
					{id: "a", reasons: []string{"named like a break-glass account"}, deep: true},
					{id: "b", reasons: []string{"named like a break-glass account"}, deep: true},
					{id: "c", reasons: []string{"named like a break-glass account"}},
				},
				gaps:      []string{"3 candidate users (allowed-role holders, users named like break-glass accounts, exclusion-group members) exceed --max-candidates 2"},
				gapStatus: []snapshot.Status{snapshot.StatusError},
				deep:      2,
			},
		},
		{
			name: "a truncated role-group read is a cap hit even under the cap",
			in: candidateInput{allowed: allowed, maxCandidates: 2,
				roleGroupMembers: []groupMembers{{id: "g1", members: []map[string]any{{"id": "m1"}}, truncated: true}},
			},
			want: want{
				candidates: []candidate{{id: "m1", reasons: []string{"holds an allowed role through group g1"}, deep: true}},
				gaps:       []string{"more than 2 candidate users"},
				gapStatus:  []snapshot.Status{snapshot.StatusError},
				deep:       1,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := discoverCandidates(tt.in)
			if !reflect.DeepEqual(got.candidates, tt.want.candidates) {
				t.Errorf("candidates = %+v, want %+v", got.candidates, tt.want.candidates)
			}
			if !reflect.DeepEqual(got.rolePrincipals, tt.want.rolePrincipals) {
				t.Errorf("rolePrincipals = %v, want %v", got.rolePrincipals, tt.want.rolePrincipals)
			}
			if got.deep != tt.want.deep {
				t.Errorf("deep = %d, want %d", got.deep, tt.want.deep)
			}
			if len(got.gaps) != len(tt.want.gaps) {
				t.Fatalf("gaps = %+v, want %d matching %q", got.gaps, len(tt.want.gaps), tt.want.gaps)
			}
			for i, g := range got.gaps {
				if !strings.Contains(g.msg, tt.want.gaps[i]) || g.status != tt.want.gapStatus[i] {
					t.Errorf("gap %d = %s %q, want %s containing %q", i, g.status, g.msg, tt.want.gapStatus[i], tt.want.gaps[i])
				}
			}
		})
	}
}

func TestRoleGroups(t *testing.T) {
	allowed := map[string]bool{roleGA: true}
	lists := [][]map[string]any{
		{assignment("G2", "group", roleGA), assignment("g3", "group", roleOther)},
		{assignment("g1", "group", roleGA), assignment("g2", "group", roleGA), assignment("u", "user", roleGA)},
	}
	if got, want := roleGroups(allowed, lists), []string{"g1", "g2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("roleGroups = %v, want %v", got, want)
	}
}
