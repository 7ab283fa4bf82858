package collector

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
)

// maxNameMatches bounds the break-glass name search (per request).
const maxNameMatches = 2000

// nameWords are the words searched for BG-INV-004's pattern
// break.?glass|emergency.
var nameWords = []string{"break", "glass", "emergency"}

// namePrefixProperties are matched with startswith: Graph tokenises only
// displayName (and description) for $search; every other property is a
// prefix match, in $search as in $filter.
var namePrefixProperties = []string{"userPrincipalName", "mail", "mailNickname"}

// eventual marks an advanced query (ConsistencyLevel: eventual, with
// $count=true in the query): needed for $search and OData casts on
// directory objects, and it serves $filter from the same index.
var eventual = map[string]string{"ConsistencyLevel": "eventual"}

// searchNames finds users named like a break-glass account with two
// requests, then keeps those matching break.?glass|emergency:
//
//   - $search="displayName:break" OR "displayName:glass" OR
//     "displayName:emergency": Graph splits displayName into tokens at
//     spaces, symbols, digits and lower-to-upper case changes (and joins
//     words separated only by symbols) and matches token prefixes, so
//     "Break Glass 01", "BreakGlass", "bg-breakglass" and "Emergency Access"
//     are found;
//   - $filter=startswith(userPrincipalName,'break') or ... 'emergency' on
//     userPrincipalName, mail and mailNickname: "breakglass01@contoso.com"
//     is found whatever its display name.
//
// Not found: the words inside a run of lower-case letters of the display
// name ("adminbreakglass") and anywhere but the start of the UPN, mail or
// alias ("admin.breakglass@contoso.com") — Graph has no substring search on
// users. Both requests use the eventually consistent index (minutes).
func (r *run) searchNames(ctx context.Context, st *graphState) {
	d := r.ds(snapshot.Users) // finished by collectUsers
	c := r.ctx(ctx, d)
	sel := "id,displayName,userPrincipalName,mail,mailNickname"
	var terms []string
	for _, w := range nameWords {
		terms = append(terms, fmt.Sprintf(`"displayName:%s"`, w))
	}
	// Both searches are advanced queries on /users (eventual consistency,
	// $count), bounded by maxNameMatches.
	users := func(param, expr string) ([]map[string]any, bool, error) {
		return r.graph.list(c, graphRequest{path: "/users", headers: eventual, query: url.Values{
			param: {expr}, "$select": {sel}, "$top": {"999"}, "$count": {"true"},
		}}, maxNameMatches)
	}
	byName, truncName, err := users("$search", strings.Join(terms, " OR "))
	if err != nil {
		st.nameSearchErr = err
		return
	}
	var clauses []string
	for _, p := range namePrefixProperties {
		for _, w := range []string{"break", "emergency"} {
			clauses = append(clauses, fmt.Sprintf("startswith(%s,'%s')", p, w))
		}
	}
	byPrefix, truncPrefix, err := users("$filter", strings.Join(clauses, " or "))
	if err != nil {
		st.nameSearchErr = err
		return
	}
	st.nameSearchTruncated = truncName || truncPrefix
	seen := map[string]bool{}
	for _, u := range append(byName, byPrefix...) {
		id := strings.ToLower(str(u, "id"))
		if seen[id] {
			continue
		}
		for _, k := range []string{"displayName", "userPrincipalName", "mail", "mailNickname"} {
			if breakGlassName.MatchString(str(u, k)) {
				seen[id] = true
				st.nameMatches = append(st.nameMatches, u)
				break
			}
		}
	}
}
