-- Media: photos of an animal, kept in object storage. An upload is recorded as pending when
-- its presigned PUT is handed out; confirming it checks the object is an image of an allowed
-- type and size, re-encodes it without any metadata, adds a thumbnail and makes it ready.
-- Deleting marks it deleted until its objects are gone from storage, then the row goes.
-- Pending uploads never confirmed, and deleted rows whose objects remain, are swept.
--
-- Per-organization storage is derived (media_storage), never kept as a counter, so it cannot
-- drift from the rows.

CREATE TYPE media_status AS ENUM ('pending', 'ready', 'deleted');

CREATE TABLE media (
    id            uuid PRIMARY KEY,
    public_id     text NOT NULL UNIQUE,
    org_id        uuid NOT NULL REFERENCES organizations (id),
    animal_id     uuid NOT NULL REFERENCES animals (id),
    status        media_status NOT NULL DEFAULT 'pending',
    -- What the uploader declared (pending) and, once ready, what is stored.
    content_type  text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    -- Bytes: declared when pending; stored (original and thumbnail together) once ready.
    bytes         bigint NOT NULL CHECK (bytes > 0),
    width         integer CHECK (width > 0),
    height        integer CHECK (height > 0),
    -- Object keys in the bucket: the raw upload, then the clean original and its thumbnail.
    upload_key    text NOT NULL,
    original_key  text,
    thumbnail_key text,
    -- Order of the animal's photos, lowest first; one of them may be primary.
    position      integer NOT NULL DEFAULT 0,
    is_primary    boolean NOT NULL DEFAULT false,
    created_by    uuid NOT NULL REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    ready_at      timestamptz,
    CHECK (status <> 'ready' OR (ready_at IS NOT NULL AND original_key IS NOT NULL AND thumbnail_key IS NOT NULL
                                 AND width IS NOT NULL AND height IS NOT NULL)),
    CHECK (status = 'ready' OR NOT is_primary)
);
-- One primary photo per animal, whatever the application does.
CREATE UNIQUE INDEX media_primary_key ON media (animal_id) WHERE is_primary;
CREATE INDEX media_animal_idx ON media (animal_id, position, created_at) WHERE status = 'ready';
CREATE INDEX media_org_idx ON media (org_id) WHERE status = 'ready';
CREATE INDEX media_sweep_idx ON media (created_at) WHERE status <> 'ready';

CREATE TRIGGER media_audit AFTER INSERT OR UPDATE OR DELETE ON media
    FOR EACH ROW EXECUTE FUNCTION audit_row('org_id', 'id');

-- Whether an animal is public, whoever owns it: anyone may see a public animal's photos.
CREATE FUNCTION animal_is_public(aid uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT coalesce((SELECT a.visibility = 'public' FROM animals a WHERE a.id = aid), false) $$;

-- The organization sees and writes all of its own media; anyone sees the ready photos of a
-- public animal.
ALTER TABLE media ENABLE ROW LEVEL SECURITY;
ALTER TABLE media FORCE ROW LEVEL SECURITY;
CREATE POLICY media_read ON media FOR SELECT
    USING (org_id = (SELECT app_org_id()) OR (status = 'ready' AND animal_is_public(animal_id)));
CREATE POLICY media_insert ON media FOR INSERT WITH CHECK (org_id = (SELECT app_org_id()));
CREATE POLICY media_update ON media FOR UPDATE
    USING (org_id = (SELECT app_org_id())) WITH CHECK (org_id = (SELECT app_org_id()));
CREATE POLICY media_delete ON media FOR DELETE USING (org_id = (SELECT app_org_id()));

-- Media the sweep clears, across organizations: pending uploads older than the bound, and
-- deleted media whose objects may remain.
CREATE FUNCTION stale_media(older_than interval)
    RETURNS TABLE (id uuid, org_id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    SELECT m.id, m.org_id FROM media m
    WHERE (m.status = 'pending' AND m.created_at < now() - older_than) OR m.status = 'deleted'
    ORDER BY m.created_at LIMIT 500
$$;

DO $$
BEGIN
    EXECUTE format('CREATE POLICY media_definer_read ON media FOR SELECT TO %I USING (true)', current_user);
END
$$;

-- Bytes an organization keeps in storage: its ready media, originals and thumbnails.
CREATE FUNCTION media_storage(oid uuid) RETURNS bigint
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(sum(bytes), 0)::bigint FROM media WHERE org_id = oid AND status = 'ready' $$;

-- Photos follow their animal: when it changes hands (by transfer or sale) they become the new
-- owner's, to show, arrange and count.
CREATE FUNCTION media_follow_animal() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
BEGIN
    UPDATE media SET org_id = NEW.org_id, updated_at = now()
    WHERE animal_id = NEW.id AND org_id = OLD.org_id;
    RETURN NULL;
END
$$;

DO $$
BEGIN
    EXECUTE format('CREATE POLICY media_definer_move ON media FOR UPDATE TO %I USING (true) WITH CHECK (true)', current_user);
END
$$;

CREATE TRIGGER animals_media AFTER UPDATE OF org_id ON animals
    FOR EACH ROW WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id) EXECUTE FUNCTION media_follow_animal();
