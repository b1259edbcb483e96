-- The record: species catalogues, animals with genetics, and the pedigree graph that links
-- animals across organizations.

-- Platform administrators edit shared reference data such as species catalogues.
ALTER TABLE users ADD COLUMN platform_admin boolean NOT NULL DEFAULT false;

-- A species catalogue is one genetics.Species document (genes, inheritance modes, allelic
-- loci, compounds, combinations), validated by the application before it is written. It is
-- shared reference data, not tenant data.
CREATE TABLE species (
    key        text PRIMARY KEY CHECK (key ~ '^[a-z0-9-]+$'),
    name       text NOT NULL,
    catalog    jsonb NOT NULL,
    version    int NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by uuid REFERENCES users (id)
);

CREATE TYPE animal_sex AS ENUM ('male', 'female', 'unknown');
CREATE TYPE animal_status AS ENUM ('active', 'on_hold', 'sold', 'deceased', 'archived');
CREATE TYPE animal_visibility AS ENUM ('public', 'organization', 'private');

CREATE TABLE animals (
    id             uuid PRIMARY KEY,
    public_id      text NOT NULL UNIQUE,
    org_id         uuid NOT NULL REFERENCES organizations (id),
    breeder_org_id uuid REFERENCES organizations (id), -- breeder of record; never changes
    species_key    text NOT NULL REFERENCES species (key),
    sex            animal_sex NOT NULL DEFAULT 'unknown',
    name           text CHECK (length(name) <= 120),
    hatch_date     date,
    identifiers    jsonb NOT NULL DEFAULT '{}',
    status         animal_status NOT NULL DEFAULT 'active',
    visibility     animal_visibility NOT NULL DEFAULT 'organization',
    genetics       jsonb NOT NULL DEFAULT '[]', -- claims: gene, kind, probability, provenance
    genetics_text  text NOT NULL DEFAULT 'Normal', -- the canonical trade name
    gene_keys      text[] NOT NULL DEFAULT '{}',  -- every gene claimed, for filtering
    sire_id        uuid REFERENCES animals (id),
    dam_id         uuid REFERENCES animals (id),
    clutch_id      uuid,
    is_reference   boolean NOT NULL DEFAULT false, -- a lineage-only record of an off-platform parent
    replaced_by    uuid REFERENCES animals (id),   -- the real animal that took a reference's place
    version        int NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    archived_at    timestamptz,
    CHECK (sire_id IS DISTINCT FROM id AND dam_id IS DISTINCT FROM id)
);
CREATE INDEX animals_org_idx ON animals (org_id, public_id);
CREATE INDEX animals_org_species_idx ON animals (org_id, species_key, public_id);
CREATE INDEX animals_genes_idx ON animals USING gin (gene_keys);
CREATE INDEX animals_sire_idx ON animals (sire_id) WHERE sire_id IS NOT NULL;
CREATE INDEX animals_dam_idx ON animals (dam_id) WHERE dam_id IS NOT NULL;

CREATE TRIGGER animals_audit AFTER INSERT OR UPDATE OR DELETE ON animals
    FOR EACH ROW EXECUTE FUNCTION audit_row('org_id', 'id');

ALTER TABLE animals ENABLE ROW LEVEL SECURITY;
ALTER TABLE animals FORCE ROW LEVEL SECURITY;
CREATE POLICY animals_tenant ON animals
    USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());

-- The pedigree graph: who is whose parent, with the few facts lineage rules need. It holds
-- no private data and crosses organizations (a parent may belong to another breeder), so it
-- is outside row-level security and written only by the trigger below, from animals.
CREATE TABLE pedigree (
    animal_id   uuid PRIMARY KEY REFERENCES animals (id),
    sire_id     uuid REFERENCES pedigree (animal_id),
    dam_id      uuid REFERENCES pedigree (animal_id),
    species_key text NOT NULL,
    sex         animal_sex NOT NULL,
    hatch_date  date
);
CREATE INDEX pedigree_sire_idx ON pedigree (sire_id) WHERE sire_id IS NOT NULL;
CREATE INDEX pedigree_dam_idx ON pedigree (dam_id) WHERE dam_id IS NOT NULL;

