-- Hardening after review: the ownership move checks who may receive, notifications and
-- their deliveries are changed only by their recipient, and phone codes are counted.

-- A notification is read by its recipient and by the organization that sent it; it is
-- changed only by its recipient (or, for an address without an account, by the sender).
-- Deliveries, which hold addresses and phone numbers, are the recipient's alone.
DROP POLICY notifications_party ON notifications;
CREATE POLICY notifications_read ON notifications FOR SELECT
    USING (user_id = (SELECT app_user_id()) OR org_id = (SELECT app_org_id()));
CREATE POLICY notifications_insert ON notifications FOR INSERT
    WITH CHECK (user_id = (SELECT app_user_id()) OR org_id = (SELECT app_org_id()));
CREATE POLICY notifications_update ON notifications FOR UPDATE
    USING (user_id = (SELECT app_user_id()) OR (user_id IS NULL AND org_id = (SELECT app_org_id())))
    WITH CHECK (user_id = (SELECT app_user_id()) OR (user_id IS NULL AND org_id = (SELECT app_org_id())));

DROP POLICY notification_deliveries_party ON notification_deliveries;
CREATE POLICY notification_deliveries_read ON notification_deliveries FOR SELECT
    USING (user_id = (SELECT app_user_id()) OR (user_id IS NULL AND org_id = (SELECT app_org_id())));
CREATE POLICY notification_deliveries_insert ON notification_deliveries FOR INSERT
    WITH CHECK (user_id = (SELECT app_user_id()) OR org_id = (SELECT app_org_id()));
CREATE POLICY notification_deliveries_update ON notification_deliveries FOR UPDATE
    USING (user_id = (SELECT app_user_id()) OR (user_id IS NULL AND org_id = (SELECT app_org_id())))
    WITH CHECK (user_id = (SELECT app_user_id()) OR (user_id IS NULL AND org_id = (SELECT app_org_id())));

-- The offer notifications of a transfer are marked acted on (or no longer current) by the
-- organization that made the offer, whoever they went to.
CREATE FUNCTION mark_transfer_offers_actioned(transfer uuid) RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    UPDATE notifications n SET actioned_at = coalesce(n.actioned_at, now())
    WHERE n.dedup_key LIKE 'transfer/' || transfer::text || '/offer/%'
      AND EXISTS (SELECT 1 FROM transfers t WHERE t.id = transfer AND t.org_id = app_org_id())
    $$;

-- Phone codes sent, counted so that removing and re-adding a number does not reset them.
ALTER TABLE users
    ADD COLUMN phone_code_sent_at timestamptz,
    ADD COLUMN phone_codes_sent   int NOT NULL DEFAULT 0,
    ADD COLUMN phone_codes_since  timestamptz;

-- The history names its transfer itself, so a later owner who was no party to an earlier
-- transfer still sees the whole chain of owners.
ALTER TABLE ownership_history ADD COLUMN transfer_public_id text;
UPDATE ownership_history h SET transfer_public_id = t.public_id FROM transfers t WHERE t.id = h.transfer_id;
ALTER TABLE ownership_history ALTER COLUMN transfer_public_id SET NOT NULL;

-- The ownership move, now checking for itself what the workflow checks: the caller acts
-- for the receiving organization as its owner or admin, that organization or the caller's
-- verified address is the one the offer names, and the offer has not expired.
CREATE OR REPLACE FUNCTION move_animal(transfer uuid, receiving_org uuid, actor uuid) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
DECLARE
    t          transfers;
    a_public   text;
    before_row jsonb;
    after_row  jsonb;
BEGIN
    IF receiving_org IS DISTINCT FROM app_org_id() OR actor IS DISTINCT FROM app_user_id() THEN
        RAISE EXCEPTION 'the move acts for the receiving organization and its user' USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO t FROM transfers WHERE id = transfer FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'transfer % does not exist', transfer USING ERRCODE = 'no_data_found';
    END IF;
    IF EXISTS (SELECT 1 FROM ownership_history WHERE transfer_id = transfer AND to_org_id = receiving_org) THEN
        RETURN false;
    END IF;
    IF t.status <> 'offered' THEN
        RAISE EXCEPTION 'transfer % is %', t.public_id, t.status USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF now() >= t.expires_at THEN
        RAISE EXCEPTION 'transfer % has expired', t.public_id USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF receiving_org = t.org_id THEN
        RAISE EXCEPTION 'the animal already belongs to that organization' USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = receiving_org AND m.user_id = actor AND m.role IN ('owner', 'admin')) THEN
        RAISE EXCEPTION 'only an owner or admin receives for an organization' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT (receiving_org = t.recipient_org_id
            OR (t.recipient_email IS NOT NULL AND lower(t.recipient_email) = app_user_verified_email())) THEN
        RAISE EXCEPTION 'transfer % is not offered to this organization or person', t.public_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT to_jsonb(a.*), a.public_id INTO before_row, a_public FROM animals a
    WHERE a.id = t.animal_id AND a.org_id = t.org_id AND a.held_by = transfer FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'animal of transfer % is not held by it', t.public_id USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    UPDATE animals SET org_id = receiving_org, held_by = NULL, version = version + 1, updated_at = now()
    WHERE id = t.animal_id
    RETURNING to_jsonb(animals.*) INTO after_row;
    INSERT INTO ownership_history (animal_id, from_org_id, to_org_id, transfer_id, transfer_public_id)
    VALUES (t.animal_id, t.org_id, receiving_org, transfer, t.public_id);
    UPDATE transfers SET status = 'accepted', to_org_id = receiving_org, ended_by = actor, ended_at = now()
    WHERE id = transfer;
    INSERT INTO transfer_timeline (transfer_id, kind, actor_user_id, detail)
    VALUES (transfer, 'accepted', actor, 'the animal moved to the receiving organization');
    -- The organization that gave the animal keeps the record of it leaving; the receiving
    -- one's audit row comes from the animals trigger.
    INSERT INTO audit_log (org_id, actor_user_id, table_name, row_id, action, before, after)
    VALUES (t.org_id, actor, 'animals', t.animal_id::text, 'update', before_row, after_row);
    INSERT INTO events (org_id, type, aggregate_type, aggregate_id, actor_user_id, payload)
    SELECT o, 'animal.transferred', 'animal', a_public, actor,
           jsonb_build_object('transfer_id', t.public_id,
                              'from_organization_id', (SELECT public_id FROM organizations WHERE id = t.org_id),
                              'to_organization_id', (SELECT public_id FROM organizations WHERE id = receiving_org))
    FROM unnest(ARRAY[t.org_id, receiving_org]) AS o;
    RETURN true;
END
$$;

-- Open transfers well past their expiry, across organizations, for the sweep that ends
-- those whose workflow is gone (terminated, failed, or never started).
CREATE FUNCTION overdue_transfers(grace interval) RETURNS TABLE (id uuid, org_id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT t.id, t.org_id FROM transfers t WHERE t.status = 'offered' AND t.expires_at < now() - grace $$;
