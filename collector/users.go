package collector

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
	"github.com/breakglass-dev/breakglass/config"
)

// userTask is one user to read: by object id or UPN.
type userTask struct {
	key      string // id or UPN as referenced
	declared bool
	deep     bool // declared or candidate: methods + memberships
}

// userCollector reads the users phase: the declared accounts first and
// completely, then the candidates (BG-INV-004) that discoverCandidates
// finds in what the earlier phases read, then the other users the
// earlier phases reference (role holders, CA-referenced users).
type userCollector struct {
	r  *run
	st *graphState

	users, sia, methods, memberOf, signIns, owned, cand *dataSet

	since string // sign-in window start (RFC 3339)

	tasks map[string]*userTask // lower-cased key -> task
	order []string             // task keys in the order they were added

	declaredFound sync.Map // lower-cased declared key -> true when found
	declaredIDs   sync.Map // lower-cased object id of a found declared account -> true

	seenMu sync.Mutex
	seen   map[string]bool // keys and object ids already read
}

func (r *run) collectUsers(ctx context.Context, st *graphState, caUsers []string) {
	u := &userCollector{
		r: r, st: st,
		users:    r.ds(snapshot.Users),
		sia:      r.ds(snapshot.SignInActivity),
		methods:  r.ds(snapshot.AuthenticationMethods),
		memberOf: r.ds(snapshot.TransitiveMemberOf),
		signIns:  r.ds(snapshot.SignIns),
		owned:    r.ds(snapshot.ApplicationOwnership),
		cand:     r.ds(snapshot.Candidates),
		since:    r.start.UTC().Add(-time.Duration(signInWindowDays(r.cfg)) * 24 * time.Hour).Truncate(time.Second).Format(time.RFC3339),
		tasks:    map[string]*userTask{},
		seen:     map[string]bool{},
	}
	defer func() {
		for _, d := range []*dataSet{u.users, u.sia, u.methods, u.memberOf, u.signIns, u.owned, u.cand} {
			r.finish(d)
		}
	}()
	u.run(ctx, caUsers)
}

func (u *userCollector) run(ctx context.Context, caUsers []string) {
	r := u.r
	for _, a := range r.cfg.Accounts {
		if a.ID != "" {
			u.addTask(a.ID, true, true)
		} else {
			u.addTask(a.UserPrincipalName, true, true)
		}
	}
	// Declared accounts first and completely, before any candidate: an
	// account declared by UPN and also found as a candidate by id is then
	// read once, as declared, and never counts against --max-candidates.
	declared := map[string]bool{}
	for _, k := range u.order {
		declared[k] = true
	}
	u.each(ctx, u.order)
	r.collectSignInActivity(ctx, u.sia, &u.declaredIDs)

	// Candidates (BG-INV-004): allowed-role holders, users named like a
	// break-glass account, exclusion-group members.
	in := candidateInput{
		allowed:             allowedRoleDefinitions(r.cfg.AllowedRoles, u.st.roleDefs),
		roleAssignments:     [][]map[string]any{u.st.roleAssignments, u.st.roleSchedules, u.st.roleEligibility},
		nameMatches:         u.st.nameMatches,
		nameSearchErr:       u.st.nameSearchErr,
		nameSearchTruncated: u.st.nameSearchTruncated,
		exclusionMembers:    u.st.exclusionMembers,
		declared: func(id string) bool {
			_, ok := u.declaredIDs.Load(id)
			return ok || declared[id]
		},
		maxCandidates: r.o.MaxCandidates,
	}
	in.roleGroupMembers = u.readRoleGroups(ctx, roleGroups(in.allowed, in.roleAssignments), r.o.MaxCandidates)
	found := discoverCandidates(in)
	for _, id := range found.rolePrincipals {
		u.addTask(id, false, false)
	}
	for _, c := range found.candidates {
		u.cand.add(map[string]any{"id": c.id, "reasons": c.reasons})
		u.addTask(c.id, false, c.deep)
	}
	for _, id := range caUsers {
		u.addTask(id, false, false)
	}

	var rest []string
	for _, k := range u.order {
		if !declared[k] {
			rest = append(rest, k)
		}
	}
	u.each(ctx, rest)
	// Candidate coverage gaps are applied once the users have been read,
	// so that a request error of those data sets, being more specific, wins.
	for _, g := range found.gaps {
		u.cand.failWith(g.status, g.msg)
	}
	u.noteMissing(found.deep)
}

