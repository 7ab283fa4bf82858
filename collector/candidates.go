package collector

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
)

// groupMembers is the read of one role-holding group's user members.
type groupMembers struct {
	id        string
	members   []map[string]any
	truncated bool // the read stopped at its limit
	err       error
}

// candidateInput is what candidate discovery (BG-INV-004) looks at: what
// the earlier Graph phases read.
type candidateInput struct {
	allowed          map[string]bool    // allowed role definition and template ids (lower case)
	roleAssignments  [][]map[string]any // active assignments, active and eligible PIM schedules
	roleGroupMembers []groupMembers     // members of the groups roleGroups named

	nameMatches         []map[string]any // users named like a break-glass account
	nameSearchErr       error
	nameSearchTruncated bool

	exclusionMembers map[string][]map[string]any // exclusion group id -> members

	declared      func(id string) bool // a declared account (never a candidate)
	maxCandidates int
}

// candidate is one undeclared user that may be an unregistered break-glass
// account, with why.
type candidate struct {
	id      string
	reasons []string // sorted
	deep    bool     // within --max-candidates: methods and memberships are read
}

// candidateGap is candidate data that could not be collected completely:
// the candidates data set fails with status and msg, so BG-INV-004 reports
// error instead of passing on partial data.
type candidateGap struct {
	status snapshot.Status
	msg    string
}

// candidateResult is what discovery found.
type candidateResult struct {
	candidates     []candidate // sorted by id
	rolePrincipals []string    // users holding a role that is not allowed (read, not candidates)
	gaps           []candidateGap
	deep           int // candidates whose details are read
}

// roleGroups lists the groups that hold an allowed role, sorted.
func roleGroups(allowed map[string]bool, lists [][]map[string]any) []string {
	var out []string
	for _, list := range lists {
		for _, a := range list {
			if principalType(a) == "group" && allowed[strings.ToLower(str(a, "roleDefinitionId"))] {
				out = append(out, strings.ToLower(str(a, "principalId")))
			}
		}
	}
	return dedupe(out)
}

// roleUsers splits the users assigned a role (directly, not through a
// group) into the holders of an allowed role and the others, in
// assignment order.
func roleUsers(allowed map[string]bool, lists [][]map[string]any) (holders, others []string) {
	for _, list := range lists {
		for _, a := range list {
			if typ := principalType(a); typ != "user" && typ != "" {
				continue
			}
			pid := strings.ToLower(str(a, "principalId"))
			if allowed[strings.ToLower(str(a, "roleDefinitionId"))] {
				holders = append(holders, pid)
			} else {
				others = append(others, pid)
			}
		}
	}
	return holders, others
}

// discoverCandidates finds the candidate users of BG-INV-004: allowed-role
// holders (directly or through a role-holding group), users named like a
// break-glass account and exclusion-group members, minus the declared
// accounts. It reports what could not be read or was capped as gaps.
func discoverCandidates(in candidateInput) candidateResult {
	var res candidateResult
	var ids []string
	reasons := map[string]map[string]bool{}
	add := func(id, reason string) {
		ids = append(ids, id)
		if reasons[id] == nil {
			reasons[id] = map[string]bool{}
		}
		reasons[id][reason] = true
	}
	gap := func(status snapshot.Status, format string, args ...any) {
		res.gaps = append(res.gaps, candidateGap{status: status, msg: fmt.Sprintf(format, args...)})
	}
	holders, others := roleUsers(in.allowed, in.roleAssignments)
	for _, id := range holders {
		add(id, "holds an allowed role")
	}
	res.rolePrincipals = others
	capHit := false
	for _, g := range in.roleGroupMembers {
		if g.err != nil {
			if !isNotFound(g.err) {
				status, detail := classify(snapshot.TransitiveMemberOf, g.err)
				gap(status, "members of role-holding group %s could not be read, so the users holding an allowed role through it are missing (BG-INV-004 cannot be judged): %s", g.id, detail)
			}
			continue
		}
		capHit = capHit || g.truncated
		for _, m := range g.members {
			add(strings.ToLower(str(m, "id")), "holds an allowed role through group "+g.id)
		}
	}
	for _, m := range in.nameMatches {
		add(strings.ToLower(str(m, "id")), "named like a break-glass account")
	}
	if in.nameSearchErr != nil {
		status, detail := classify(snapshot.Users, in.nameSearchErr)
		gap(status, "the name search for break-glass-like users failed, so users named like break-glass accounts are missing (BG-INV-004 cannot be judged): %s", detail)
	}
	if in.nameSearchTruncated {
		gap(snapshot.StatusError, "the name search for break-glass-like users stopped at %d matches, so some users named like break-glass accounts are missing (BG-INV-004 cannot be judged)", maxNameMatches)
	}
	for _, gid := range slices.Sorted(maps.Keys(in.exclusionMembers)) {
		for _, m := range in.exclusionMembers[gid] {
			if odataType(m) == "user" || odataType(m) == "" {
				add(strings.ToLower(str(m, "id")), "member of exclusion group "+gid)
			}
		}
	}
	maxCand := in.maxCandidates
	undeclared := 0
	for _, id := range dedupe(ids) {
		if in.declared != nil && in.declared(id) {
			continue
		}
		undeclared++
		deep := res.deep < maxCand
		if deep {
			res.deep++
		}
		res.candidates = append(res.candidates, candidate{id: id, reasons: slices.Sorted(maps.Keys(reasons[id])), deep: deep})
	}
	if capHit || undeclared > maxCand {
		res.gaps = append(res.gaps, capGap(capHit, undeclared, maxCand))
	}
	return res
}

// capGap is the gap of candidates beyond --max-candidates.
func capGap(capHit bool, undeclared, maxCand int) candidateGap {
	found := fmt.Sprintf("%d", undeclared)
	if capHit {
		found = fmt.Sprintf("more than %d", maxCand)
	}
	return candidateGap{status: snapshot.StatusError, msg: fmt.Sprintf("%s candidate users (allowed-role holders, users named like break-glass accounts, exclusion-group members) exceed --max-candidates %d: methods and memberships were read for the declared accounts and the first %d candidates only, so candidate discovery is incomplete; re-run with a larger --max-candidates",
		found, maxCand, maxCand)}
}
