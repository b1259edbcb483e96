-- A certificate follows its animal: when an animal moves to a new owner (a transfer or a
-- sale), its current certificate is superseded by a new one for the new owner, in the move's
-- transaction. The previous owner's certificates are outside the new owner's row-level
-- security, so the re-issue runs as the schema owner, for the organization the animal has
-- just moved to and the person who received it.

-- reissue_certificate records the certificate replacement (with its serial) for the caller's
-- organization (app.org_id), requested by the caller (app.user_id), of an animal that is now
-- that organization's by its latest move, when a previous owner holds an issued certificate
-- of it; it marks those certificates superseded by the replacement and returns them. When no
-- previous owner holds an issued certificate, it records nothing and returns nothing.
CREATE FUNCTION reissue_certificate(animal uuid, replacement uuid, replacement_serial text)
    RETURNS TABLE (superseded uuid, superseded_serial text, superseded_org uuid, superseded_requested_by uuid)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
BEGIN
    IF app_org_id() IS NULL OR NOT EXISTS (SELECT 1 FROM memberships m
                                           WHERE m.org_id = app_org_id() AND m.user_id = app_user_id()) THEN
        RAISE EXCEPTION 'a certificate is re-issued for the new owner, by one of its members'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM animals a WHERE a.id = animal AND a.org_id = app_org_id())
       OR (SELECT h.to_org_id FROM ownership_history h WHERE h.animal_id = animal ORDER BY h.id DESC LIMIT 1)
          IS DISTINCT FROM app_org_id() THEN
        RAISE EXCEPTION 'animal % has not moved to this organization', animal USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- The current certificates, held until they are superseded, so that an admin's revocation
    -- or a second re-issue waits for this one.
    PERFORM 1 FROM certificates c
    WHERE c.animal_id = animal AND c.status = 'issued' AND c.org_id <> app_org_id() FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    INSERT INTO certificates (id, serial, org_id, animal_id, requested_by)
    VALUES (replacement, replacement_serial, app_org_id(), animal, app_user_id());
    RETURN QUERY
        UPDATE certificates c SET status = 'superseded', superseded_by = replacement, ended_at = now()
        WHERE c.animal_id = animal AND c.status = 'issued' AND c.org_id <> app_org_id()
        RETURNING c.id, c.serial, c.org_id, c.requested_by;
END
$$;
