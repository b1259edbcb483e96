package api

import (
	"net/http"

	"github.com/reptidex/reptidex/certs"
)

// certificateResource documents pedigree certificates: today the keys they are signed with.
var certificateResource = apiResource{
	Tag:   "certificates",
	About: "Pedigree certificates, signed so that anyone can verify them without trusting ReptiDex.",
	Schemas: []schemaDef{
		{Name: "CertificateKey", Type: certs.PublishedKey{}, Description: "A public Ed25519 key that verifies certificates.",
			Examples: []string{`{"key_id": "21fe31dfa154a261", "algorithm": "Ed25519", "public_key": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "current": true}`}},
		{Name: "CertificateKeys", Type: certs.PublishedKeys{}},
	},
	Operations: []operation{
		{
			Method: http.MethodGet, Path: "/api/v1/certificates/keys", ID: "certificateKeys",
			Public:  true,
			Summary: "Public keys for certificates",
			Description: "Every Ed25519 public key a certificate may be verified with, the current signing key " +
				"first; older keys stay listed so that certificates signed before a rotation stay " +
				"verifiable. A certificate record names its key by key_id, the first 16 hexadecimal " +
				"digits of the SHA-256 of the 32-byte key. Save this answer to a file and `reptidex " +
				"verify-certificate` checks a certificate record offline. Cacheable for 300 seconds.",
			Responses: []reply{
				{Status: 200, Description: "The keys.", Body: certs.PublishedKeys{}},
			},
		},
	},
}
