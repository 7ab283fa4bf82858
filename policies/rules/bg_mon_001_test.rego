package breakglass.rules.bg_mon_001_test

import data.breakglass.rules.bg_mon_001
import data.breakglass.test.fixtures as fx
import rego.v1

setting(props) := {"id": "/providers/microsoft.aadiam/diagnosticSettings/s", "name": "s", "properties": props}

test_signin_logs_to_workspace_pass if {
	rs := bg_mon_001.results with input as fx.doc
	r := fx.only(rs, fx.tenant)
	r.status == "pass"
	contains(r.message, "law-sec")
}

test_no_settings_fails if {
	rs := bg_mon_001.results with input as fx.with_items(fx.doc, "diagnosticSettings", [])
	r := fx.only(rs, fx.tenant)
	r.status == "fail"
	contains(r.message, "no Entra ID diagnostic settings exist")
}

test_storage_only_fails if {
	s := setting({"storageAccountId": "/subscriptions/x/storageAccounts/st", "logs": [{"category": "SignInLogs", "enabled": true}]})
	rs := bg_mon_001.results with input as fx.with_items(fx.doc, "diagnosticSettings", [s])
	r := fx.only(rs, fx.tenant)
	r.status == "fail"
	contains(r.message, "storage account")
}

test_category_disabled_fails if {
	s := setting({"workspaceId": fx.law, "logs": [{"category": "SignInLogs", "enabled": false}, {"category": "AuditLogs", "enabled": true}]})
	rs := bg_mon_001.results with input as fx.with_items(fx.doc, "diagnosticSettings", [s])
	fx.statuses(rs, fx.tenant) == {"fail"}
}

test_all_logs_group_passes if {
	s := setting({"workspaceId": fx.law, "logs": [{"categoryGroup": "allLogs", "enabled": true}]})
	rs := bg_mon_001.results with input as fx.with_items(fx.doc, "diagnosticSettings", [s])
	fx.statuses(rs, fx.tenant) == {"pass"}
}

# Two diagnostic settings with one name (Graph ids differ) used to abort
# with "object keys must be unique" in monitoring.exporting.
test_two_settings_with_one_name if {
	a := object.union(setting({"workspaceId": fx.law, "logs": [{"category": "SignInLogs", "enabled": true}]}), {"id": "/providers/microsoft.aadiam/diagnosticSettings/s-1"})
	b := object.union(setting({"storageAccountId": "/subscriptions/x/storageAccounts/st", "logs": [{"category": "SignInLogs", "enabled": true}]}), {"id": "/providers/microsoft.aadiam/diagnosticSettings/s-2"})
	rs := bg_mon_001.results with input as fx.with_items(fx.doc, "diagnosticSettings", [a, b])
	r := fx.only(rs, fx.tenant)
	r.status == "pass"
	contains(r.message, "s -> Log Analytics workspace")
}