CREATE FUNCTION sync_pedigree() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
BEGIN
    INSERT INTO pedigree (animal_id, sire_id, dam_id, species_key, sex, hatch_date)
    VALUES (NEW.id, NEW.sire_id, NEW.dam_id, NEW.species_key, NEW.sex, NEW.hatch_date)
    ON CONFLICT (animal_id) DO UPDATE
        SET sire_id = EXCLUDED.sire_id, dam_id = EXCLUDED.dam_id, species_key = EXCLUDED.species_key,
            sex = EXCLUDED.sex, hatch_date = EXCLUDED.hatch_date;
    RETURN NULL;
END
$$;

CREATE TRIGGER animals_pedigree AFTER INSERT OR UPDATE OF sire_id, dam_id, species_key, sex, hatch_date ON animals
    FOR EACH ROW EXECUTE FUNCTION sync_pedigree();

-- The functions below run as the schema owner to read across organizations; when the owner
-- is not a superuser, FORCE'd row-level security would hide other tenants' rows from it too.
DO $$
BEGIN
    EXECUTE format('CREATE POLICY animals_definer_read ON animals FOR SELECT TO %I USING (true)', current_user);
    EXECUTE format('CREATE POLICY organizations_definer_read ON organizations FOR SELECT TO %I USING (true)', current_user);
END
$$;

-- What the current organization may see of any animal: everything shown on a pedigree
-- for its own animals and other breeders' public ones, and only that the animal exists (and
-- its species) otherwise.
CREATE FUNCTION animal_cards(ids uuid[])
    RETURNS TABLE (id uuid, visible boolean, public_id text, name text, species_key text,
                   sex animal_sex, hatch_date date, genetics_text text, status animal_status,
                   owner_public_id text, owner_name text, breeder_public_id text, breeder_name text,
                   is_reference boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    SELECT a.id, v.visible,
           CASE WHEN v.visible THEN a.public_id END,
           CASE WHEN v.visible THEN a.name END,
           a.species_key,
           CASE WHEN v.visible THEN a.sex END,
           CASE WHEN v.visible THEN a.hatch_date END,
           CASE WHEN v.visible THEN a.genetics_text END,
           CASE WHEN v.visible THEN a.status END,
           CASE WHEN v.visible THEN o.public_id END,
           CASE WHEN v.visible THEN o.name END,
           CASE WHEN v.visible THEN b.public_id END,
           CASE WHEN v.visible THEN b.name END,
           CASE WHEN v.visible THEN a.is_reference END
    FROM animals a
    CROSS JOIN LATERAL (SELECT a.org_id = app_org_id() OR a.visibility = 'public' AS visible) v
    JOIN organizations o ON o.id = a.org_id
    LEFT JOIN organizations b ON b.id = a.breeder_org_id
    WHERE a.id = ANY (ids)
$$;

-- A proposed parent: an animal of the current organization, or a public one of another.
CREATE FUNCTION parent_candidate(pid text)
    RETURNS TABLE (id uuid, public_id text, species_key text, sex animal_sex, hatch_date date, archived boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    SELECT a.id, a.public_id, a.species_key, a.sex, a.hatch_date, a.archived_at IS NOT NULL
    FROM animals a
    WHERE a.public_id = pid AND (a.org_id = app_org_id() OR a.visibility = 'public')
$$;

-- The public ID of any animal, whoever owns it: parents are shown by ID on their children.
CREATE FUNCTION animal_ref(aid uuid) RETURNS TABLE (public_id text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT a.public_id FROM animals a WHERE a.id = aid $$;

-- The public ID and name of any organization: owners and breeders of record are public.
CREATE FUNCTION organization_ref(oid uuid) RETURNS TABLE (public_id text, name text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT o.public_id, o.name FROM organizations o WHERE o.id = oid $$;

-- The genetics of an animal the current organization may look at (its own, or a public one),
-- for predicting pairings with it.
CREATE FUNCTION animal_genetics(pid text)
    RETURNS TABLE (id uuid, species_key text, sex animal_sex, genetics jsonb)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    SELECT a.id, a.species_key, a.sex, a.genetics
    FROM animals a
    WHERE a.public_id = pid AND (a.org_id = app_org_id() OR a.visibility = 'public')
$$;
