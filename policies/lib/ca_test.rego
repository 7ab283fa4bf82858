# Truth tables for the Conditional Access semantics (SPEC.md): targeting
# routes, the emergency path, and grant-control satisfiability.
package breakglass.lib.ca_test

import data.breakglass.lib.ca
import rego.v1

uid := "11111111-0000-4000-8000-000000000001"

ga := "62e90394-69f5-4237-9190-012177145e10"

grp := "22222222-0000-4000-8000-000000000002"

aaguid := "cb69481e-8ff7-4039-93ec-0a2729a154a8"

# facts of an account with a usable FIDO2 key, member of grp, holding GA.
strong := {
	"id": uid, "groups": {grp}, "roles": {ga}, "external": set(),
	"methods": {"passwordAuthenticationMethod", "fido2AuthenticationMethod"},
	"factors": {"password"},
	"fido2": {aaguid}, "certificate": false, "certificate_mfa": false, "phishing_resistant": true,
}

# the same account with only a password.
weak := object.union(strong, {"methods": {"passwordAuthenticationMethod"}, "fido2": set(), "phishing_resistant": false})

policy(users, grant) := {
	"id": "p1", "displayName": "test", "state": "enabled",
	"conditions": {
		"clientAppTypes": ["all"],
		"applications": {"includeApplications": ["All"], "excludeApplications": []},
		"users": users,
	},
	"grantControls": grant,
}

block := {"operator": "OR", "builtInControls": ["block"]}

all_users := {"includeUsers": ["All"]}

status(p, f) := ca.verdict(p, f).status

# --- targeting ------------------------------------------------------------------

test_all_users_block_fails if status(policy(all_users, block), strong) == "fail"

test_user_include_targets if status(policy({"includeUsers": [uid]}, block), strong) == "fail"

test_other_user_not_targeted if status(policy({"includeUsers": ["99999999-0000-4000-8000-000000000009"]}, block), strong) == "pass"

test_group_include_transitive if status(policy({"includeGroups": [grp]}, block), strong) == "fail"

test_role_include_targets if status(policy({"includeRoles": [ga]}, block), strong) == "fail"

test_role_not_held_not_targeted if status(policy({"includeRoles": ["194ae4cb-b126-40b2-bd5b-6091b380977d"]}, block), strong) == "pass"

test_none_targets_nobody if status(policy({"includeUsers": ["None"]}, block), strong) == "pass"

test_agent_users_only_not_targeted if status(policy({"includeUsers": ["AllAgentIdUsers"]}, block), strong) == "pass"

test_excluded_user if status(policy({"includeUsers": ["All"], "excludeUsers": [uid]}, block), strong) == "pass"

test_excluded_via_group if status(policy({"includeUsers": ["All"], "excludeGroups": [grp]}, block), strong) == "pass"

test_excluded_via_role if status(policy({"includeUsers": ["All"], "excludeRoles": [ga]}, block), strong) == "pass"

test_exclusion_of_other_group_does_not_help if {
	status(policy({"includeUsers": ["All"], "excludeGroups": ["33333333-0000-4000-8000-000000000003"]}, block), strong) == "fail"
}

test_ids_compared_case_insensitively if status(policy({"includeUsers": ["All"], "excludeGroups": [upper(grp)]}, block), strong) == "pass"

