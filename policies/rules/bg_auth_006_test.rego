package breakglass.rules.bg_auth_006_test

import data.breakglass.rules.bg_auth_006
import data.breakglass.test.fixtures as fx
import rego.v1

ca(issuer) := {"isRootAuthority": false, "issuer": issuer, "issuerSki": "0A1B2C", "certificate": "MIIB", "certificateRevocationListUrl": "http://crl.contoso.com/issuing.crl"}

doc(ids, cas) := fx.with_items(
	fx.with_items(fx.doc, "users", [object.union(fx.items("users")[0], {"authorizationInfo": {"certificateUserIds": ids}}), fx.items("users")[1]]),
	"certificateBasedAuthConfiguration",
	[{"id": "29728ade-6ae4-4ee9-9103-412912537da5", "certificateAuthorities": cas}],
)

test_trusted_issuer_passes if {
	rs := bg_auth_006.results with input as doc(["X509:<I>DC=com,DC=contoso,CN=Contoso Issuing CA 1<SR>1a2b3c"], [ca("CN=Contoso Issuing CA 1, DC=contoso, DC=com")])
	r := fx.only(rs, fx.bg1)
	r.status == "pass"
	contains(r.message, "Contoso Issuing CA 1")
	fx.statuses(rs, fx.bg2) == {"not_applicable"}
}

test_untrusted_issuer_fails if {
	rs := bg_auth_006.results with input as doc(["X509:<I>CN=Old Root CA<S>CN=bg-01"], [ca("CN=Contoso Issuing CA 2, DC=contoso, DC=com")])
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "Old Root CA")
}

test_no_trusted_authority_fails if {
	rs := bg_auth_006.results with input as doc(["X509:<PN>bg-01@contoso.onmicrosoft.com"], [])
	r := fx.only(rs, fx.bg1)
	r.status == "fail"
	contains(r.message, "trusts no certificate authority")
}

# Missing evidence: a mapping that does not name the issuer is manual.
test_mapping_without_issuer_manual if {
	rs := bg_auth_006.results with input as doc(["X509:<PN>bg-01@contoso.onmicrosoft.com"], [ca("CN=Contoso Issuing CA 1, DC=contoso, DC=com")])
	fx.statuses(rs, fx.bg1) == {"manual"}
}

test_one_trusted_binding_passes if {
	rs := bg_auth_006.results with input as doc(["X509:<I>CN=Old Root CA<SR>01", "X509:<I>CN=Contoso Issuing CA 1,DC=contoso,DC=com<SR>02"], [ca("CN=Contoso Issuing CA 1, DC=contoso, DC=com")])
	fx.statuses(rs, fx.bg1) == {"pass"}
}

test_same_ca_listed_twice_passes if {
	rs := bg_auth_006.results with input as doc(["X509:<I>CN=Contoso Issuing CA 1,DC=contoso,DC=com<SR>02"], [ca("CN=Contoso Issuing CA 1, DC=contoso, DC=com"), ca("CN=Contoso Issuing CA 1,DC=contoso,DC=com")])
	fx.statuses(rs, fx.bg1) == {"pass"}
}
