-- Embeds: a widget a breeder puts on their own website, in an iframe: one of their public
-- animals with its pedigree chart, or their profile's public animals. Each names the
-- origins (scheme, host and port) whose pages may frame it; the widget page, which anyone
-- loads without an account, sends them as its frame-ancestors. Deleting an embed deletes
-- its row (the audit log keeps what it was): its widget then answers 404.

CREATE TYPE embed_kind AS ENUM ('animal', 'profile');

CREATE TABLE embeds (
    id              uuid PRIMARY KEY,
    public_id       text NOT NULL UNIQUE,
    org_id          uuid NOT NULL REFERENCES organizations (id),
    kind            embed_kind NOT NULL,
    -- The animal an 'animal' widget shows; it must be the organization's and public for the
    -- widget to show it.
    animal_id       uuid REFERENCES animals (id),
    -- Normalised origins, https://host[:port] (http:// only for localhost), checked by the
    -- API (package embeds); the pattern keeps anything else out of a CSP header.
    allowed_origins text[] NOT NULL CHECK (cardinality(allowed_origins) BETWEEN 1 AND 10
        AND array_to_string(allowed_origins, ' ') ~ '^https?://[a-z0-9.:\[\]-]+( https?://[a-z0-9.:\[\]-]+)*$'),
    created_by      uuid NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'animal') = (animal_id IS NOT NULL))
);
CREATE INDEX embeds_org_idx ON embeds (org_id, created_at, id);
CREATE INDEX embeds_animal_idx ON embeds (animal_id) WHERE animal_id IS NOT NULL;

CREATE TRIGGER embeds_audit AFTER INSERT OR UPDATE OR DELETE ON embeds
    FOR EACH ROW EXECUTE FUNCTION audit_row('org_id', 'id');

ALTER TABLE embeds ENABLE ROW LEVEL SECURITY;
ALTER TABLE embeds FORCE ROW LEVEL SECURITY;
CREATE POLICY embeds_tenant ON embeds
    USING (org_id = (SELECT app_org_id())) WITH CHECK (org_id = (SELECT app_org_id()));

-- embed_for_widget, below, reads embeds as the schema owner, across organizations.
DO $$
BEGIN
    EXECUTE format('CREATE POLICY embeds_definer_read ON embeds FOR SELECT TO %I USING (true)', current_user);
END
$$;

-- The embed a widget page is addressed by, for anyone: only while it can show something
-- (its organization is not closed, and an animal widget's animal is still the
-- organization's, public and not archived), and only what the page needs: which
-- organization and animal it shows and the origins that may frame it.
CREATE FUNCTION embed_for_widget(pid text)
    RETURNS TABLE (id uuid, kind embed_kind, org_id uuid, org_public_id text, org_name text,
                   animal_id uuid, animal_public_id text, allowed_origins text[])
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    SELECT e.id, e.kind, o.id, o.public_id, o.name, a.id, a.public_id, e.allowed_origins
    FROM embeds e
    JOIN organizations o ON o.id = e.org_id AND o.closed_at IS NULL
    LEFT JOIN animals a ON a.id = e.animal_id
    WHERE e.public_id = pid
      AND (e.kind = 'profile'
           OR (a.org_id = e.org_id AND a.visibility = 'public' AND a.archived_at IS NULL))
$$;

-- The public pages: an animal and a breeder's animals as anyone sees them, whoever asks.
CREATE INDEX animals_public_org_idx ON animals (org_id, created_at DESC, id)
    WHERE visibility = 'public' AND archived_at IS NULL;

-- A public animal by public ID: none unless its owner made it public and it is not archived.
CREATE FUNCTION public_animal(pid text) RETURNS TABLE (id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    SELECT a.id FROM animals a WHERE a.public_id = pid AND a.visibility = 'public' AND a.archived_at IS NULL
$$;

-- An organization's public animals, not archived, newest first, at most lim.
CREATE FUNCTION public_animals_of(org uuid, lim int) RETURNS TABLE (id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    SELECT a.id FROM animals a
    WHERE a.org_id = org AND a.visibility = 'public' AND a.archived_at IS NULL
    ORDER BY a.created_at DESC, a.id
    LIMIT lim
$$;
