-- Verifying and revoking certificates. Anyone may check a certificate by its serial once it
-- has been issued; a platform admin may revoke one with a reason; and an issued certificate
-- never changes but to end: superseded by a new certificate (for a new owner), or revoked.

-- Who revoked a certificate and when; ended_at stays the moment it stopped being current
-- (superseded, or revoked while current).
ALTER TABLE certificates
    ADD COLUMN revoked_at timestamptz,
    ADD COLUMN revoked_by uuid REFERENCES users (id),
    ADD CONSTRAINT certificates_revoked_at CHECK (status <> 'revoked' OR revoked_at IS NOT NULL),
    ADD CONSTRAINT certificates_revoked_reason CHECK (revoked_reason IS NULL
        OR (btrim(revoked_reason) <> '' AND char_length(revoked_reason) <= 500)),
    ADD CONSTRAINT certificates_not_self_superseded CHECK (superseded_by IS DISTINCT FROM id);

-- An issued certificate never changes: its serial, organization, animal, snapshot, hashes,
-- signature, key, PDF and issue time are what was signed and printed. Its status moves only
-- issued → superseded (naming the certificate that supersedes it) or issued/superseded →
-- revoked (with a reason); superseded and revoked are otherwise final, and so is failed. An
-- issued certificate is never deleted.
CREATE FUNCTION certificate_stays_issued() RETURNS trigger
    LANGUAGE plpgsql SET search_path = public, pg_temp
    AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF OLD.status IN ('issued', 'superseded', 'revoked') THEN
                RAISE EXCEPTION 'certificate % was issued and is never deleted', OLD.serial USING ERRCODE = '55000';
            END IF;
            RETURN OLD;
        END IF;
        IF OLD.status = 'issuing' THEN
            RETURN NEW;
        END IF;
        IF OLD.status = 'failed' THEN
            IF NEW IS DISTINCT FROM OLD THEN
                RAISE EXCEPTION 'certificate % failed and never changes', OLD.serial USING ERRCODE = '55000';
            END IF;
            RETURN NEW;
        END IF;
        IF (NEW.id, NEW.serial, NEW.org_id, NEW.animal_id, NEW.requested_by, NEW.snapshot, NEW.canonical_sha256,
                NEW.signature, NEW.key_id, NEW.pdf_key, NEW.pdf_sha256, NEW.created_at, NEW.issued_at)
           IS DISTINCT FROM (OLD.id, OLD.serial, OLD.org_id, OLD.animal_id, OLD.requested_by, OLD.snapshot,
                OLD.canonical_sha256, OLD.signature, OLD.key_id, OLD.pdf_key, OLD.pdf_sha256, OLD.created_at, OLD.issued_at) THEN
            RAISE EXCEPTION 'certificate % is issued and never changes', OLD.serial USING ERRCODE = '55000';
        END IF;
        IF NEW.status = OLD.status THEN
            IF (NEW.superseded_by, NEW.revoked_reason, NEW.revoked_at, NEW.revoked_by, NEW.ended_at)
               IS DISTINCT FROM (OLD.superseded_by, OLD.revoked_reason, OLD.revoked_at, OLD.revoked_by, OLD.ended_at) THEN
                RAISE EXCEPTION 'certificate % is % and never changes', OLD.serial, OLD.status USING ERRCODE = '55000';
            END IF;
            RETURN NEW;
        END IF;
        IF OLD.status = 'issued' AND NEW.status = 'superseded' THEN
            IF NEW.superseded_by IS NULL OR NEW.ended_at IS NULL
               OR (NEW.revoked_reason, NEW.revoked_at, NEW.revoked_by) IS DISTINCT FROM (OLD.revoked_reason, OLD.revoked_at, OLD.revoked_by) THEN
                RAISE EXCEPTION 'certificate % is superseded only by naming its successor and when', OLD.serial
                    USING ERRCODE = '55000';
            END IF;
            RETURN NEW;
        END IF;
        IF OLD.status IN ('issued', 'superseded') AND NEW.status = 'revoked' THEN
            IF NEW.revoked_reason IS NULL OR NEW.revoked_at IS NULL OR NEW.ended_at IS NULL
               OR NEW.superseded_by IS DISTINCT FROM OLD.superseded_by
               OR (OLD.ended_at IS NOT NULL AND NEW.ended_at IS DISTINCT FROM OLD.ended_at) THEN
                RAISE EXCEPTION 'certificate % is revoked only with a reason and when', OLD.serial USING ERRCODE = '55000';
            END IF;
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'certificate % cannot go from % to %', OLD.serial, OLD.status, NEW.status USING ERRCODE = '55000';
    END
    $$;

CREATE TRIGGER certificates_stay_issued BEFORE UPDATE OR DELETE ON certificates
    FOR EACH ROW EXECUTE FUNCTION certificate_stays_issued();

-- A certificate as anyone may check it, by its serial, once it has been issued (issued,
-- superseded or revoked; one issuing or failed was never a certificate and answers nothing):
-- what was signed and how it stands, with the serial and status of its successor.
CREATE FUNCTION certificate_for_verification(certificate_serial text)
    RETURNS TABLE (status certificate_status, serial text, animal_public_id text, issued_at timestamptz,
                   ended_at timestamptz, superseded_by_serial text, superseded_by_status certificate_status,
                   revoked_reason text, revoked_at timestamptz, snapshot jsonb, signature text, key_id text,
                   canonical_sha256 bytea, pdf_sha256 bytea)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
        SELECT c.status, c.serial, a.public_id, c.issued_at, c.ended_at, n.serial, n.status,
               c.revoked_reason, c.revoked_at, c.snapshot, c.signature, c.key_id, c.canonical_sha256, c.pdf_sha256
        FROM certificates c
        JOIN animals a ON a.id = c.animal_id
        LEFT JOIN certificates n ON n.id = c.superseded_by
        WHERE c.serial = certificate_serial AND c.status IN ('issued', 'superseded', 'revoked')
    $$;

-- A platform admin revokes certificates of organizations they do not belong to: this answers
-- a certificate's ID, organization and status by its serial, to a platform admin only (the
-- acting user, set for the transaction), and nothing to anyone else. The revocation itself
-- is then written acting for the certificate's organization, under its policies.
CREATE FUNCTION certificate_for_admin(certificate_serial text)
    RETURNS TABLE (id uuid, org_id uuid, status certificate_status)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
        SELECT c.id, c.org_id, c.status FROM certificates c
        WHERE c.serial = certificate_serial
          AND EXISTS (SELECT 1 FROM users u WHERE u.id = app_user_id() AND u.platform_admin)
    $$;

-- The functions' owner reads every organization's certificates through them; row security is
-- forced on the table, so the owner needs a policy of its own.
DO $$
BEGIN
    EXECUTE format('CREATE POLICY certificates_definer_read ON certificates FOR SELECT TO %I USING (true)', current_user);
END
$$;
