# METADATA
# title: Conditional Access semantics
# description: |
#   Does a Conditional Access policy apply to an account on the emergency
#   path, and can the account satisfy its grant controls from an unknown
#   device and location with its registered methods? See SPEC.md,
#   "Conditional Access semantics". Facts about each account are computed
#   once (facts[uid]) and reused for every policy.
# scope: package
package breakglass.lib.ca

import data.breakglass.lib
import data.breakglass.lib.methods
import rego.v1

# policies: one per id (a policy listed twice is judged once).
policies := [p | some _, p in lib.index_by({[p.id, p] | some p in lib.items("conditionalAccessPolicies")})]

enabled_policies := [p | some p in policies; p.state == "enabled"]

report_only_policies := [p | some p in policies; p.state == "enabledForReportingButNotEnforced"]

policy_resource(p) := {"type": "conditionalAccessPolicy", "id": p.id, "name": object.get(p, "displayName", p.id)}

waived(p) if lower(p.id) in lib.waived_policies

# The emergency path: admin surfaces an operator uses to repair a tenant.
emergency_apps := {
	"797f4846-ba00-4fd7-ba43-dac1f8f63013", # Azure portal / Windows Azure Service Management API
	"microsoftadminportals",
	"14d82eec-204b-4c2f-b7e8-296a70dab67e", # Microsoft Graph PowerShell
	"04b07795-8ddb-461a-bbee-02f9e1bf7b46", # Azure CLI
	# Conditional Access is enforced on the resource a client calls, not on
	# the client: Graph PowerShell and the CLI reach the directory through
	# these resources, so a policy on them blocks those routes too.
	"00000002-0000-0000-c000-000000000000", # Windows Azure Active Directory
	"00000003-0000-0000-c000-000000000000", # Microsoft Graph
}

# facts about each user the CA rules judge, computed once per user.
facts := {uid: {
	"id": uid,
	"user": u,
	"groups": lib.groups_of(uid),
	"roles": lib.active_roles(uid),
	"builtin_roles": lib.active_roles(uid) & lib.builtin_role_templates,
	"external": lib.external_kinds(u),
	"methods": lib.method_types(uid),
	"fido2": methods.usable_fido2_aaguids(uid),
	"factors": methods.usable_factors(uid),
	"certificate": cert_usable(u),
	"certificate_mfa": cert_mfa(u),
	"phishing_resistant": pr_usable(u),
} |
	some uid in subjects
	u := lib.users_by_id[uid]
}

# subjects: declared accounts, or (discovery) every user in the snapshot.
subjects := lib.account_ids if count(lib.accounts) > 0

else := {u.id | some u in lib.items("users")}

cert_usable(u) if methods.usable_certificate(u)

else := false

cert_mfa(u) if methods.certificate_multifactor(u)

else := false

pr_usable(u) if methods.phishing_resistant_usable(u)

else := false

# --- targeting -----------------------------------------------------------------

lowers(xs) := {lower(x) | some x in xs}

users_cond(p) := object.get(p, ["conditions", "users"], {})

list(cond, key) := lowers(v) if {
	v := object.get(cond, key, [])
	v != null
} else := set()

# shape normalises what targeting needs from a policy once, so that the
# per-(policy, account) work is a handful of set intersections.
shape(p) := {
	"users": users_cond(p),
	"on_path": on_path(p),
	"include_users": list(users_cond(p), "includeUsers"),
	"exclude_users": list(users_cond(p), "excludeUsers"),
	"include_groups": list(users_cond(p), "includeGroups"),
	"exclude_groups": list(users_cond(p), "excludeGroups"),
	"include_roles": list(users_cond(p), "includeRoles"),
	"exclude_roles": list(users_cond(p), "excludeRoles"),
}

on_path(p) if on_emergency_path(p)

else := false

# included_by names the route by which the policy's user condition includes
# the account; undefined when it does not.
included_by(p, f) := included_via(shape(p), f)

# excluded_by names the route by which the account is excluded.
excluded_by(p, f) := excluded_via(shape(p), f)

included_via(s, f) := "all users" if "all" in s.include_users

else := "the user" if f.id in s.include_users

else := sprintf("group %s", [lib.group_resource(g).name]) if {
	g := first(s.include_groups & f.groups)
} else := sprintf("role %s", [lib.role_name(r)]) if {
	r := first(s.include_roles & f.roles)
} else := "guest or external user condition" if {
	guests_match(s.users, "includeGuestsOrExternalUsers", f, true)
}

excluded_via(s, f) := "the user" if f.id in s.exclude_users

