-- Ownership transfers: an offer from one organization to a person (by email) or another
-- organization, the hold it puts on the animal, its timeline, and the ownership history that
-- the move writes.

-- While a transfer is open the animal is held: no other transfer, sale or identity edit.
ALTER TABLE animals ADD COLUMN held_by uuid;

-- How long an offer waits before a reminder, and before it expires, per organization.
ALTER TABLE organizations
    ADD COLUMN transfer_remind_after interval NOT NULL DEFAULT '7 days'
        CHECK (transfer_remind_after >= '0'::interval),
    ADD COLUMN transfer_expire_after interval NOT NULL DEFAULT '14 days'
        CHECK (transfer_expire_after > '0'::interval AND transfer_expire_after <= '90 days'::interval);

CREATE TYPE transfer_status AS ENUM ('offered', 'accepted', 'declined', 'cancelled', 'expired');

CREATE TABLE transfers (
    id               uuid PRIMARY KEY,
    public_id        text NOT NULL UNIQUE,
    org_id           uuid NOT NULL REFERENCES organizations (id),
    animal_id        uuid NOT NULL REFERENCES animals (id),
    -- What the recipient is shown of the animal, taken at the offer (the hold keeps it true).
    animal_public_id text NOT NULL,
    animal_name      text NOT NULL DEFAULT '',
    species_key      text NOT NULL,
    genetics_text    text NOT NULL DEFAULT '',
    offered_by       uuid NOT NULL REFERENCES users (id),
    recipient_email  text,
    recipient_org_id uuid REFERENCES organizations (id),
    message          text CHECK (length(message) <= 2000),
    status           transfer_status NOT NULL DEFAULT 'offered',
    reason           text,
    to_org_id        uuid REFERENCES organizations (id),
    ended_by         uuid REFERENCES users (id),
    idempotency_key  text,
    request_hash     bytea,
    remind_at        timestamptz,
    expires_at       timestamptz NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    ended_at         timestamptz,
    CHECK ((recipient_email IS NULL) <> (recipient_org_id IS NULL)),
    UNIQUE (org_id, idempotency_key)
);
-- One open transfer per animal, whatever the application does.
CREATE UNIQUE INDEX transfers_open_animal_key ON transfers (animal_id) WHERE status = 'offered';
CREATE INDEX transfers_org_idx ON transfers (org_id, created_at DESC);
CREATE INDEX transfers_recipient_email_idx ON transfers (lower(recipient_email)) WHERE recipient_email IS NOT NULL;
CREATE INDEX transfers_recipient_org_idx ON transfers (recipient_org_id) WHERE recipient_org_id IS NOT NULL;

CREATE TABLE transfer_timeline (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transfer_id   uuid NOT NULL REFERENCES transfers (id),
    kind          text NOT NULL,
    actor_user_id uuid REFERENCES users (id),
    detail        text,
    at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX transfer_timeline_transfer_idx ON transfer_timeline (transfer_id, id);

-- Every change of owner, written by the move itself; one per transfer.
CREATE TABLE ownership_history (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    animal_id   uuid NOT NULL REFERENCES animals (id),
    from_org_id uuid NOT NULL REFERENCES organizations (id),
    to_org_id   uuid NOT NULL REFERENCES organizations (id),
    transfer_id uuid NOT NULL UNIQUE REFERENCES transfers (id),
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ownership_history_animal_idx ON ownership_history (animal_id, id);

CREATE TRIGGER transfers_audit AFTER INSERT OR UPDATE OR DELETE ON transfers
    FOR EACH ROW EXECUTE FUNCTION audit_row('org_id', 'id');

-- The acting user's email address, once verified: a transfer offered to an address is the
-- business of whoever proved they read it.
CREATE FUNCTION app_user_verified_email() RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT lower(email) FROM users WHERE id = app_user_id() AND email_verified_at IS NOT NULL $$;

-- A transfer is seen by the offering organization, the organization it is offered to or
-- that received it, and the verified owner of the address it was offered to. Only the
-- offering organization writes it; the move runs as the schema owner.
ALTER TABLE transfers ENABLE ROW LEVEL SECURITY;
ALTER TABLE transfers FORCE ROW LEVEL SECURITY;
CREATE POLICY transfers_parties ON transfers FOR SELECT
    USING (org_id = (SELECT app_org_id()) OR recipient_org_id = (SELECT app_org_id())
        OR to_org_id = (SELECT app_org_id()) OR lower(recipient_email) = (SELECT app_user_verified_email()));
CREATE POLICY transfers_insert ON transfers FOR INSERT WITH CHECK (org_id = (SELECT app_org_id()));
CREATE POLICY transfers_update ON transfers FOR UPDATE
    USING (org_id = (SELECT app_org_id())) WITH CHECK (org_id = (SELECT app_org_id()));

ALTER TABLE transfer_timeline ENABLE ROW LEVEL SECURITY;
ALTER TABLE transfer_timeline FORCE ROW LEVEL SECURITY;
CREATE POLICY transfer_timeline_parties ON transfer_timeline FOR SELECT
    USING (EXISTS (SELECT 1 FROM transfers t WHERE t.id = transfer_id));
CREATE POLICY transfer_timeline_insert ON transfer_timeline FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM transfers t WHERE t.id = transfer_id AND t.org_id = (SELECT app_org_id())));

-- Who owned an animal is seen by those organizations and by anyone who may see the animal.
ALTER TABLE ownership_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE ownership_history FORCE ROW LEVEL SECURITY;
CREATE POLICY ownership_history_read ON ownership_history FOR SELECT
    USING (from_org_id = (SELECT app_org_id()) OR to_org_id = (SELECT app_org_id())
        OR EXISTS (SELECT 1 FROM visible_animal v WHERE v.id = animal_id));

-- The ownership move: in one transaction the animal changes organization and is released
-- from its hold, the history and both organizations' events and audit are written. It runs
-- as the schema owner because the row leaves the acting organization. Run again for the
-- same transfer it changes nothing and returns false.
CREATE FUNCTION move_animal(transfer uuid, receiving_org uuid, actor uuid) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
DECLARE
    t         transfers;
    a_public  text;
    before_row jsonb;
    after_row  jsonb;
BEGIN
    SELECT * INTO t FROM transfers WHERE id = transfer FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'transfer % does not exist', transfer USING ERRCODE = 'no_data_found';
    END IF;
    IF EXISTS (SELECT 1 FROM ownership_history WHERE transfer_id = transfer) THEN
        RETURN false;
    END IF;
    IF t.status <> 'offered' THEN
        RAISE EXCEPTION 'transfer % is %', t.public_id, t.status USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF receiving_org = t.org_id THEN
        RAISE EXCEPTION 'the animal already belongs to that organization' USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    SELECT to_jsonb(a.*), a.public_id INTO before_row, a_public FROM animals a
    WHERE a.id = t.animal_id AND a.org_id = t.org_id AND a.held_by = transfer FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'animal of transfer % is not held by it', t.public_id USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    UPDATE animals SET org_id = receiving_org, held_by = NULL, version = version + 1, updated_at = now()
    WHERE id = t.animal_id
    RETURNING to_jsonb(animals.*) INTO after_row;
    INSERT INTO ownership_history (animal_id, from_org_id, to_org_id, transfer_id)
    VALUES (t.animal_id, t.org_id, receiving_org, transfer);
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
