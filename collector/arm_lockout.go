package collector

// Data sets for the issue-13 rules read from Azure Resource Manager. The
// run calls collectLockoutAzure once the other ARM data sets are done.

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/breakglass-dev/breakglass/collector/snapshot"
)

// apiAlertsManagement is the Alerts Management API version whose
// "Alerts - Get All" takes the alertRule and timeRange filters.
const apiAlertsManagement = "2019-05-05-preview"

// alertHistoryRange is how far back alerts are read: Azure Monitor keeps
// alerts for 30 days.
const alertHistoryRange = "30d"

var readsSignInLogs = regexp.MustCompile(`(?i)\bsigninlogs\b`)

func init() {
	permissions[snapshot.MonitorAlerts] = "the Azure role Monitoring Reader (or Reader) on the subscriptions that hold the sign-in alert rules (Microsoft.AlertsManagement/alerts/read)"
}

// collectLockoutAzure reads the issue-13 ARM data sets.
func (r *run) collectLockoutAzure(ctx context.Context) {
	r.collectMonitorAlerts(ctx)
}

// collectMonitorAlerts reads the last 30 days of alerts raised by the log
// alert rules that read SigninLogs (BG-MON-005): per rule, GET
// /subscriptions/{sub}/providers/Microsoft.AlertsManagement/alerts
// ?alertRule={rule id}&timeRange=30d, following nextLink. Only rules that
// could alert on a break-glass sign-in are asked about, so the number of
// requests follows the number of such rules, not of alerts in the tenant.
func (r *run) collectMonitorAlerts(ctx context.Context) {
	d := r.ds(snapshot.MonitorAlerts)
	defer r.finish(d)
	rules := r.sets[snapshot.ScheduledQueryRules]
	rules.mu.Lock()
	st, done, items := rules.status, rules.done, append([]any(nil), rules.items...)
	rules.mu.Unlock()
	switch {
	case st == snapshot.StatusSkipped:
		d.failWith(snapshot.StatusSkipped, "no subscriptions to read alerts from (scheduledQueryRules was skipped)")
		return
	case !done || (st != "" && st != snapshot.StatusOK):
		d.failWith(snapshot.StatusError, "not collected: scheduledQueryRules could not be read, so which alerts matter is unknown")
		return
	}
	c := r.ctx(ctx, d)
	type ask struct{ rule, sub string }
	var asks []ask
	for _, it := range items {
		rule, _ := it.(map[string]any)
		id := str(rule, "id")
		sub, ok := subscriptionOf(id)
		if !ok || !ruleReadsSignInLogs(rule) {
			continue
		}
		asks = append(asks, ask{rule: id, sub: sub})
	}
	// The rules are asked about concurrently (the transport bounds the
	// requests in flight); the answers are kept in rule order and the
	// first failure in that order is the one reported.
	type answer struct {
		alerts []map[string]any
		err    error
	}
	answers := make([]answer, len(asks))
	keys := make([]string, len(asks))
	for i := range asks {
		keys[i] = strconv.Itoa(i)
	}
	forEach(keys, r.o.Concurrency, func(k string) {
		i, _ := strconv.Atoi(k)
		q := apiVersion(apiAlertsManagement)
		q.Set("alertRule", asks[i].rule)
		q.Set("timeRange", alertHistoryRange)
		answers[i].alerts, answers[i].err = r.arm.list(c, "/subscriptions/"+url.PathEscape(asks[i].sub)+"/providers/Microsoft.AlertsManagement/alerts", q)
	})
	for i, a := range answers {
		if a.err != nil {
			d.fail(fmt.Errorf("alerts of %s: %w", asks[i].rule, a.err))
			return
		}
		for _, al := range a.alerts {
			d.add(al)
		}
	}
}

// subscriptionOf returns the subscription id of an ARM resource id.
func subscriptionOf(id string) (string, bool) {
	parts := strings.Split(strings.Trim(id, "/"), "/")
	if len(parts) < 2 || !strings.EqualFold(parts[0], "subscriptions") || parts[1] == "" {
		return "", false
	}
	return parts[1], true
}

func ruleReadsSignInLogs(rule map[string]any) bool {
	props, _ := rule["properties"].(map[string]any)
	crit, _ := props["criteria"].(map[string]any)
	all, _ := crit["allOf"].([]any)
	for _, c := range all {
		m, _ := c.(map[string]any)
		if q, _ := m["query"].(string); readsSignInLogs.MatchString(q) {
			return true
		}
	}
	return false
}
