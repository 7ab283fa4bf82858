package breakglass.rules.bg_proc_001_test

import data.breakglass.rules.bg_proc_001
import data.breakglass.test.fixtures as fx
import rego.v1

scan(d) := rs if {
	rs := bg_proc_001.results with input as d with data.breakglass.lib.now_ns as fx.now
}

runbook(rb) := object.union(object.remove(fx.doc, ["config"]), {"config": object.union(object.remove(fx.config, ["runbook"]), {"runbook": rb})})

test_reviewed_runbook_passes if {
	rs := scan(fx.doc)
	r := fx.only(rs, fx.tenant)
	r.status == "pass"
	contains(r.message, "80 days ago")
}

test_missing_runbook_manual if {
	rs := scan(runbook(null))
	r := fx.only(rs, fx.tenant)
	r.status == "manual"
	contains(r.message, "no runbook is declared")
}

test_runbook_key_absent_manual if {
	rs := scan(object.union(object.remove(fx.doc, ["config"]), {"config": object.remove(fx.config, ["runbook"])}))
	fx.statuses(rs, fx.tenant) == {"manual"}
}

test_missing_owner_manual if {
	rs := scan(runbook({"uri": "https://wiki/bg", "owner": "", "reviewed": "2026-09-01"}))
	r := fx.only(rs, fx.tenant)
	r.status == "manual"
	contains(r.message, "no owner")
}

test_old_review_manual if {
	rs := scan(runbook({"uri": "https://wiki/bg", "owner": "secops@contoso.com", "reviewed": "2025-11-19"}))
	r := fx.only(rs, fx.tenant)
	r.status == "manual"
	contains(r.message, "366 days ago")
}

test_review_365_days_ago_passes if {
	rs := scan(runbook({"uri": "https://wiki/bg", "owner": "secops@contoso.com", "reviewed": "2025-11-20"}))
	fx.statuses(rs, fx.tenant) == {"pass"}
}

test_review_date_in_the_future_is_manual if {
	rs := scan(runbook(object.union(fx.config.runbook, {"reviewed": "2029-09-01"})))
	r := fx.only(rs, fx.tenant)
	r.status == "manual"
	contains(r.message, "in the future")
}
