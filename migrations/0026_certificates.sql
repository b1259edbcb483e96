-- Certificates: a signed, rendered snapshot of an animal and its pedigree. A certificate is
-- recorded as issuing when it is requested; the certificate process takes the snapshot, signs
-- its canonical JSON, renders and stores the PDF and the signed record, and only then marks it
-- issued with the hash, signature and key, all at once. A certificate that could not be issued
-- ends failed with nothing of it stored as issued. Once issued it never changes but to be
-- superseded (by a new certificate for a new owner) or revoked (with a reason).

CREATE TYPE certificate_status AS ENUM ('issuing', 'issued', 'failed', 'superseded', 'revoked');

CREATE TABLE certificates (
    id               uuid PRIMARY KEY,
    -- The short, unambiguous, unguessable serial printed on the certificate (certs.Serial).
    serial           text NOT NULL UNIQUE,
    org_id           uuid NOT NULL REFERENCES organizations (id),
    animal_id        uuid NOT NULL REFERENCES animals (id),
    requested_by     uuid NOT NULL REFERENCES users (id),
    status           certificate_status NOT NULL DEFAULT 'issuing',
    superseded_by    uuid REFERENCES certificates (id),
    revoked_reason   text,
    -- The signed snapshot, its canonical form's SHA-256, the Ed25519 signature (base64url)
    -- and the key that made it.
    snapshot         jsonb,
    canonical_sha256 bytea CHECK (octet_length(canonical_sha256) = 32),
    signature        text,
    key_id           text,
    -- The rendered PDF in the bucket, and its SHA-256.
    pdf_key          text,
    pdf_sha256       bytea CHECK (octet_length(pdf_sha256) = 32),
    created_at       timestamptz NOT NULL DEFAULT now(),
    issued_at        timestamptz,
    ended_at         timestamptz,
    CHECK (status IN ('issuing', 'failed') OR (snapshot IS NOT NULL AND canonical_sha256 IS NOT NULL
           AND signature IS NOT NULL AND key_id IS NOT NULL AND pdf_key IS NOT NULL
           AND pdf_sha256 IS NOT NULL AND issued_at IS NOT NULL)),
    CHECK (status <> 'superseded' OR superseded_by IS NOT NULL),
    CHECK (status <> 'revoked' OR revoked_reason IS NOT NULL)
);
CREATE INDEX certificates_animal_idx ON certificates (animal_id, created_at DESC);
CREATE INDEX certificates_org_idx ON certificates (org_id);

CREATE TRIGGER certificates_audit AFTER INSERT OR UPDATE OR DELETE ON certificates
    FOR EACH ROW EXECUTE FUNCTION audit_row('org_id', 'id');

-- The organization reads and writes its own certificates. Verification by serial, for anyone,
-- will read through a definer function of its own.
ALTER TABLE certificates ENABLE ROW LEVEL SECURITY;
ALTER TABLE certificates FORCE ROW LEVEL SECURITY;
CREATE POLICY certificates_read ON certificates FOR SELECT USING (org_id = (SELECT app_org_id()));
CREATE POLICY certificates_insert ON certificates FOR INSERT WITH CHECK (org_id = (SELECT app_org_id()));
CREATE POLICY certificates_update ON certificates FOR UPDATE
    USING (org_id = (SELECT app_org_id())) WITH CHECK (org_id = (SELECT app_org_id()));
