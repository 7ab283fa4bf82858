package breakglass.rules.bg_mon_003_test

import data.breakglass.rules.bg_mon_003
import data.breakglass.test.fixtures as fx
import rego.v1

setting(props) := {"id": "/providers/microsoft.aadiam/diagnosticSettings/s", "name": "s", "properties": props}

test_audit_logs_exported_pass if {
	rs := bg_mon_003.results with input as fx.doc
	fx.statuses(rs, fx.tenant) == {"pass"}
}

test_audit_logs_to_event_hub_pass if {
	s := setting({"eventHubAuthorizationRuleId": "/subscriptions/x/eh/rule", "logs": [{"category": "AuditLogs", "enabled": true}]})
	rs := bg_mon_003.results with input as fx.with_items(fx.doc, "diagnosticSettings", [s])
	r := fx.only(rs, fx.tenant)
	r.status == "pass"
	contains(r.message, "event hub")
}

test_signins_only_fails if {
	s := setting({"workspaceId": fx.law, "logs": [{"category": "SignInLogs", "enabled": true}]})
	rs := bg_mon_003.results with input as fx.with_items(fx.doc, "diagnosticSettings", [s])
	r := fx.only(rs, fx.tenant)
	r.status == "fail"
	contains(r.message, "s exports [SignInLogs]")
}

test_no_destination_fails if {
	s := setting({"logs": [{"category": "AuditLogs", "enabled": true}]})
	rs := bg_mon_003.results with input as fx.with_items(fx.doc, "diagnosticSettings", [s])
	fx.statuses(rs, fx.tenant) == {"fail"}
}

test_two_settings_with_one_name_pass if {
	s := {"name": "dup", "properties": {"storageAccountId": "/subscriptions/x/storageAccounts/st", "logs": [{"category": "AuditLogs", "enabled": true}]}}
	rs := bg_mon_003.results with input as fx.with_items(fx.doc, "diagnosticSettings", [object.union(s, {"id": "a"}), object.union(s, {"id": "b", "properties": {"workspaceId": fx.law}})])
	r := fx.only(rs, fx.tenant)
	r.status == "pass"
	contains(r.message, "dup -> Log Analytics workspace")
	contains(r.message, "dup -> storage account")
}
