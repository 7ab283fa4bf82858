package breakglass.lib.monitoring_test

import data.breakglass.lib.monitoring
import rego.v1

test_parse_literals_outside_comments if {
	p := monitoring.parse("SigninLogs // 'in comment' \"x\"\n| where A in~ (\"One\", 'two', \"a\\\"b\") and B == \"http://u\"")
	p.literals == {"one", "two", "a\\\"b", "http://u"}
	p.reads_signinlogs
	not p.negated
}

test_parse_negation if {
	every q in ["T | where a !in (\"x\")", "T | where a !=\"x\"", "T | where not (a == 1)", "T | where a !has_cs \"x\""] {
		monitoring.parse(q).negated
	}
}

test_parse_no_negation_in_literal_comment_or_names if {
	every q in ["T | where a == \"!=\" // not(x) !in", "T | where isnotempty(a) and isnotnull(b)", "T | where note(a) == 1"] {
		not monitoring.parse(q).negated
	}
}

test_parse_signinlogs_table_only if {
	not monitoring.parse("// SigninLogs\nAuditLogs").reads_signinlogs
	not monitoring.parse("AuditLogs | where x == \"SigninLogs\"").reads_signinlogs
	not monitoring.parse("AADNonInteractiveUserSignInLogs").reads_signinlogs
	monitoring.parse("union SigninLogs, AuditLogs").reads_signinlogs
}
