-- A certificate follows its animal: when an animal moves to a new owner (a transfer or a
-- sale), its current certificate is superseded by a new one for the new owner, in the move's
-- transaction. The previous owner's certificates are outside the new owner's row-level
-- security, so the re-issue runs as the schema owner, for the organization the animal has
-- just moved to and the person who received it.

-- reissue_certificate records the certificate replacement (with its serial) for the caller's
-- organization (app.org_id), requested by the caller (app.user_id), of an animal that is now
-- that organization's by its latest move, which the caller received, when a previous owner holds an issued certificate
-- of it; it marks those certificates superseded by the replacement and returns them. When no
-- previous owner holds an issued certificate, it records nothing and returns nothing.
CREATE FUNCTION reissue_certificate(animal uuid, replacement uuid, replacement_serial text)
    RETURNS TABLE (superseded uuid, superseded_serial text, superseded_org uuid, superseded_requested_by uuid)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
DECLARE
    moved_to    uuid;
    received_by uuid;
BEGIN
    -- The latest move of the animal, and who received it (move_animal records them; for a
    -- sale, sell_animal moves it for the buyer who ordered). That person is asked for nothing
    -- more, not even to be a member still, so that a certificate never stops an animal
    -- reaching its owner.
    SELECT h.to_org_id, t.ended_by INTO moved_to, received_by
    FROM ownership_history h JOIN transfers t ON t.id = h.transfer_id
    WHERE h.animal_id = animal ORDER BY h.id DESC LIMIT 1;
    IF app_org_id() IS NULL OR app_user_id() IS NULL
       OR NOT EXISTS (SELECT 1 FROM animals a WHERE a.id = animal AND a.org_id = app_org_id())
       OR moved_to IS DISTINCT FROM app_org_id() OR received_by IS DISTINCT FROM app_user_id() THEN
        RAISE EXCEPTION 'animal % has not moved to this organization, received by this person', animal
            USING ERRCODE = 'insufficient_privilege';
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

-- The function's owner supersedes the previous owner's certificates; row security is forced
-- on the table, so the owner needs a policy of its own (it reads them by the one of 0027).
DO $$
BEGIN
    EXECUTE format('CREATE POLICY certificates_definer_update ON certificates FOR UPDATE TO %I USING (true) WITH CHECK (true)',
                   current_user);
END
$$;
