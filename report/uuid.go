package report

import (
	"strings"

	"github.com/google/uuid"
)

// uuidNamespace is breakglass's name-based UUID namespace: the version-5
// UUID of its URL in the RFC 4122 URL namespace.
var uuidNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte(informationURI))

// stableUUID is a version-5 UUID of its parts: the same inputs give the
// same UUID in every run (OSCAL and SARIF identifiers).
func stableUUID(parts ...string) string {
	return uuid.NewSHA1(uuidNamespace, []byte(strings.Join(parts, "\x00"))).String()
}