else := sprintf("group %s", [lib.group_resource(g).name]) if {
	g := first(s.exclude_groups & f.groups)
} else := sprintf("role %s", [lib.role_name(r)]) if {
	# Conditional Access ignores custom roles: only a built-in role excludes.
	r := first(s.exclude_roles & object.get(f, "builtin_roles", f.roles))
} else := "guest or external user condition" if {
	guests_match(s.users, "excludeGuestsOrExternalUsers", f, false)
}

# guests_match: the account is a guest/external user of a listed kind. The
# home tenant of an enumerated-tenants condition is unknown: assume it
# matches an inclusion and not an exclusion (worst case).
guests_match(cond, key, f, assume_tenant) if {
	g := object.get(cond, key, null)
	g != null
	kinds := {trim_space(k) | some k in split(object.get(g, "guestOrExternalUserTypes", ""), ",")}
	some kind in f.external
	kind in kinds
	tenant_matches(g, assume_tenant)
}

guests_match(cond, key, f, _) if {
	key == "includeGuestsOrExternalUsers"
	"guestsorexternalusers" in list(cond, "includeUsers")
	count(f.external) > 0
}

guests_match(cond, key, f, _) if {
	key == "excludeGuestsOrExternalUsers"
	"guestsorexternalusers" in list(cond, "excludeUsers")
	count(f.external) > 0
}

tenant_matches(g, _) if lower(object.get(g, ["externalTenants", "membershipKind"], "all")) == "all"

tenant_matches(g, assume) if {
	lower(object.get(g, ["externalTenants", "membershipKind"], "all")) != "all"
	assume
}

apps_cond(p) := object.get(p, ["conditions", "applications"], {})

# on_emergency_path: the policy's application, client-app and flow
# conditions include an interactive sign-in to an admin surface.
on_emergency_path(p) if {
	targets_admin_resource(apps_cond(p))
	client_apps_included(p)
	not transfer_flows_only(p)
	not workload_identity_only(p)
}

targets_admin_resource(cond) if {
	some app in emergency_apps
	app_included(cond, app)
	not app in list(cond, "excludeApplications")
}

# An include-mode application filter selects apps by custom security
# attributes the snapshot does not show: assume it selects an admin surface.
targets_admin_resource(cond) if lower(object.get(cond, ["applicationFilter", "mode"], "")) == "include"

# Authentication contexts guard protected actions (changing Conditional
# Access policies, named locations, ...): a policy on one can stop the
# repair the emergency account is for.
targets_admin_resource(cond) if count(list(cond, "includeAuthenticationContextClassReferences")) > 0

app_included(cond, _) if "all" in list(cond, "includeApplications")

app_included(cond, app) if app in list(cond, "includeApplications")

client_apps_included(p) if count(list(object.get(p, "conditions", {}), "clientAppTypes")) == 0

client_apps_included(p) if {
	some t in list(p.conditions, "clientAppTypes")
	t in {"all", "browser", "mobileappsanddesktopclients"}
}

# A policy scoped to device-code or authentication-transfer flows does not
# touch a browser or desktop-client sign-in.
transfer_flows_only(p) if {
	value := object.get(p, ["conditions", "authenticationFlows", "transferMethods"], "")
	is_string(value)
	flows := {lower(trim_space(x)) | some x in split(value, ",")} - {""}
	count(flows) > 0
	count(flows - {"devicecodeflow", "authenticationtransfer"}) == 0
}

workload_identity_only(p) if {
	some key in ["includeServicePrincipals", "includeAgentIdServicePrincipals"]
	count(list(object.get(p, ["conditions", "clientApplications"], {}), key)) > 0
}

# targeting returns {"targeted": bool, "why": string} for a policy and an
# account's facts.
targeting(p, f) := targeting_shaped(shape(p), f)

targeting_shaped(s, f) := {"targeted": false, "why": "the policy does not touch an interactive admin sign-in (applications, client apps or flows)"} if {
	not s.on_path
} else := {"targeted": false, "why": "the user condition does not include the account"} if {
	not included_via(s, f)
} else := {"targeted": false, "why": sprintf("the account is excluded (%s)", [excluded_via(s, f)])} if {
	excluded_via(s, f)
} else := {"targeted": true, "why": sprintf("the policy includes the account (%s)", [included_via(s, f)])}

# --- grant controls --------------------------------------------------------------

unsatisfiable_builtins := {
	"block": "blocks access",
	"compliantdevice": "requires a compliant device",
	"domainjoineddevice": "requires a hybrid-joined device",
	"approvedapplication": "requires an approved client app",
	"compliantapplication": "requires an app protection policy",
}

# builtin_verdict returns {"v": "yes"|"no"|"unknown", "why": string}.
builtin_verdict(c) := {"v": "no", "why": unsatisfiable_builtins[lower(c)]} if {
	unsatisfiable_builtins[lower(c)]
} else := {"v": "unknown", "why": sprintf("unknown grant control %q", [c])}

