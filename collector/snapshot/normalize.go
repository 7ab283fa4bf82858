package snapshot

import (
	"regexp"
	"strings"
)

// Identifiers in Entra ID and Azure are case-insensitive: object ids are
// GUIDs, UPNs are compared without case, ARM resource ids and Key Vault
// URIs too. Graph and ARM return them in whatever case they were created
// with, and one object can appear in different cases in different data
// sets (a principalId in capitals, the user's id in lower case). The rules
// compare with ==, so the snapshot stores every identifier in one form,
// lower case, and this is the one place that makes it so. It runs when the
// collector writes a snapshot, when a snapshot is loaded (hand-edited or
// older snapshots, baselines) and on the configuration given to a scan.
//
// What is lower-cased, wherever it appears (data sets, metadata, config):
//   - a string that is a GUID as a whole (object, tenant, role template,
//     subscription, AAGUID and policy ids);
//   - the value of a userPrincipalName or onPremisesUserPrincipalName
//     member, and of the config's account/drill references;
//   - an ARM resource id or scope: a string starting with /subscriptions/
//     or /providers/;
//   - a Key Vault URI: an https:// string in a vaultUri, vaultSecret or id
//     member;
//   - the GUIDs inside a composite id (an id or *Id member such as
//     DirectoryRole_<tenant>_<role>) or a path (a string starting with /,
//     e.g. an access review's /groups/<id>/transitiveMembers scope).
//
// Free text (display names, KQL queries, messages) is left as it is: a KQL
// query comparing an upper-cased id with == would not match the sign-in
// log, and lower-casing it here would hide that.

// guidPattern is a GUID in either letter case; guidRE matches a whole
// string, embeddedGUID the GUIDs inside one.
const guidPattern = `[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}`

var (
	guidRE       = regexp.MustCompile(`^` + guidPattern + `$`)
	embeddedGUID = regexp.MustCompile(guidPattern)
)

// nameKeys hold a UPN (or, for account and drill references, a UPN or an
// object id).
var nameKeys = map[string]bool{
	"userPrincipalName":           true,
	"onPremisesUserPrincipalName": true,
	"account":                     true, // config drills: UPN or object id
}

// uriKeys hold a Key Vault URI when their value starts with https://.
var uriKeys = map[string]bool{"vaultUri": true, "vaultSecret": true, "id": true}

// Normalize lower-cases the identifiers in a generic JSON value (as decoded
// with encoding/json) in place and returns it.
func Normalize(v any) any {
	return normalize("", v)
}

func normalize(key string, v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			x[k] = normalize(k, child)
		}
		return x
	case []any:
		for i, child := range x {
			x[i] = normalize(key, child)
		}
		return x
	case string:
		return NormalizeString(key, x)
	default:
		return v
	}
}

// NormalizeString returns the stored form of a string found under the
// object member key.
func NormalizeString(key, s string) string {
	switch {
	case isGUID(s):
		return strings.ToLower(s)
	case nameKeys[key]:
		return strings.ToLower(s)
	case hasPrefixFold(s, "/subscriptions/"), hasPrefixFold(s, "/providers/"):
		return strings.ToLower(s)
	case uriKeys[key] && hasPrefixFold(s, "https://"):
		return strings.ToLower(s)
	case strings.HasPrefix(s, "/"), key == "id", strings.HasSuffix(key, "Id"):
		return lowerEmbeddedGUIDs(s)
	}
	return s
}

// lowerEmbeddedGUIDs lower-cases the GUIDs inside a composite id
// (DirectoryRole_<tenant>_<role>) or a Graph path (/groups/<id>/members)
// and leaves the rest as it is.
func lowerEmbeddedGUIDs(s string) string {
	if !strings.ContainsAny(s, "ABCDEF") {
		return s
	}
	return embeddedGUID.ReplaceAllStringFunc(s, strings.ToLower)
}

// isGUID reports whether s is a GUID as a whole (what guidRE matches):
// every string of a snapshot passes here, and the regular expression was
// a sixth of loading one.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
