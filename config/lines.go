package config

import (
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Lines records where a config file declares the things results are about
// (accounts, their vault secrets, exclusion groups, subscriptions, allowed
// Conditional Access policies and the top-level keys), so that a report can
// point at the line in the repository that a finding concerns. Lines are
// 1-based; every lookup returns 0 for what the file does not declare, and a
// nil *Lines (a config that came from no file) declares nothing. Object ids
// and UPNs match case-insensitively.
type Lines struct {
	first    int
	keys     map[string]int
	accounts []accountLines
	lists    map[string]map[string]int // key → lower-case entry → line
}

type accountLines struct {
	id, upn   string // lower-case
	line      int    // the accounts[i] entry
	vaultHost string // lower-case host of vaultSecret
	vaultLine int
}

// Lines returns where the config file declares things; nil for a config
// that was not parsed from a file (Default, or one recorded in a snapshot).
func (c *Config) Lines() *Lines { return c.lines }

// First is the line of the document's first key (1 for an empty file).
func (l *Lines) First() int {
	if l == nil {
		return 0
	}
	return l.first
}

// Key is the line of a top-level key such as "accounts" or "runbook".
func (l *Lines) Key(name string) int {
	if l == nil {
		return 0
	}
	return l.keys[name]
}

// Account is the line of the accounts entry that declares this object id or
// UPN.
func (l *Lines) Account(idOrUPN string) int {
	if a := l.account(idOrUPN); a != nil {
		return a.line
	}
	return 0
}

// VaultSecret is the line of the vaultSecret of the account declared with
// this object id or UPN.
func (l *Lines) VaultSecret(idOrUPN string) int {
	if a := l.account(idOrUPN); a != nil {
		return a.vaultLine
	}
	return 0
}

// Vault is the line of the first vaultSecret on this Key Vault, given by
// host (kv-name.vault.azure.net) or by vault name (kv-name).
func (l *Lines) Vault(hostOrName string) int {
	if l == nil || hostOrName == "" {
		return 0
	}
	want := strings.ToLower(hostOrName)
	for _, a := range l.accounts {
		name, _, _ := strings.Cut(a.vaultHost, ".")
		if a.vaultHost != "" && (a.vaultHost == want || name == want) {
			return a.vaultLine
		}
	}
	return 0
}

// ExclusionGroup is the line of this group id in exclusionGroups.
func (l *Lines) ExclusionGroup(id string) int { return l.entry("exclusionGroups", id) }

// Subscription is the line of this subscription id in subscriptions.
func (l *Lines) Subscription(id string) int { return l.entry("subscriptions", id) }

// CAAllowedPolicy is the line of this policy id in caAllowedPolicies.
func (l *Lines) CAAllowedPolicy(id string) int { return l.entry("caAllowedPolicies", id) }

func (l *Lines) entry(key, id string) int {
	if l == nil || id == "" {
		return 0
	}
	return l.lists[key][strings.ToLower(id)]
}

func (l *Lines) account(ref string) *accountLines {
	if l == nil || ref == "" {
		return nil
	}
	ref = strings.ToLower(ref)
	for i := range l.accounts {
		if a := &l.accounts[i]; a.id == ref || a.upn == ref {
			return a
		}
	}
	return nil
}

// newLines reads the positions from the parsed document; accounts line up
// with cfg.Accounts (the decoder keeps their order).
func newLines(doc *yaml.Node, cfg *Config) *Lines {
	l := &Lines{first: 1, keys: map[string]int{}, lists: map[string]map[string]int{}}
	if len(doc.Content) > 0 {
		l.first = doc.Content[0].Line
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		key, val := doc.Content[i], doc.Content[i+1]
		l.keys[key.Value] = key.Line
		switch key.Value {
		case "accounts":
			if val.Kind != yaml.SequenceNode || len(val.Content) != len(cfg.Accounts) {
				continue
			}
			for j, item := range val.Content {
				a := cfg.Accounts[j]
				al := accountLines{id: strings.ToLower(a.ID), upn: strings.ToLower(a.UserPrincipalName), line: item.Line}
				if a.VaultSecret != "" {
					if u, err := url.Parse(a.VaultSecret); err == nil {
						al.vaultHost = strings.ToLower(u.Host)
					}
					al.vaultLine = item.Line
					for k := 0; k+1 < len(item.Content); k += 2 {
						if item.Content[k].Value == "vaultSecret" {
							al.vaultLine = item.Content[k].Line
						}
					}
				}
				l.accounts = append(l.accounts, al)
			}
		case "exclusionGroups", "subscriptions", "caAllowedPolicies":
			if val.Kind != yaml.SequenceNode {
				continue
			}
			m := map[string]int{}
			for _, item := range val.Content {
				if id := strings.ToLower(item.Value); m[id] == 0 {
					m[id] = item.Line
				}
			}
			l.lists[key.Value] = m
		}
	}
	return l
}