// addTask adds a user to read, or upgrades the one already added.
func (u *userCollector) addTask(key string, declared, deep bool) {
	k := strings.ToLower(key)
	if k == "" {
		return
	}
	t, ok := u.tasks[k]
	if !ok {
		t = &userTask{key: key}
		u.tasks[k] = t
		u.order = append(u.order, k)
	}
	t.declared = t.declared || declared
	t.deep = t.deep || deep
}

// each reads the users keys name: the users in JSON batches (the ones
// already read under another key skipped), then the details of the
// declared accounts and candidates among them (readDetails).
func (u *userCollector) each(ctx context.Context, keys []string) {
	var todo []string
	for _, k := range keys {
		if !u.markSeen(k, false) { // a declared account already read under its UPN
			todo = append(todo, k)
		}
	}
	reqs := make([]graphRequest, len(todo))
	for i, k := range todo {
		reqs[i] = graphRequest{path: "/users/" + url.PathEscape(u.tasks[k].key), query: url.Values{"$select": {userSelect}}}
	}
	// Users are read without signInActivity: it costs a request of its
	// own budget (10 per minute) and is read in bulk for the declared
	// accounts only (collectSignInActivity), so a throttled or refused
	// read of it never touches the users data set.
	res := u.r.graph.batchGet(u.r.ctx(ctx, u.users), reqs, u.users.failed)
	var deep []detailTask
	for i, k := range todo {
		if d, ok := u.process(k, res[i]); ok {
			deep = append(deep, d)
		}
	}
	u.readDetails(ctx, deep)
}

// detailTask is a declared account or candidate whose details are read.
type detailTask struct {
	id       string
	declared bool
}

// process records the user read for task k; it reports the user's
// details task for a declared account or a candidate.
func (u *userCollector) process(k string, res batchResult) (detailTask, bool) {
	t := u.tasks[k]
	if res.err != nil {
		if !isNotFound(res.err) && !errors.Is(res.err, errBatchSkipped) {
			u.users.fail(res.err)
		}
		return detailTask{}, false
	}
	obj := res.obj
	id := str(obj, "id")
	if t.declared {
		u.declaredFound.Store(k, true)
		u.declaredIDs.Store(strings.ToLower(id), true)
	}
	if u.markSeen(strings.ToLower(id), true) {
		return detailTask{}, false
	}
	delete(obj, "signInActivity")
	u.users.add(obj)
	return detailTask{id: id, declared: t.declared}, t.deep
}

// markSeen records a key or id as read and reports whether it already was.
func (u *userCollector) markSeen(k string, mark bool) bool {
	u.seenMu.Lock()
	defer u.seenMu.Unlock()
	dup := u.seen[k]
	if mark {
		u.seen[k] = true
	}
	return dup
}

