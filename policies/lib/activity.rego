# METADATA
# title: sign-in activity and recorded drills
# description: |
#   Sign-in events and recorded drills/incidents of each declared account,
#   indexed once by user id and UPN so that per-account rules (BG-MON-004,
#   BG-PROC-002) never rescan the sign-in log. Drill dates are written in
#   the config's `timeZone` (IANA name, default UTC): sign-in timestamps are
#   converted to that zone's local date before they are compared.
# scope: package
package breakglass.lib.activity

import data.breakglass.lib
import rego.v1

# sign_ins_by_key maps the lower-case id and UPN of each declared account to
# its sign-ins. Keyed by declared accounts only (a handful), so a snapshot
# with tens of thousands of other users' sign-ins costs one pass per key.
sign_ins_by_key := {k: {s | some s in lib.items("signIns"); k in sign_in_keys(s)} | some k in account_keys}

account_keys := {lower(k) |
	some a in lib.accounts
	some k in [a.id, a.upn]
	is_string(k)
	k != ""
}

sign_in_keys(s) := {lower(k) |
	some field in ["userId", "userPrincipalName"]
	k := object.get(s, field, null)
	is_string(k)
}

# sign_ins returns the sign-in events of a declared account (lib.accounts).
sign_ins(a) := object.get(sign_ins_by_key, lower(a.id), set()) | object.get(sign_ins_by_key, lower(a.upn), set())

# succeeded is true for a sign-in event without an error code.
succeeded(s) if object.get(s, ["status", "errorCode"], 0) in {0, "0"}

# drills_by_key maps a lower-case UPN or object id to the drills and
# incidents recorded for it in the config.
drills_by_key[lower(d.account)] contains d if some d in lib.setting("drills", [])

# drills returns the recorded drills and incidents of a declared account.
drills(a) := object.get(drills_by_key, lower(a.id), set()) | object.get(drills_by_key, lower(a.upn), set())

# drill_dates returns the YYYY-MM-DD dates of an account's drills/incidents.
drill_dates(a) := {d.date | some d in drills(a)}

# --- local time ------------------------------------------------------------------

# time_zone is the IANA zone drill dates are written in (config timeZone,
# validated by the config loader); UTC by default.
time_zone := tz if {
	tz := lib.setting("timeZone", "UTC")
	tz != ""
} else := "UTC"

# local_date returns the YYYY-MM-DD date of an RFC 3339 timestamp in
# time_zone: a sign-in at 01:40Z is on the previous day in New York.
local_date(ts) := ns_date(time.parse_rfc3339_ns(ts))

ns_date(ns) := sprintf("%04d-%02d-%02d", time.date([ns, time_zone]))

# local_clock returns the HH:MM of an RFC 3339 timestamp in time_zone.
local_clock(ts) := sprintf("%02d:%02d", [c[0], c[1]]) if {
	c := time.clock([time.parse_rfc3339_ns(ts), time_zone])
}

# days_ago returns whole calendar days between a YYYY-MM-DD date and the
# scan's local date (0 on the day itself).
days_ago(date) := round((time.parse_ns("2006-01-02", ns_date(lib.now_ns)) - time.parse_ns("2006-01-02", date)) / lib.day_ns)

zone_suffix := "" if time_zone == "UTC"

else := sprintf(" %s", [time_zone])

# activity_by_id maps a user id to its signInActivity (Entra ID P1), when
# collected.
activity_by_id := lib.index_by({[lower(x.id), object.get(x, "signInActivity", {})] | some x in lib.items("signInActivity")})

# last_sign_ins returns the non-null last sign-in timestamps recorded in the
# account's signInActivity, by kind.
last_sign_ins(a) := {kind: ts |
	act := object.get(activity_by_id, lower(a.id), {})
	some kind in ["lastSignInDateTime", "lastNonInteractiveSignInDateTime", "lastSuccessfulSignInDateTime"]
	ts := object.get(act, kind, null)
	is_string(ts)
}

# describe renders a sign-in event for messages, in local time.
describe(s) := sprintf("%s %s%s via %s from %s%s", [
	local_date(s.createdDateTime),
	local_clock(s.createdDateTime),
	zone_suffix,
	object.get(s, "appDisplayName", object.get(s, "appId", "unknown app")),
	object.get(s, "ipAddress", "unknown address"),
	outcome(s),
])

outcome(s) := "" if succeeded(s)

else := sprintf(" (failed, error %v)", [object.get(s, ["status", "errorCode"], "?")])
