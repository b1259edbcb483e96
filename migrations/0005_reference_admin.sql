-- Replacing a reference animal by the real one, and what shared reference data needs.

-- Every gene some animal of a species claims, across organizations: a catalogue edit may not
-- remove one.
CREATE FUNCTION genes_in_use(species text) RETURNS SETOF text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT DISTINCT unnest(gene_keys) FROM animals WHERE species_key = species $$;

-- The children of an animal in every organization, for re-linking them.
CREATE FUNCTION children_of(parent uuid)
    RETURNS TABLE (id uuid, hatch_date date, via_sire boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    SELECT p.animal_id, p.hatch_date, p.sire_id = parent FROM pedigree p WHERE p.sire_id = parent OR p.dam_id = parent
$$;

-- Moves every lineage link from a reference animal of the current organization to the real
-- animal, in every organization, and marks the reference as replaced and archived. Each
-- changed row is audited with the acting user.
CREATE FUNCTION replace_reference(ref_id uuid, real_id uuid) RETURNS int
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
DECLARE
    moved int;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM animals WHERE id = ref_id AND org_id = app_org_id() AND is_reference) THEN
        RAISE EXCEPTION 'not a reference animal of this organization' USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE animals
    SET sire_id = CASE WHEN sire_id = ref_id THEN real_id ELSE sire_id END,
        dam_id = CASE WHEN dam_id = ref_id THEN real_id ELSE dam_id END,
        version = version + 1, updated_at = now()
    WHERE sire_id = ref_id OR dam_id = ref_id;
    GET DIAGNOSTICS moved = ROW_COUNT;
    UPDATE animals SET replaced_by = real_id, archived_at = now(), status = 'archived', version = version + 1, updated_at = now()
    WHERE id = ref_id;
    RETURN moved;
END
$$;