password_change_verdict(f) := {"v": "yes", "why": "password change after MFA by a phishing-resistant method"} if f.phishing_resistant

else := {"v": "no", "why": "requires a password change, which first requires MFA, and the account has no phishing-resistant method usable under the authentication methods policy"}

risk_remediation_verdict(f) := {"v": "yes", "why": "risk remediation: MFA by a phishing-resistant method, then a password change"} if f.phishing_resistant

else := {"v": "no", "why": "requires risk remediation, which first requires MFA, and the account has no phishing-resistant method usable under the authentication methods policy"}

mfa_verdict(f) := {"v": "yes", "why": "MFA met by a phishing-resistant method"} if f.phishing_resistant

else := {"v": "no", "why": "requires MFA and the account has no phishing-resistant method usable under the authentication methods policy"}

control_verdict(c, f) := mfa_verdict(f) if lower(c) == "mfa"

# A forced password change first requires MFA (Microsoft: "users must have
# previously registered for MFA").
else := password_change_verdict(f) if lower(c) == "passwordchange"

# Risk remediation (Microsoft-managed remediation) requires MFA, then a
# secure password change for a password user: judged like passwordChange.
else := risk_remediation_verdict(f) if lower(c) == "riskremediation"

else := builtin_verdict(c)

grant(p) := object.get(p, "grantControls", null)

strengths_by_id := lib.index_by({[s.id, s] | some s in lib.items("authenticationStrengthPolicies")})

# resolve_strength prefers the collected policy (it carries the combination
# configurations), then an inline expansion in the CA policy.
resolve_strength(s) := strengths_by_id[s.id] if s.id

else := s if s.allowedCombinations

strength_verdict(s, f) := {"v": "unknown", "why": sprintf("authentication strength %s could not be resolved", [object.get(s, "id", "?")])} if {
	not resolve_strength(s)
} else := {"v": "yes", "why": sprintf("authentication strength %q met by %s", [strength_name(s), combo])} if {
	strength := resolve_strength(s)
	combo := first({c | some c in strength.allowedCombinations; combination_met(c, strength, f); not x509_restricted(strength, c)})
} else := {"v": "unknown", "why": sprintf("authentication strength %q could be met by %s only with a certificate from an allowed issuer or policy OID, which the snapshot cannot show", [strength_name(s), combo])} if {
	strength := resolve_strength(s)
	combo := first({c | some c in strength.allowedCombinations; combination_met(c, strength, f); x509_restricted(strength, c)})
} else := {"v": "no", "why": sprintf("requires authentication strength %q and no allowed combination matches the account's usable methods", [strength_name(s)])}

strength_name(s) := object.get(resolve_strength(s), "displayName", object.get(s, "id", "?"))

combination_met(combo, strength, f) if {
	every factor in split(combo, ",") {
		factor_met(trim_space(factor), strength, f)
	}
}

factor_met("fido2", strength, f) if count(strength_fido2(strength, f)) > 0

factor_met("x509CertificateSingleFactor", _, f) if f.certificate

factor_met("x509CertificateMultiFactor", _, f) if f.certificate_mfa

# Other factors come from registered methods the methods policy enables
# (methods.usable_factors). windowsHelloForBusiness is bound to a known
# device and federated factors need on-premises infrastructure: neither
# exists on the emergency path, so they are never in f.factors.
factor_met(factor, _, f) if factor in f.factors

# strength_fido2: usable FIDO2 AAGUIDs, narrowed by the strength's FIDO2
# combination configuration (allowedAAGUIDs) when it has one.
strength_fido2(strength, f) := f.fido2 & allowed if {
	allowed := {lower(g) |
		some cc in object.get(strength, "combinationConfigurations", [])
		"fido2" in object.get(cc, "appliesToCombinations", [])
		some g in object.get(cc, "allowedAAGUIDs", [])
	}
	count(allowed) > 0
} else := f.fido2

# x509_restricted: the strength limits which certificates count for a
# combination (issuer SKIs or policy OIDs). The snapshot does not hold the
# account's certificate, so such a combination can only be "maybe".
x509_restricted(strength, combo) if {
	some cc in object.get(strength, "combinationConfigurations", [])
	combo in object.get(cc, "appliesToCombinations", [])
	count(object.get(cc, "allowedIssuerSkis", [])) + count(object.get(cc, "allowedPolicyOIDs", [])) > 0
}