test_guest_condition_matches_guest if {
	guest := object.union(strong, {"external": {"b2bCollaborationGuest"}})
	cond := {"includeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "b2bCollaborationGuest,internalGuest", "externalTenants": {"membershipKind": "all"}}}
	status(policy(cond, block), guest) == "fail"
	status(policy(cond, block), strong) == "pass"
}

test_guest_exclusion_enumerated_tenant_assumed_not_matching if {
	guest := object.union(strong, {"external": {"b2bCollaborationGuest"}})
	cond := {"includeUsers": ["All"], "excludeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "b2bCollaborationGuest", "externalTenants": {"membershipKind": "enumerated", "members": []}}}
	status(policy(cond, block), guest) == "fail"
}

# --- the emergency path ------------------------------------------------------------

with_conditions(extra) := object.union(policy(all_users, block), {"conditions": extra})

test_legacy_clients_only_not_on_path if status(with_conditions({"clientAppTypes": ["exchangeActiveSync", "other"]}), strong) == "pass"

test_browser_on_path if status(with_conditions({"clientAppTypes": ["browser"]}), strong) == "fail"

test_empty_client_app_types_on_path if status(with_conditions({"clientAppTypes": []}), strong) == "fail"

test_transfer_methods_none_stays_on_path if {
	status(with_conditions({"authenticationFlows": {"transferMethods": "none"}}), strong) == "fail"
	status(with_conditions({"authenticationFlows": {"transferMethods": "unknownFutureValue"}}), strong) == "fail"
	status(with_conditions({"authenticationFlows": {"transferMethods": ""}}), strong) == "fail"
	status(with_conditions({"authenticationFlows": null}), strong) == "fail"
}

test_device_code_flow_only_not_on_path if {
	status(with_conditions({"authenticationFlows": {"transferMethods": "deviceCodeFlow,authenticationTransfer"}}), strong) == "pass"
}

test_admin_portals_on_path if {
	status(with_conditions({"applications": {"includeApplications": ["MicrosoftAdminPortals"]}}), strong) == "fail"
}

test_other_app_only_not_on_path if {
	status(with_conditions({"applications": {"includeApplications": ["Office365"]}}), strong) == "pass"
}

test_applications_none_not_on_path if {
	status(with_conditions({"applications": {"includeApplications": ["None"]}}), strong) == "pass"
}

test_excluding_one_admin_app_keeps_others_in_scope if {
	apps := {"includeApplications": ["All"], "excludeApplications": ["797f4846-ba00-4fd7-ba43-dac1f8f63013"]}
	status(with_conditions({"applications": apps}), strong) == "fail"
}

test_excluding_every_admin_app_leaves_path if {
	apps := {"includeApplications": ["797f4846-ba00-4fd7-ba43-dac1f8f63013"], "excludeApplications": ["797f4846-ba00-4fd7-ba43-dac1f8f63013"]}
	status(with_conditions({"applications": apps}), strong) == "pass"
}

test_workload_identity_policy_never_applies_to_users if {
	status(with_conditions({"clientApplications": {"includeServicePrincipals": ["ServicePrincipalsInMyTenant"]}}), strong) == "pass"
}

# --- grant controls --------------------------------------------------------------------

grant(controls, op) := policy(all_users, {"operator": op, "builtInControls": controls})

test_mfa_met_by_fido2 if status(grant(["mfa"], "OR"), strong) == "pass"

test_mfa_unmet_with_password_only if status(grant(["mfa"], "OR"), weak) == "fail"

test_mfa_met_by_certificate if {
	cba := object.union(weak, {"certificate": true, "certificate_mfa": true, "phishing_resistant": true})
	status(grant(["mfa"], "OR"), cba) == "pass"
}

test_single_factor_certificate_does_not_meet_mfa_strength if {
	cba := object.union(weak, {"certificate": true, "certificate_mfa": false, "phishing_resistant": false})
	status(grant(["mfa"], "OR"), cba) == "fail"
	status(strength_policy({"id": phishing_resistant.id}), cba) == "fail" with input as strength_input
	single := {"id": "77777777-0000-4000-8000-000000000007", "allowedCombinations": ["x509CertificateSingleFactor"]}
	status(strength_policy(single), cba) == "pass" with input as strength_input
}

test_multi_factor_certificate_meets_phishing_resistant_strength if {
	cba := object.union(weak, {"certificate": true, "certificate_mfa": true, "phishing_resistant": true})
	status(strength_policy({"id": phishing_resistant.id}), cba) == "pass" with input as strength_input
}

test_unreadable_builtin_controls_is_error if {
	p := policy(all_users, {"operator": "OR", "builtInControls": null})
	status(p, strong) == "error"
}

test_inline_strength_without_id if {
	p := strength_policy({"allowedCombinations": ["fido2"]})
	status(p, strong) == "pass" with input as strength_input
	status(p, weak) == "fail" with input as strength_input
}

test_device_controls_unsatisfiable if {
	every c in ["compliantDevice", "domainJoinedDevice", "approvedApplication", "compliantApplication"] {
		status(grant([c], "OR"), strong) == "fail"
	}
}

test_or_needs_one if status(grant(["compliantDevice", "mfa"], "OR"), strong) == "pass"

test_and_needs_all if status(grant(["compliantDevice", "mfa"], "AND"), strong) == "fail"

test_missing_operator_means_and if {
	p := policy(all_users, {"builtInControls": ["mfa", "compliantDevice"]})
	status(p, strong) == "fail"
}

# A forced password change first requires MFA.
test_password_change_needs_mfa_first if {
	status(grant(["passwordChange"], "AND"), strong) == "pass"
	status(grant(["passwordChange"], "AND"), weak) == "fail"
}

# Risk remediation requires MFA, then a password change for a password
# user: an account with only a password cannot satisfy it.
test_risk_remediation_needs_mfa if {
	status(grant(["riskRemediation"], "OR"), weak) == "fail"
	contains(ca.verdict(grant(["riskRemediation"], "OR"), weak).message, "requires risk remediation")
}

test_risk_remediation_met_by_fido2 if status(grant(["riskRemediation"], "OR"), strong) == "pass"

test_risk_remediation_or_block_needs_mfa if {
	status(grant(["riskRemediation", "block"], "OR"), strong) == "pass"
	status(grant(["riskRemediation", "block"], "OR"), weak) == "fail"
}

test_and_with_password_change_and_mfa if {
	status(grant(["mfa", "passwordChange"], "AND"), strong) == "pass"
	status(grant(["mfa", "passwordChange"], "AND"), weak) == "fail"
}

test_session_only_policy_satisfiable if status(policy(all_users, null), weak) == "pass"

test_empty_grant_satisfiable if status(grant([], "OR"), weak) == "pass"

test_terms_of_use_satisfiable if {
	p := policy(all_users, {"operator": "OR", "builtInControls": [], "termsOfUse": ["44444444-0000-4000-8000-000000000004"]})
	status(p, weak) == "pass"
}

test_custom_factor_is_error if {
	p := policy(all_users, {"operator": "OR", "builtInControls": [], "customAuthenticationFactors": ["duo"]})
	status(p, strong) == "error"
}

test_unknown_builtin_is_error if status(grant(["someFutureControl"], "OR"), strong) == "error"

test_unresolved_control_decides_nothing_when_or_is_met if {
	p := policy(all_users, {"operator": "OR", "builtInControls": ["mfa"], "customAuthenticationFactors": ["duo"]})
	status(p, strong) == "pass"
}

test_unresolved_control_does_not_mask_and_failure if {
	p := policy(all_users, {"operator": "AND", "builtInControls": ["block"], "customAuthenticationFactors": ["duo"]})
	status(p, strong) == "fail"
}

# --- authentication strengths -------------------------------------------------------------

phishing_resistant := {"id": "00000000-0000-0000-0000-000000000004", "displayName": "Phishing-resistant MFA", "allowedCombinations": ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"], "combinationConfigurations": []}

strength_input := {"dataSets": {"authenticationStrengthPolicies": {"status": "ok", "items": [phishing_resistant]}}}

strength_policy(ref) := policy(all_users, {"operator": "OR", "builtInControls": [], "authenticationStrength": ref})

test_strength_by_id_met_by_fido2 if {
	status(strength_policy({"id": phishing_resistant.id}), strong) == "pass" with input as strength_input
}

test_strength_by_id_unmet_with_password if {
	status(strength_policy({"id": phishing_resistant.id}), weak) == "fail" with input as strength_input
}

test_windows_hello_alone_does_not_count if {
	whfb := object.union(weak, {"methods": {"passwordAuthenticationMethod", "windowsHelloForBusinessAuthenticationMethod"}})
	status(strength_policy({"id": phishing_resistant.id}), whfb) == "fail" with input as strength_input
}

test_unresolvable_strength_is_error if {
	status(strength_policy({"id": "55555555-0000-4000-8000-000000000005"}), strong) == "error" with input as strength_input
}

test_inline_strength_used_when_not_collected if {
	inline := {"id": "66666666-0000-4000-8000-000000000006", "allowedCombinations": ["password,softwareOath"]}
	oath := object.union(weak, {"factors": {"password", "softwareOath"}})
	status(strength_policy(inline), oath) == "pass" with input as strength_input
	status(strength_policy(inline), weak) == "fail" with input as strength_input
}

test_strength_fido2_aaguid_restriction if {
	restricted := object.union(phishing_resistant, {"combinationConfigurations": [{
		"@odata.type": "#microsoft.graph.fido2CombinationConfiguration",
		"appliesToCombinations": ["fido2"],
		"allowedAAGUIDs": ["ee882879-721c-4913-9775-3dfcce97072a"],
	}]})
	doc := {"dataSets": {"authenticationStrengthPolicies": {"status": "ok", "items": [restricted]}}}
	status(strength_policy({"id": phishing_resistant.id}), strong) == "fail" with input as doc
	other_key := object.union(strong, {"fido2": {"ee882879-721c-4913-9775-3dfcce97072a"}})
	status(strength_policy({"id": phishing_resistant.id}), other_key) == "pass" with input as doc
}

test_strength_and_device_control_and if {
	p := policy(all_users, {"operator": "AND", "builtInControls": ["compliantDevice"], "authenticationStrength": {"id": phishing_resistant.id}})
	status(p, strong) == "fail" with input as strength_input
}

test_certificate_restricted_by_strength_is_error if {
	cba := object.union(weak, {"certificate": true, "certificate_mfa": true, "phishing_resistant": true})
	restricted := object.union(phishing_resistant, {"combinationConfigurations": [{
		"@odata.type": "#microsoft.graph.x509CertificateCombinationConfiguration",
		"appliesToCombinations": ["x509CertificateMultiFactor"],
		"allowedIssuerSkis": ["9A4248C6AC8C2931AB2A86537818E92E7B6C97B6"],
		"allowedPolicyOIDs": [],
	}]})
	doc := {"dataSets": {"authenticationStrengthPolicies": {"status": "ok", "items": [restricted]}}}
	status(strength_policy({"id": phishing_resistant.id}), cba) == "error" with input as doc

	# a FIDO2 key still meets the strength outright
	status(strength_policy({"id": phishing_resistant.id}), strong) == "pass" with input as doc
}

test_two_fido2_combination_configurations_do_not_conflict if {
	two := object.union(phishing_resistant, {"combinationConfigurations": [
		{"appliesToCombinations": ["fido2"], "allowedAAGUIDs": ["ee882879-721c-4913-9775-3dfcce97072a"]},
		{"appliesToCombinations": ["fido2"], "allowedAAGUIDs": [aaguid]},
	]})
	doc := {"dataSets": {"authenticationStrengthPolicies": {"status": "ok", "items": [two]}}}
	status(strength_policy({"id": phishing_resistant.id}), strong) == "pass" with input as doc
}

# Conditional Access is enforced on the resource: a policy on Windows Azure
# Active Directory or Microsoft Graph blocks Graph PowerShell and the CLI,
# and excluding the client app ids excludes nothing.
test_directory_resources_are_on_the_path if {
	status(with_conditions({"applications": {"includeApplications": ["00000002-0000-0000-c000-000000000000"]}}), strong) == "fail"
	status(with_conditions({"applications": {"includeApplications": ["00000003-0000-0000-c000-000000000000"]}}), strong) == "fail"
	excluded_clients := {"includeApplications": ["All"], "excludeApplications": ["797f4846-ba00-4fd7-ba43-dac1f8f63013", "MicrosoftAdminPortals", "14d82eec-204b-4c2f-b7e8-296a70dab67e", "04b07795-8ddb-461a-bbee-02f9e1bf7b46"]}
	status(with_conditions({"applications": excluded_clients}), strong) == "fail"
}

test_include_application_filter_assumed_on_path if {
	apps := {"includeApplications": [], "applicationFilter": {"mode": "include", "rule": "CustomSecurityAttribute.Tier -eq \"Admin\""}}
	status(with_conditions({"applications": apps}), strong) == "fail"
}

test_authentication_context_policy_on_path if {
	apps := {"includeApplications": [], "includeAuthenticationContextClassReferences": ["c1"]}
	status(with_conditions({"applications": apps}), strong) == "fail"
}

test_custom_role_does_not_exclude if {
	custom := "aaaaaaaa-0000-4000-8000-00000000c001"
	f := object.union(strong, {"roles": {ga, custom}, "builtin_roles": {ga}})
	status(policy({"includeUsers": ["All"], "excludeRoles": [custom]}, block), f) == "fail"
	status(policy({"includeUsers": ["All"], "excludeRoles": [ga]}, block), f) == "pass"
	status(policy({"includeRoles": [custom]}, block), f) == "fail"
}
