package api

import (
	"net/http"

	"github.com/reptidex/reptidex/certs"
)

// certificateResource documents pedigree certificates: the keys they are signed with, the
// organization's certificates, requested, listed and read, anyone's check of one, and a
// platform admin's revocation.
var certificateResource = apiResource{
	Tag:   "certificates",
	About: "Pedigree certificates, signed so that anyone can verify them without trusting ReptiDex.",
	Schemas: []schemaDef{
		{Name: "CertificateKey", Type: certs.PublishedKey{}, Description: "A public Ed25519 key that verifies certificates.",
			Examples: []string{`{"key_id": "21fe31dfa154a261", "algorithm": "Ed25519", "public_key": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "current": true}`}},
		{Name: "CertificateKeys", Type: certs.PublishedKeys{}},
		{Name: "Certificate", Type: certificateView{}, Description: "A pedigree certificate of one of the organization's animals.",
			Examples: []string{`{"serial": "7KQ2-M9XD-4TJ8", "animal_id": "7QmVbX2kLp9sT4wYz", "status": "issuing", "created_at": "2026-12-05T13:00:00Z"}`}},
		{Name: "CertificatePage", Type: certificatePage{}},
		{Name: "CertificateCheck", Type: verifyAnswer{},
			Description: "Anyone's check of a certificate: its verdict, what it certifies, and its record for checking it offline."},
		{Name: "CertificateSupersession", Type: supersessionView{}, Description: "The newer certificate that replaced one."},
		{Name: "CertificateRevocation", Type: revocationView{}, Description: "Why and when a certificate was revoked."},
		{Name: "CertifiedAnimal", Type: certifiedView{}, Description: "What a certificate certifies, from its signed snapshot."},
		{Name: "CertificateRecord", Type: certs.Record{},
			Description: "A certificate record: the signed snapshot, the ID of the key that signed it and the signature.",
			JSON: `{"type": "object", "required": ["snapshot", "key_id", "signature"], "additionalProperties": false,
				"properties": {
					"snapshot": {"type": "object", "additionalProperties": true,
						"description": "The snapshot as signed: its canonical JSON (RFC 8785) is the signed bytes."},
					"key_id": {"type": "string", "description": "The key that signed it, one of GET /api/v1/certificates/keys."},
					"signature": {"type": "string", "description": "Ed25519 signature of the snapshot's canonical bytes, base64url without padding."}}}`},
		{Name: "RevokeCertificateRequest", Type: revokeCertificateRequest{}},
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
		{
			Method: http.MethodPost, Path: "/api/v1/animals/{animalID}/certificates", ID: "requestCertificate",
			Summary: "Issue a pedigree certificate",
			Description: "An owner or admin asks for a pedigree certificate of one of the organization's animals. The " +
				"answer is the certificate, issuing, with its serial: its snapshot of the animal and four generations " +
				"of ancestors (other breeders' animals as they make them public) is signed, rendered as a PDF and " +
				"stored, and only then is it issued; the requester is notified either way. GET it by serial for its " +
				"status and, once issued, its PDF. Idempotency-Key is optional: for 24 hours the same key for the " +
				"same animal answers the first answer again.",
			Params: []param{{Name: "animalID", In: "path", Description: "Public ID of the animal.", Schema: `{"type": "string"}`},
				{Name: "Idempotency-Key", In: "header",
					Description: "A key of the caller's choosing that makes a retry of this request safe, remembered for 24 hours.",
					Schema:      `{"maxLength": 200, "type": "string"}`}},
			Responses: []reply{
				planLimitReply("the organization requested as many certificates this calendar month (UTC) as its plan allows (limit certificates_per_month; failed ones and re-issues for a new owner do not count)."),
				{Status: 202, Description: "The certificate, issuing.", Body: certificateView{},
					Headers: []header{
						{Name: "Location", Required: true, Schema: `{"type": "string", "format": "uri-reference"}`,
							Description: "The certificate's URL."},
						{Name: "Idempotent-Replayed", Schema: `{"type": "string", "enum": ["true"]}`,
							Description: "true when this is the stored answer to an earlier request with the same Idempotency-Key, replayed."}}},
				{Status: 403, Description: "forbidden: only owners and admins issue certificates."},
				{Status: 404, Description: "not-found: the animal is not one of the organization's."},
				{Status: 409, Description: "conflict: a request with this Idempotency-Key is still being handled (retry after Retry-After).",
					Headers: []header{{Name: "Retry-After", Schema: `{"type": "integer"}`,
						Description: "Seconds to wait before retrying the request."}}},
				{Status: 422, Description: "validation-failed: the animal is archived or a reference animal; or " +
					"Idempotency-Key used for another request."},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/animals/{animalID}/certificates", ID: "listAnimalCertificates",
			Summary:     "An animal's certificates",
			Description: "The organization's certificates of one of its animals, newest first (at most 100), without links.",
			Params:      []param{{Name: "animalID", In: "path", Description: "Public ID of the animal.", Schema: `{"type": "string"}`}},
			Responses: []reply{
				{Status: 200, Description: "The certificates.", Body: certificatePage{}},
				{Status: 404, Description: "not-found: the animal is not one of the organization's."},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/certificates/{serial}", ID: "getCertificate",
			Summary: "A certificate",
			Description: "One of the organization's certificates by serial: its status and, once issued, a presigned " +
				"download of its PDF valid for 5 minutes.",
			Params: []param{{Name: "serial", In: "path", Description: "The certificate's serial.", Schema: `{"type": "string"}`}},
			Responses: []reply{
				{Status: 200, Description: "The certificate.", Body: certificateView{}},
				{Status: 404, Description: "not-found: no certificate of the organization has this serial."},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/verify/{serial}", ID: "verifyCertificate",
			Public:  true,
			Summary: "Check a certificate",
			Description: "Anyone, without an account, checks a pedigree certificate by the serial printed on it (in " +
				"either case, with or without hyphens; O is read as 0, I and L as 1). The verdict: valid (genuine and " +
				"current), superseded (genuine, but replaced by a newer certificate for a new owner, named with how " +
				"it stands: issuing, issued, failed, superseded or revoked), revoked (withdrawn by ReptiDex, with the " +
				"reason), or invalid (the stored record fails the server's own signature check), as of checked_at. " +
				"It answers what the signed snapshot certifies, the server's check of the signature with the " +
				"published keys, and the record itself: save this answer and the keys and `reptidex " +
				"verify-certificate --key keys.json answer.json` checks it offline and reports the answer's verdict " +
				"(add --pdf certificate.pdf to check the PDF against pdf_sha256). A certificate still being issued, " +
				"or one that failed, is not found. Cacheable for 60 seconds. The page for people who scan the QR " +
				"code is /verify/{serial}.",
			Params: []param{{Name: "serial", In: "path", Description: "The certificate's serial, such as 7KQ2-M9XD-4HTP-R.",
				Schema: `{"type": "string"}`}},
			Responses: []reply{
				{Status: 200, Description: "The check.", Body: verifyAnswer{}},
				{Status: 404, Description: "not-found: no issued certificate has this serial, or it is not a serial."},
				{Status: 429, Description: "rate-limited: too many checks from this client (token bucket per IPv4 address or " +
					"IPv6 /64, at the public search's rate: LIMIT_SEARCH_PER_MINUTE, 60 per minute with a burst of " +
					"LIMIT_SEARCH_BURST, 30, by default).",
					Headers: []header{{Name: "Retry-After", Schema: `{"type": "integer"}`,
						Description: "Seconds until a check is allowed again."}}},
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/admin/certificates/{serial}/revoke", ID: "revokeCertificate",
			Summary: "Revoke a certificate (platform admins)",
			Description: "A platform admin revokes an issued or superseded certificate of any organization, with a " +
				"reason that everyone who checks it reads from then on (GET /api/v1/verify/{serial} and its page). " +
				"The owners and admins of the certificate's organization are notified. A revocation is final. The " +
				"answer is the certificate's check, now revoked, as the revocation recorded it.",
			Params: []param{{Name: "serial", In: "path", Description: "The certificate's serial.", Schema: `{"type": "string"}`}},
			Body:   revokeCertificateRequest{},
			Responses: []reply{
				{Status: 200, Description: "Revoked: the certificate's check.", Body: verifyAnswer{}},
				{Status: 403, Description: "forbidden: the caller is not a platform admin."},
				{Status: 404, Description: "not-found: no certificate has this serial."},
				{Status: 409, Description: "conflict: the certificate was never issued (it is being issued, or failed), or is revoked already."},
				{Status: 422, Description: "validation-failed: reason missing, blank or over 500 characters."},
			},
		},
	},
}
