# METADATA
# title: sign-in activity and recorded drills
# description: |
#   Sign-in events and recorded drills/incidents of each declared account,
#   indexed once by user id and UPN so that per-account rules (BG-MON-004,
#   BG-PROC-002) never rescan the sign-in log.
# scope: package
package breakglass.lib.activity

import data.breakglass.lib
import rego.v1

# sign_ins_by_key maps a lower-case user id or UPN to that user's sign-ins.
sign_ins_by_key[lower(s.userId)] contains s if {
	some s in lib.items("signIns")
	is_string(s.userId)
}

sign_ins_by_key[lower(s.userPrincipalName)] contains s if {
	some s in lib.items("signIns")
	is_string(s.userPrincipalName)
}

# sign_ins returns the sign-in events of a declared account (lib.accounts).
sign_ins(a) := object.get(sign_ins_by_key, lower(a.id), set()) | object.get(sign_ins_by_key, lower(a.upn), set())

# succeeded is true for a sign-in event without an error code.
succeeded(s) if object.get(s, ["status", "errorCode"], 0) == 0

# drills_by_key maps a lower-case UPN or object id to the drills and
# incidents recorded for it in the config.
drills_by_key[lower(d.account)] contains d if some d in lib.setting("drills", [])

# drills returns the recorded drills and incidents of a declared account.
drills(a) := object.get(drills_by_key, lower(a.id), set()) | object.get(drills_by_key, lower(a.upn), set())

# drill_dates returns the YYYY-MM-DD dates of an account's drills/incidents.
drill_dates(a) := {d.date | some d in drills(a)}

# activity_by_id maps a user id to its signInActivity (Entra ID P1), when
# collected.
activity_by_id[lower(x.id)] := object.get(x, "signInActivity", {}) if some x in lib.items("signInActivity")

# last_sign_ins returns the non-null last sign-in timestamps recorded in the
# account's signInActivity, by kind.
last_sign_ins(a) := {kind: ts |
	act := object.get(activity_by_id, lower(a.id), {})
	some kind in ["lastSignInDateTime", "lastNonInteractiveSignInDateTime", "lastSuccessfulSignInDateTime"]
	ts := object.get(act, kind, null)
	is_string(ts)
}

# describe renders a sign-in event for messages.
describe(s) := sprintf("%s %s via %s from %s%s", [
	lib.date_of(s.createdDateTime),
	substring(s.createdDateTime, 11, 5),
	object.get(s, "appDisplayName", object.get(s, "appId", "unknown app")),
	object.get(s, "ipAddress", "unknown address"),
	outcome(s),
])

outcome(s) := "" if succeeded(s)

else := sprintf(" (failed, error %v)", [object.get(s, ["status", "errorCode"], "?")])
