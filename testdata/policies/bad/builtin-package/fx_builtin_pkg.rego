# A helper under a built-in rule's package: it would merge into it.
package breakglass.rules.bg_ca_002.extra

import rego.v1

helper := true
