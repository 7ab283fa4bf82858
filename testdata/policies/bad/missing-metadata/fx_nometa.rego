# A rule package without a METADATA block: it would never be reported.
package breakglass.rules.fx_nometa

import data.breakglass.lib
import rego.v1

results contains {"status": "fail", "resource": lib.tenant_resource, "message": "never seen"}
