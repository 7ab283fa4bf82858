# METADATA
# title: Break-glass certificate is issued by a certificate authority the tenant trusts
# description: |
#   An account that relies on certificate-based authentication signs in only
#   if its certificate chains to a certificate authority uploaded to the
#   tenant's certificate-based authentication configuration: a CA removed
#   or replaced (PKI migration, expired root) silently locks the account
#   out while `certificateUserIds` still looks fine. For each declared
#   account with `certificateUserIds`, this rule compares the issuer named
#   by its issuer-bound mappings (`X509:<I>issuer<SR>serial`,
#   `X509:<I>issuer<S>subject`) with the trusted authorities' `issuer`
#   (distinguished names compared as sets of attributes, case-insensitively,
#   so RDN order does not matter). Mappings that do not name the issuer
#   (`<PN>`, `<RFC822>`, `<SKI>`, `<SHA1-PUKEY>`, `<S>`) cannot prove the
#   chain: `manual`. No trusted authority at all is a failure. The
#   certificate itself is not in the snapshot, so a pass means the issuer
#   is trusted, not that the certificate is valid or unrevoked. Follows
#   https://learn.microsoft.com/graph/api/certificatebasedauthconfiguration-list
#   (GET /organization/{id}/certificateBasedAuthConfiguration,
#   certificateAuthorities[].issuer) and
#   https://learn.microsoft.com/entra/identity/authentication/concept-certificate-based-authentication-certificateuserids
#   (mapping formats). Not verified against a live tenant: the issuer DN
#   formatting in both places, and tenants that moved their CAs to the
#   PKI-based trust store (directory/publicKeyInfrastructure), which this
#   version does not read — there the legacy store may be empty.
# custom:
#   id: BG-AUTH-006
#   severity: high
#   resource: account
#   requires: [users, certificateBasedAuthConfiguration]
#   remediation: |
#     Upload the issuing CA (and its root) of the break-glass certificate:
#     Entra admin center > Protection > Security Center > Certificate
#     authorities (or the PKI-based trust store) > Upload, with its CRL
#     URL; or issue the account a certificate from a trusted CA and bind it
#     with an issuer-bound mapping: set certificateUserIds to
#     `X509:<I>{issuer DN}<SR>{serial}` (Users > the account > Properties >
#     Authorization info), so that this check can prove the chain.
package breakglass.rules.bg_auth_006

import data.breakglass.lib
import data.breakglass.lib.methods
import rego.v1

authorities := [ca |
	some cfg in lib.items("certificateBasedAuthConfiguration")
	some ca in object.get(cfg, "certificateAuthorities", [])
]

# dn normalises a distinguished name to a set of "attr=value" strings.
dn(s) := {lower(concat("=", [trim_space(kv[0]), trim_space(kv[1])])) |
	some part in split(s, ",")
	kv := split(part, "=")
	count(kv) == 2
}

# trusted_keys / trusted: the authorities' issuers, normalised and as shown
# (sets: the same CA may be listed twice in different spellings).
trusted_keys := {json.marshal(sort(dn(ca.issuer))) | some ca in authorities; is_string(ca.issuer)}

trusted := {ca.issuer | some ca in authorities; is_string(ca.issuer)}

# issuer_of: the issuer DN an issuer-bound mapping names.
issuer_of(m) := substring(rest, 0, end) if {
	startswith(lower(m), "x509:<i>")
	rest := substring(m, 8, -1)
	ends := [i | some tag in ["<SR>", "<S>", "<sr>", "<s>"]; i := indexof(rest, tag); i >= 0]
	count(ends) > 0
	end := min(ends)
}

issuers(u) := {iss | some m in methods.certificate_user_ids(u); iss := issuer_of(m)}

trusted_issuers(u) := {iss | some iss in issuers(u); json.marshal(sort(dn(iss))) in trusted_keys}

results contains lib.account_missing(a) if {
	some a in lib.accounts
	not a.exists
}

results contains {
	"status": "not_applicable",
	"resource": lib.account_resource(a),
	"message": sprintf("%s has no certificate bound (certificateUserIds is empty)", [a.upn]),
} if {
	some a in lib.accounts
	a.exists
	not methods.has_certificate(a.user)
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("%s has certificateUserIds but the tenant trusts no certificate authority (certificateBasedAuthConfiguration is empty): its certificate cannot chain to a trusted CA", [a.upn]),
} if {
	some a in lib.accounts
	a.exists
	methods.has_certificate(a.user)
	count(authorities) == 0
}

results contains {
	"status": "fail",
	"resource": lib.account_resource(a),
	"message": sprintf("the certificate of %s is issued by %s, which is not among the trusted certificate authorities (%s)", [a.upn, concat(" / ", sort(issuers(a.user))), concat(" / ", sort([v | some v in trusted]))]),
} if {
	some a in lib.accounts
	a.exists
	methods.has_certificate(a.user)
	count(authorities) > 0
	count(issuers(a.user)) > 0
	count(trusted_issuers(a.user)) == 0
}

results contains {
	"status": "manual",
	"resource": lib.account_resource(a),
	"message": sprintf("the certificateUserIds of %s (%s) do not name the issuing CA: keep evidence that its certificate chains to one of the trusted authorities (%s), or bind it with an X509:<I>issuer<SR>serial mapping", [a.upn, concat(", ", sort(methods.certificate_user_ids(a.user))), concat(" / ", sort([v | some v in trusted]))]),
} if {
	some a in lib.accounts
	a.exists
	methods.has_certificate(a.user)
	count(authorities) > 0
	count(issuers(a.user)) == 0
}

results contains {
	"status": "pass",
	"resource": lib.account_resource(a),
	"message": sprintf("the certificate of %s is issued by a trusted certificate authority: %s", [a.upn, concat(" / ", sort(trusted_issuers(a.user)))]),
} if {
	some a in lib.accounts
	a.exists
	methods.has_certificate(a.user)
	count(authorities) > 0
	count(trusted_issuers(a.user)) > 0
}
