// Package config reads breakglass.yaml: the declaration of a tenant's
// break-glass accounts and the thresholds the rules apply. Every problem is
// reported with the file and line of the offending key.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	// The zone database is embedded so that timeZone validates (and the
	// embedded OPA's time.date resolves it) the same way on hosts without
	// /usr/share/zoneinfo, such as distroless images and Windows runners.
	_ "time/tzdata"

	"go.yaml.in/yaml/v3"

	"github.com/breakglass-dev/breakglass/internal/fileerr"
)

// GlobalAdministrator is the role template id of Global Administrator, the
// default (and Microsoft-recommended) only role of a break-glass account.
const GlobalAdministrator = "62e90394-69f5-4237-9190-012177145e10"

// Config is a validated breakglass.yaml with defaults applied. Its JSON form
// is `input.config` for the Rego rules.
type Config struct {
	lines *Lines // where the file declares things; nil without a file

	TenantID           string    `yaml:"tenantId" json:"tenantId"`
	Accounts           []Account `yaml:"accounts" json:"accounts"`
	ExclusionGroups    []string  `yaml:"exclusionGroups" json:"exclusionGroups"`
	Subscriptions      []string  `yaml:"subscriptions" json:"subscriptions"`
	AllowedRoles       []string  `yaml:"allowedRoles" json:"allowedRoles"`
	CAAllowedPolicies  []string  `yaml:"caAllowedPolicies" json:"caAllowedPolicies"`
	MinAccounts        *int      `yaml:"minAccounts" json:"minAccounts"`
	MaxAccounts        *int      `yaml:"maxAccounts" json:"maxAccounts"`
	PasswordMaxAgeDays *int      `yaml:"passwordMaxAgeDays" json:"passwordMaxAgeDays"`
	DrillMaxAgeDays    *int      `yaml:"drillMaxAgeDays" json:"drillMaxAgeDays"`
	SignInLookbackDays *int      `yaml:"signInLookbackDays" json:"signInLookbackDays"`
	Drills             []Drill   `yaml:"drills" json:"drills"`
	// TimeZone is the IANA zone drill dates are written in; empty means UTC.
	// The rules compare drill dates with the local date of sign-ins.
	TimeZone string   `yaml:"timeZone" json:"timeZone,omitempty"`
	Runbook  *Runbook `yaml:"runbook" json:"runbook"`
	// Waivers (accepted risks, config/waivers.go) are applied to results
	// after evaluation; the rules never see them.
	Waivers           []Waiver `yaml:"waivers" json:"-"`
	WaiverWarningDays *int     `yaml:"waiverWarningDays" json:"-"`
}

// Account is one declared break-glass account: by UPN, by object id, or both.
type Account struct {
	UserPrincipalName string `yaml:"userPrincipalName" json:"userPrincipalName,omitempty"`
	ID                string `yaml:"id" json:"id,omitempty"`
	VaultSecret       string `yaml:"vaultSecret" json:"vaultSecret,omitempty"`
}

// Ref is how the account is named in messages: its UPN, else its id.
func (a Account) Ref() string {
	if a.UserPrincipalName != "" {
		return a.UserPrincipalName
	}
	return a.ID
}

// Drill is a recorded drill or real incident in which an account signed in.
type Drill struct {
	Account   string `yaml:"account" json:"account"`
	Date      string `yaml:"date" json:"date"` // YYYY-MM-DD
	Kind      string `yaml:"kind" json:"kind"` // drill | incident
	Reference string `yaml:"reference" json:"reference,omitempty"`
}

// Runbook points at the documented emergency-access procedure.
type Runbook struct {
	URI      string `yaml:"uri" json:"uri"`
	Owner    string `yaml:"owner" json:"owner"`
	Reviewed string `yaml:"reviewed" json:"reviewed"` // YYYY-MM-DD
}

// Defaults, applied when a key is absent.
const (
	DefaultMinAccounts        = 2
	DefaultMaxAccounts        = 4
	DefaultPasswordMaxAgeDays = 90
	DefaultDrillMaxAgeDays    = 90
	DefaultSignInLookbackDays = 30
)

// Discovery reports whether no accounts are declared, in which case the tool
// discovers candidates (BG-INV-004) instead of judging declared accounts.
func (c *Config) Discovery() bool { return len(c.Accounts) == 0 }

// Error is a config problem at a file position: exit code 2. It is the
// same type as mappings.Error (fileerr.Error).
type Error = fileerr.Error

// Load reads and validates a config file.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Path: path, Msg: fmt.Sprintf("cannot read config: %v", errors.Unwrap(err))}
	}
	return Parse(path, data)
}

