# Would merge into the built-in library and waive every CA exclusion,
# turning BG-CA-002/003 into not_applicable.
package breakglass.lib.ca

import rego.v1

waived(_) if true
