package snapshot

import (
	"regexp"
	"strings"
)

var upnPair = regexp.MustCompile(`("(?:userPrincipalName|account)":\s*")([^"]*)"`)

// UpperCaseIdentifiers returns a copy of a snapshot or config file with
// every GUID and UPN upper-cased, as Graph may return them: for tests that
// prove the scan does not depend on identifier case.
func UpperCaseIdentifiers(data []byte) []byte {
	out := embeddedGUID.ReplaceAllFunc(data, func(b []byte) []byte { return []byte(strings.ToUpper(string(b))) })
	return upnPair.ReplaceAllFunc(out, func(b []byte) []byte {
		m := upnPair.FindSubmatch(b)
		return append(append([]byte{}, m[1]...), []byte(strings.ToUpper(string(m[2]))+`"`)...)
	})
}
