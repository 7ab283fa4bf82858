// Package policies embeds the built-in Rego rules and helper library. The
// files stay plain .rego so stock `opa test policies/` and `opa eval` work.
package policies

import "embed"

// FS holds lib/*.rego and rules/*.rego, tests included; the engine skips
// *_test.rego when scanning, and `go test` runs them.
//
//go:embed lib/*.rego rules/*.rego
var FS embed.FS