// Parse validates config bytes; path is used in messages only.
func Parse(path string, data []byte) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(path, err)
	}
	if len(root.Content) == 0 {
		return nil, &Error{Path: path, Line: 1, Msg: "the config is empty; see the README for a breakglass.yaml example"}
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return nil, &Error{Path: path, Line: doc.Line, Msg: "the config must be a mapping of keys (tenantId, accounts, ...)"}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var cfg Config
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		if te := typeError(path, doc, err); te != nil {
			return nil, te
		}
		return nil, yamlError(path, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &Error{Path: path, Line: extra.Line, Msg: "a second YAML document (after ---) is not read: put everything in one document"}
	}
	v := validator{path: path, root: doc}
	v.check(&cfg)
	if v.err != nil {
		return nil, v.err
	}
	cfg.applyDefaults()
	cfg.lines = newLines(doc, &cfg)
	return &cfg, nil
}

// Default returns the configuration used when no file is given: discovery
// mode with default thresholds.
func Default() *Config {
	cfg := &Config{}
	cfg.applyDefaults()
	return cfg
}

func (c *Config) applyDefaults() {
	setDefault := func(p **int, v int) {
		if *p == nil {
			*p = &v
		}
	}
	setDefault(&c.MinAccounts, DefaultMinAccounts)
	setDefault(&c.MaxAccounts, DefaultMaxAccounts)
	setDefault(&c.PasswordMaxAgeDays, DefaultPasswordMaxAgeDays)
	setDefault(&c.DrillMaxAgeDays, DefaultDrillMaxAgeDays)
	setDefault(&c.SignInLookbackDays, DefaultSignInLookbackDays)
	if len(c.AllowedRoles) == 0 {
		c.AllowedRoles = []string{GlobalAdministrator}
	}
	for i, r := range c.AllowedRoles {
		c.AllowedRoles[i] = strings.ToLower(r)
	}
	for _, list := range [][]string{c.ExclusionGroups, c.Subscriptions, c.CAAllowedPolicies} {
		for i := range list {
			list[i] = strings.ToLower(list[i])
		}
	}
	nonNil := func(p *[]string) {
		if *p == nil {
			*p = []string{}
		}
	}
	nonNil(&c.ExclusionGroups)
	nonNil(&c.Subscriptions)
	nonNil(&c.CAAllowedPolicies)
	if c.Accounts == nil {
		c.Accounts = []Account{}
	}
	if c.Drills == nil {
		c.Drills = []Drill{}
	}
	sort.SliceStable(c.Drills, func(i, j int) bool { return c.Drills[i].Date < c.Drills[j].Date })
}

var yamlLine = regexp.MustCompile(`line (\d+): `)
var unknownField = regexp.MustCompile(`line (\d+): field (\S+) not found in type \S+`)

// yamlError turns yaml.v3's messages into file:line messages with advice.
func yamlError(path string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	if m := unknownField.FindStringSubmatch(msg); m != nil {
		var line int
		fmt.Sscan(m[1], &line)
		return &Error{Path: path, Line: line, Msg: fmt.Sprintf("unknown key %q (check the spelling; the keys are listed in the README's config reference)", m[2])}
	}
	if m := yamlLine.FindStringSubmatchIndex(msg); m != nil {
		var line int
		fmt.Sscan(msg[m[2]:m[3]], &line)
		return &Error{Path: path, Line: line, Msg: strings.TrimSpace(msg[m[1]:])}
	}
	return &Error{Path: path, Msg: msg}
}

var cannotUnmarshal = regexp.MustCompile(`line (\d+): cannot unmarshal !!(\w+)(?: ` + "`" + `[^\n]*` + "`" + `)? into (\S+)`)

// typeError turns yaml.v3's "cannot unmarshal !!str `two` into int" into
// "minAccounts: expected a whole number, got \"two\"": the key path, the
// expected type in words and the value as written. nil when err is not a
// type mismatch or the node cannot be found.
func typeError(path string, doc *yaml.Node, err error) error {
	msg := err.Error()
	m := cannotUnmarshal.FindStringSubmatch(msg)
	if m == nil || strings.Index(msg, m[0]) != yamlLine.FindStringIndex(msg)[0] {
		return nil // another error (say an unknown key) comes first
	}
	var line int
	fmt.Sscan(m[1], &line)
	key, n := findValue(doc, "", line, "!!"+m[2])
	if n == nil {
		return nil
	}
	var got string
	switch n.Kind {
	case yaml.MappingNode:
		got = "a mapping"
	case yaml.SequenceNode:
		got = "a list"
	default:
		if n.ShortTag() == "!!str" {
			got = fmt.Sprintf("%q", n.Value)
		} else {
			got = n.Value
		}
	}
	return &Error{Path: path, Line: line, Msg: fmt.Sprintf("%s: expected %s, got %s", key, expectedType(m[3]), got)}
}