# control_verdicts lists one verdict per grant control of a policy.
control_verdicts(p, f) := [v |
	some group in [
		[control_verdict(c, f) | some c in grant_list(p, "builtInControls")],
		[strength_verdict(s, f) | s := object.get(grant(p), "authenticationStrength", null); s != null],
		[{"v": "yes", "why": "terms of use"} | some _ in grant_list(p, "termsOfUse")],
		[{"v": "unknown", "why": sprintf("custom authentication factor %s cannot be evaluated", [c])} | some c in grant_list(p, "customAuthenticationFactors")],
		unreadable_grant(p),
	]
	some v in group
]

# grant_list returns a list-valued grant control field, [] when absent.
grant_list(p, key) := v if {
	v := object.get(grant(p), key, [])
	is_array(v)
} else := []

# unreadable_grant flags grant controls present in an unexpected shape
# (e.g. builtInControls null): the pair is error, never a silent pass.
unreadable_grant(p) := [{"v": "unknown", "why": sprintf("grantControls.%s could not be read (%s)", [key, type_name(value)])} |
	g := grant(p)
	g != null
	some key in ["builtInControls", "termsOfUse", "customAuthenticationFactors"]
	value := object.get(g, key, [])
	not is_array(value)
]

# satisfiability combines control verdicts with the policy's operator
# (Kleene logic: OR needs one "yes", AND needs all; an unresolved control
# decides only when the others do not).
satisfiability(p, f) := {"v": "yes", "why": "no grant controls (session controls only)"} if {
	count(control_verdicts(p, f)) == 0
} else := combine(operator(p), control_verdicts(p, f))

# operator is OR or AND; a missing operator combines with AND.
operator(p) := "OR" if upper(object.get(grant(p), "operator", "AND")) == "OR"

else := "AND"

combine("OR", vs) := v if {
	v := first_with(vs, "yes")
} else := v if {
	v := first_with(vs, "unknown")
} else := {"v": "no", "why": concat("; ", sort({v.why | some v in vs}))}

combine("AND", vs) := and_verdict(vs)

and_verdict(vs) := v if {
	v := first_with(vs, "no")
} else := v if {
	v := first_with(vs, "unknown")
} else := {"v": "yes", "why": concat("; ", sort({v.why | some v in vs}))}

# first returns the smallest element of a non-empty set: else-chains must
# yield one value even when several elements qualify.
first(xs) := sort(xs)[0] if count(xs) > 0

# first_with returns the least control verdict with the given outcome (not
# the first in the policy's list: the order of grant controls is no fact).
first_with(vs, outcome) := matching[0] if {
	matching := sort([v | some v in vs; v.v == outcome])
	count(matching) > 0
}

# verdict judges one (policy, account) pair: status pass, fail or error.
verdict(p, f) := judge(p, shape(p), f)

judge(p, s, f) := {"status": "error", "message": "the policy has no readable conditions.users and conditions.applications (Graph returned it without them), so whom it targets is unknown; check the policy in the Entra admin center and re-collect"} if {
	not readable_conditions(p)
} else := decide(targeting_shaped(s, f), p, f)

# readable_conditions: Graph always sends both; without them a policy would
# seem to target nobody, which must not read as a pass.
readable_conditions(p) if {
	is_object(p.conditions.users)
	is_object(p.conditions.applications)
}

decide(t, p, f) := {"status": "pass", "message": t.why} if not t.targeted

else := grant_outcome(t, satisfiability(p, f))

grant_outcome(t, sat) := {"status": "pass", "message": sprintf("%s and its grant controls can be met: %s", [t.why, sat.why])} if {
	sat.v == "yes"
} else := {"status": "fail", "message": sprintf("%s and the account cannot satisfy it: %s", [t.why, sat.why])} if {
	sat.v == "no"
} else := {"status": "error", "message": sprintf("%s but its grant controls cannot be evaluated: %s", [t.why, sat.why])}

# verdicts[policy id][user id] for enabled and report-only policies, every
# subject: computed once, shared by BG-CA-001/002/003 and custom rules.
verdicts := {p.id: {uid: judge(p, s, f) | some uid, f in facts} |
	some p in policies
	p.state != "disabled"
	s := shape(p)
}

# applies is the helper for custom rules: the policy targets the user on the
# emergency path (after exclusions).
applies(p, uid) if targeting(p, facts[uid]).targeted

# pair_result is the status and message of BG-CA-002/003 for one (policy,
# account) pair: waivers and missing accounts first, then the verdict.
pair_result(p, a) := {"status": "not_applicable", "message": sprintf("waived: policy %s is listed in caAllowedPolicies", [p.id])} if {
	waived(p)
} else := {"status": "not_applicable", "message": sprintf("declared account %s does not exist (see BG-INV-003)", [a.ref])} if {
	not a.exists
} else := verdicts[p.id][a.id]
