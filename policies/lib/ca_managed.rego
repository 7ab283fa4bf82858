# Microsoft-managed Conditional Access policies (BG-CA-003, BG-CA-007).
package breakglass.lib.ca

import rego.v1

# microsoft_managed: Microsoft created the policy and may switch it from
# report-only to On by itself. Graph v1.0 has no explicit flag: the display
# name, which starts with "Microsoft-managed:" and cannot be renamed, is
# the marker (templateId is set on admin-created template policies too).
microsoft_managed(p) if startswith(lower(trim_space(object.get(p, "displayName", ""))), "microsoft-managed:")