// expectedType describes a Go type of the Config struct in the user's terms.
func expectedType(goType string) string {
	t := strings.TrimPrefix(goType, "*")
	switch {
	case t == "int":
		return "a whole number"
	case t == "string":
		return "a string"
	case t == "bool":
		return "true or false"
	case t == "[]string":
		return "a list of strings"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "config."):
		return "a mapping of keys"
	}
	return t
}

// findValue returns the first value node (in document order) on line with
// tag, and its key path (minAccounts, accounts[0].id).
func findValue(n *yaml.Node, at string, line int, tag string) (string, *yaml.Node) {
	if at != "" && n.Line == line && n.ShortTag() == tag {
		return at, n
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			if at != "" {
				key = at + "." + key
			}
			if p, v := findValue(n.Content[i+1], key, line, tag); v != nil {
				return p, v
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if p, v := findValue(c, fmt.Sprintf("%s[%d]", at, i), line, tag); v != nil {
				return p, v
			}
		}
	}
	return "", nil
}

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsGUID reports whether s is a Microsoft object id.
func IsGUID(s string) bool { return guidRE.MatchString(s) }

// validator checks semantic rules and remembers the first error with a line.
type validator struct {
	path string
	root *yaml.Node
	err  error
}

func (v *validator) fail(line int, format string, args ...any) {
	if v.err == nil {
		v.err = &Error{Path: v.path, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
}

// node finds the value node at a path of mapping keys and sequence indexes.
func (v *validator) node(path ...any) *yaml.Node {
	n := v.root
	for _, p := range path {
		switch k := p.(type) {
		case string:
			if n == nil || n.Kind != yaml.MappingNode {
				return nil
			}
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					next = n.Content[i+1]
				}
			}
			n = next
		case int:
			if n == nil || n.Kind != yaml.SequenceNode || k >= len(n.Content) {
				return nil
			}
			n = n.Content[k]
		}
	}
	return n
}

func (v *validator) line(path ...any) int {
	if n := v.node(path...); n != nil {
		return n.Line
	}
	return 1
}

func (v *validator) check(c *Config) {
	if c.TenantID != "" && !IsGUID(c.TenantID) {
		v.fail(v.line("tenantId"), "tenantId %q is not a GUID (find it in Entra admin center > Overview > Tenant ID)", c.TenantID)
	}
	v.checkAccounts(c.Accounts)
	v.checkGUIDs("exclusionGroups", c.ExclusionGroups, "group object id")
	v.checkGUIDs("subscriptions", c.Subscriptions, "subscription id")
	v.checkGUIDs("allowedRoles", c.AllowedRoles, "role template id")
	v.checkGUIDs("caAllowedPolicies", c.CAAllowedPolicies, "Conditional Access policy id")
	for _, k := range []struct {
		key string
		val *int
		min int
	}{{"minAccounts", c.MinAccounts, 1}, {"maxAccounts", c.MaxAccounts, 1},
		{"passwordMaxAgeDays", c.PasswordMaxAgeDays, 1}, {"drillMaxAgeDays", c.DrillMaxAgeDays, 1},
		{"signInLookbackDays", c.SignInLookbackDays, 1}} {
		if n := v.node(k.key); n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!float" {
			// yaml.v3 truncates 2.5 to 2 when decoding into an int.
			v.fail(n.Line, "%s: expected a whole number, got %s", k.key, n.Value)
		}
		if k.val != nil && *k.val < k.min {
			v.fail(v.line(k.key), "%s must be at least %d, got %d", k.key, k.min, *k.val)
		}
	}
	if c.SignInLookbackDays != nil && *c.SignInLookbackDays > 30 {
		v.fail(v.line("signInLookbackDays"), "signInLookbackDays %d exceeds the 30 days for which Entra ID keeps sign-in logs", *c.SignInLookbackDays)
	}
	minA, maxA := orDefault(c.MinAccounts, DefaultMinAccounts), orDefault(c.MaxAccounts, DefaultMaxAccounts)
	if minA > maxA {
		v.fail(v.line("minAccounts"), "minAccounts (%d) is greater than maxAccounts (%d): no tenant could pass", minA, maxA)
	}
	v.checkTimeZone(c.TimeZone)
	v.checkDrills(c)
	v.checkRunbook(c.Runbook)
	v.checkWaivers(c)
}

