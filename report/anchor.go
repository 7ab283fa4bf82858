package report

import (
	"net/url"
	"strings"

	"github.com/breakglass-dev/breakglass/config"
	"github.com/breakglass-dev/breakglass/policies/engine"
)

// Source names the repository files SARIF results point at. GitHub code
// scanning shows an alert only on a file that is in the repository: the
// breakglass.yaml that declares the accounts is; the snapshot usually is
// not (it is a workflow artifact). Paths are relative to the repository
// root, "/"-separated, and written against the %SRCROOT% base id.
type Source struct {
	// Config is the breakglass.yaml the scan read ("" when it read none);
	// ConfigLines says where it declares things.
	Config      string
	ConfigLines *config.Lines
	// Snapshot is the snapshot, for a scan without a config file.
	Snapshot string
}

// SourceRoot is the SARIF uriBaseId of Source paths: the repository root.
const SourceRoot = "%SRCROOT%"

// anchor is where one SARIF result points.
type anchor struct {
	uri, baseID string
	line        int
}

// anchorOf picks the file and line for a result: with a config file, the
// line of the declaration the finding is about (configLine); else the
// snapshot line of the resource's object. A report without a Source points
// at Snapshot.Path as given.
func (r *Report) anchorOf(res engine.Result) anchor {
	if s := r.Source; s != nil && s.Config != "" {
		return anchor{uri: s.Config, baseID: SourceRoot, line: configLine(s.ConfigLines, res)}
	}
	a := anchor{uri: r.Snapshot.Path, line: resourceLine(r.IDLines, res.Resource)}
	if s := r.Source; s != nil && s.Snapshot != "" {
		a.uri, a.baseID = s.Snapshot, SourceRoot
	}
	return a
}

// ruleKey anchors findings of these rules to the declaration they judge
// rather than to the account or the tenant.
var ruleKey = map[string]func(l *config.Lines, res engine.Result) int{
	// The vault secret of the account is what is stale or missing.
	"BG-CRED-003": func(l *config.Lines, res engine.Result) int {
		return firstLine(l.VaultSecret(res.Resource.ID), l.VaultSecret(res.Resource.Name))
	},
	// The runbook declaration is what is missing or overdue.
	"BG-PROC-001": func(l *config.Lines, _ engine.Result) int { return l.Key("runbook") },
}

// configLine is the config line a finding is about: a rule's own key
// (ruleKey), else the declaration of its subject (the account of a
// policy/account pair, a stale id that is a declared group), else of its
// resource (account, exclusion group, allowed CA policy, subscription, the
// vault of a vaultSecret); tenant-level and undeclared objects point at
// the `accounts:` key, else the first key, else line 1.
func configLine(l *config.Lines, res engine.Result) int {
	if f, ok := ruleKey[res.RuleID]; ok {
		if n := f(l, res); n > 0 {
			return n
		}
	}
	if res.Subject != nil {
		if n := declaredLine(l, *res.Subject); n > 0 {
			return n
		}
	}
	return firstLine(declaredLine(l, res.Resource), l.Key("accounts"), l.First(), 1)
}

// declaredLine is the line that declares an object, 0 if none does.
func declaredLine(l *config.Lines, ref engine.Ref) int {
	switch ref.Type {
	case "user":
		return firstLine(l.Account(ref.ID), l.Account(ref.Name))
	case "group":
		return l.ExclusionGroup(ref.ID)
	case "conditionalAccessPolicy":
		return l.CAAllowedPolicy(ref.ID)
	case "subscription":
		return l.Subscription(lastSegment(ref.ID))
	case "keyVault":
		// The resource id is the vault's ARM id (…/vaults/NAME) or, for a
		// vault ARM did not list, its URI (https://HOST/).
		if u, err := url.Parse(ref.ID); err == nil && u.Scheme == "https" {
			return l.Vault(u.Host)
		}
		return l.Vault(lastSegment(ref.ID))
	case "directoryObject":
		return firstLine(l.Account(ref.ID), l.ExclusionGroup(ref.ID))
	}
	return 0
}

func lastSegment(id string) string { return id[strings.LastIndexByte(id, '/')+1:] }

func firstLine(lines ...int) int {
	for _, n := range lines {
		if n > 0 {
			return n
		}
	}
	return 0
}