// readDetails reads the methods and memberships of declared accounts and
// candidates, and the owned objects and sign-ins of declared accounts:
// one batched listing per data set, the four at once.
func (u *userCollector) readDetails(ctx context.Context, tasks []detailTask) {
	if len(tasks) == 0 {
		return
	}
	selectIDs := url.Values{"$select": {"id,displayName"}, "$top": {"999"}}
	var declared []detailTask
	for _, t := range tasks {
		if t.declared {
			declared = append(declared, t)
		}
	}
	var wg sync.WaitGroup
	read := func(d *dataSet, tasks []detailTask, req func(id string) graphRequest, add func(t detailTask, items []map[string]any)) {
		if len(tasks) == 0 {
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			reqs := make([]graphRequest, len(tasks))
			for i, t := range tasks {
				reqs[i] = req(t.id)
			}
			for i, res := range u.r.graph.batchList(u.r.ctx(ctx, d), reqs, d.failed) {
				switch {
				case errors.Is(res.err, errBatchSkipped):
				case res.err != nil:
					// A failed read of a candidate's data fails the
					// candidates data set (BG-INV-004), not the data
					// sets the declared-account rules need.
					if tasks[i].declared {
						d.fail(res.err)
					} else {
						u.cand.fail(res.err)
					}
				default:
					add(tasks[i], res.items)
				}
			}
		}()
	}
	idName := func(d *dataSet, key string) func(detailTask, []map[string]any) {
		return func(t detailTask, items []map[string]any) {
			d.add(map[string]any{"id": t.id, key: sortItems(toAny(items))})
		}
	}
	read(u.methods, tasks, func(id string) graphRequest {
		return graphRequest{path: "/users/" + url.PathEscape(id) + "/authentication/methods"}
	}, idName(u.methods, "methods"))
	read(u.memberOf, tasks, func(id string) graphRequest {
		return graphRequest{path: "/users/" + url.PathEscape(id) + "/transitiveMemberOf", query: selectIDs}
	}, idName(u.memberOf, "memberOf"))
	read(u.owned, declared, func(id string) graphRequest {
		return graphRequest{path: "/users/" + url.PathEscape(id) + "/ownedObjects", query: selectIDs}
	}, idName(u.owned, "ownedObjects"))
	read(u.signIns, declared, func(id string) graphRequest {
		filter := fmt.Sprintf("userId eq '%s' and createdDateTime ge %s", id, u.since)
		return graphRequest{path: "/auditLogs/signIns", query: url.Values{"$filter": {filter}}}
	}, func(t detailTask, items []map[string]any) {
		u.signIns.add(toAny(items)...)
		u.signIns.cover(t.id)
	})
	wg.Wait()
}

// readRoleGroups lists the user members of each group holding an allowed
// role (members of a role-assignable group hold its roles too), at most
// limit+1 each so that a cap hit shows.
func (u *userCollector) readRoleGroups(ctx context.Context, gids []string, limit int) []groupMembers {
	out := make([]groupMembers, 0, len(gids))
	for _, gid := range gids {
		members, truncated, err := u.r.graph.list(u.r.ctx(ctx, u.users), graphRequest{path: "/groups/" + url.PathEscape(gid) + "/members/microsoft.graph.user",
			query: url.Values{"$select": {"id"}, "$top": {"999"}, "$count": {"true"}}, headers: eventual}, limit+1)
		out = append(out, groupMembers{id: gid, members: members, truncated: truncated, err: err})
	}
	return out
}

// noteMissing notes declared accounts that were not found, and discovery
// mode.
func (u *userCollector) noteMissing(deepCount int) {
	cfg := u.r.cfg
	for _, a := range cfg.Accounts {
		key := a.ID
		if key == "" {
			key = a.UserPrincipalName
		}
		if _, ok := u.declaredFound.Load(strings.ToLower(key)); !ok && !u.users.failed() {
			u.users.note("declared account %s was not found", a.Ref())
		}
	}
	if len(cfg.Accounts) == 0 {
		u.users.note("discovery mode: no accounts declared; %d candidate users collected for BG-INV-004", deepCount)
		u.signIns.note("discovery mode: sign-ins are read for declared accounts only")
		u.owned.note("discovery mode: owned objects are read for declared accounts only")
	}
}

// signInRetentionDays is how long Entra ID keeps sign-in logs.
const signInRetentionDays = 30

// signInWindowDays is how many days of sign-in logs are read:
// min(30, max(signInLookbackDays, drillMaxAgeDays)). BG-MON-004 looks at
// signInLookbackDays, BG-PROC-002 confirms drills up to drillMaxAgeDays
// old; Entra ID keeps no more than 30 days to read.
func signInWindowDays(cfg *config.Config) int {
	lookback, drill := config.DefaultSignInLookbackDays, config.DefaultDrillMaxAgeDays
	if cfg.SignInLookbackDays != nil {
		lookback = *cfg.SignInLookbackDays
	}
	if cfg.DrillMaxAgeDays != nil {
		drill = *cfg.DrillMaxAgeDays
	}
	return max(1, min(signInRetentionDays, max(lookback, drill)))
}

// userSelect is the $select for users/{id}. signInActivity is read apart,
// for the declared accounts only (activity.go).
const userSelect = "id,userPrincipalName,displayName,accountEnabled,userType,onPremisesSyncEnabled,assignedLicenses,passwordPolicies,lastPasswordChangeDateTime,createdDateTime,authorizationInfo"