// checkTimeZone accepts an IANA zone name (Europe/Amsterdam, UTC). "Local"
// is rejected: it would make results depend on the machine that scans.
func (v *validator) checkTimeZone(tz string) {
	if v.node("timeZone") == nil {
		return
	}
	if tz == "" || tz == "Local" {
		v.fail(v.line("timeZone"), "timeZone %q must be an IANA time zone name such as Europe/Amsterdam or America/New_York (omit it for UTC)", tz)
		return
	}
	if _, err := time.LoadLocation(tz); err != nil {
		v.fail(v.line("timeZone"), "timeZone %q is not a known IANA time zone name (such as Europe/Amsterdam or America/New_York; see the tz database list)", tz)
	}
}

func orDefault(p *int, d int) int {
	if p == nil {
		return d
	}
	return *p
}

func (v *validator) checkAccounts(accounts []Account) {
	seen := map[string]int{}
	for i, a := range accounts {
		if a.UserPrincipalName == "" && a.ID == "" {
			v.fail(v.line("accounts", i), "accounts[%d] needs userPrincipalName or id", i)
		}
		if a.ID != "" && !IsGUID(a.ID) {
			v.fail(v.line("accounts", i, "id"), "accounts[%d].id %q is not a GUID (use the user's object id)", i, a.ID)
		}
		if a.UserPrincipalName != "" && !strings.Contains(a.UserPrincipalName, "@") {
			v.fail(v.line("accounts", i, "userPrincipalName"), "accounts[%d].userPrincipalName %q is not a UPN (name@domain)", i, a.UserPrincipalName)
		}
		if a.VaultSecret != "" {
			v.checkVaultSecret(i, a.VaultSecret)
		}
		for _, key := range []string{strings.ToLower(a.UserPrincipalName), strings.ToLower(a.ID)} {
			if key == "" {
				continue
			}
			if prev, dup := seen[key]; dup {
				v.fail(v.line("accounts", i), "accounts[%d] repeats accounts[%d] (%s)", i, prev, key)
			}
			seen[key] = i
		}
	}
}

func (v *validator) checkVaultSecret(i int, raw string) {
	u, err := url.Parse(raw)
	parts := []string{}
	if err == nil {
		parts = strings.Split(strings.Trim(u.Path, "/"), "/")
	}
	if err != nil || u.Scheme != "https" || u.Host == "" || len(parts) < 2 || parts[0] != "secrets" || parts[1] == "" {
		v.fail(v.line("accounts", i, "vaultSecret"), "accounts[%d].vaultSecret %q must be a Key Vault secret URI like https://kv-name.vault.azure.net/secrets/name", i, raw)
	}
}

func (v *validator) checkGUIDs(key string, ids []string, what string) {
	seen := map[string]bool{}
	for i, id := range ids {
		if !IsGUID(id) {
			v.fail(v.line(key, i), "%s[%d] %q is not a GUID (%s)", key, i, id, what)
		}
		if seen[strings.ToLower(id)] {
			v.fail(v.line(key, i), "%s[%d] %q is listed twice", key, i, id)
		}
		seen[strings.ToLower(id)] = true
	}
}

const dateLayout = "2006-01-02"

func (v *validator) checkDrills(c *Config) {
	known := map[string]bool{}
	for _, a := range c.Accounts {
		known[strings.ToLower(a.UserPrincipalName)] = true
		known[strings.ToLower(a.ID)] = true
	}
	for i, d := range c.Drills {
		if _, err := time.Parse(dateLayout, d.Date); err != nil {
			v.fail(v.line("drills", i, "date"), "drills[%d].date %q is not a date (YYYY-MM-DD)", i, d.Date)
		}
		if d.Kind != "drill" && d.Kind != "incident" {
			v.fail(v.line("drills", i, "kind"), "drills[%d].kind %q must be drill or incident", i, d.Kind)
		}
		if d.Account == "" {
			v.fail(v.line("drills", i), "drills[%d] needs the account (UPN or object id) that signed in", i)
		} else if len(c.Accounts) > 0 && !known[strings.ToLower(d.Account)] {
			v.fail(v.line("drills", i, "account"), "drills[%d].account %q is not one of the declared accounts", i, d.Account)
		}
	}
}

func (v *validator) checkRunbook(r *Runbook) {
	if r == nil {
		return
	}
	if r.URI == "" {
		v.fail(v.line("runbook"), "runbook.uri is required: where the emergency-access procedure is documented")
	} else if u, err := url.Parse(r.URI); err != nil || u.Scheme == "" || u.Host == "" {
		v.fail(v.line("runbook", "uri"), "runbook.uri %q is not an absolute URL", r.URI)
	}
	if r.Reviewed != "" {
		if _, err := time.Parse(dateLayout, r.Reviewed); err != nil {
			v.fail(v.line("runbook", "reviewed"), "runbook.reviewed %q is not a date (YYYY-MM-DD)", r.Reviewed)
		}
	}
}
