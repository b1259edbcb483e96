-- The pedigree graph held in the API's memory (package pedigree): read whole at start, then
-- kept current from notifications, delivered in commit order, for every pedigree row added
-- or relinked and every organization added or renamed. With the graph and the organizations'
-- names in memory, a pedigree chart reads only its animals' cards.

-- Each animal of the pedigree with its public ID, across organizations: what the API loads.
-- Owned by the schema owner like animal_card, so it reads every organization's animals; it
-- exposes only what animal_ref already gives anyone, an animal's public ID.
CREATE VIEW pedigree_graph AS
SELECT p.animal_id, a.public_id, p.sire_id, p.dam_id
FROM pedigree p
JOIN animals a ON a.id = p.animal_id;

-- Every organization's public ID and name, as organization_ref gives them: owners and
-- breeders of record are public.
CREATE VIEW organization_name AS
SELECT o.id, o.public_id, o.name FROM organizations o;

-- animal_card with the owner and breeder named by ID, which the API names from its copy of
-- organization_name: joining organizations costs more than reading the animals.
CREATE VIEW pedigree_card AS
SELECT a.id, v.visible,
       CASE WHEN v.visible THEN a.public_id END AS public_id,
       CASE WHEN v.visible THEN a.name END AS name,
       a.species_key,
       CASE WHEN v.visible THEN a.sex END AS sex,
       CASE WHEN v.visible THEN a.hatch_date END AS hatch_date,
       CASE WHEN v.visible THEN a.genetics_text END AS genetics_text,
       CASE WHEN v.visible THEN a.status END AS status,
       CASE WHEN v.visible THEN a.org_id END AS owner_id,
       CASE WHEN v.visible THEN a.breeder_org_id END AS breeder_id,
       CASE WHEN v.visible THEN a.is_reference END AS is_reference
FROM animals a
CROSS JOIN LATERAL (SELECT a.org_id = (SELECT app_org_id()) OR a.visibility = 'public' AS visible) v;

-- The payload is the row as it now stands, "animal sire dam public_id" with an empty field
-- for an unknown parent, so that applying the notifications in order on any earlier state
-- of the graph ends in the current one.
CREATE FUNCTION notify_pedigree() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
BEGIN
    PERFORM pg_notify('pedigree_changed', format('%s %s %s %s', NEW.animal_id, NEW.sire_id, NEW.dam_id,
        (SELECT a.public_id FROM animals a WHERE a.id = NEW.animal_id)));
    RETURN NULL;
END
$$;

CREATE TRIGGER pedigree_added AFTER INSERT ON pedigree
    FOR EACH ROW EXECUTE FUNCTION notify_pedigree();

CREATE TRIGGER pedigree_relinked AFTER UPDATE OF sire_id, dam_id ON pedigree
    FOR EACH ROW WHEN (OLD.sire_id IS DISTINCT FROM NEW.sire_id OR OLD.dam_id IS DISTINCT FROM NEW.dam_id)
    EXECUTE FUNCTION notify_pedigree();

-- "id public_id name", the organization as it now stands.
CREATE FUNCTION notify_organization_name() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('pedigree_organization', format('%s %s %s', NEW.id, NEW.public_id, NEW.name));
    RETURN NULL;
END
$$;

CREATE TRIGGER organizations_named AFTER INSERT ON organizations
    FOR EACH ROW EXECUTE FUNCTION notify_organization_name();

CREATE TRIGGER organizations_renamed AFTER UPDATE OF public_id, name ON organizations
    FOR EACH ROW WHEN (OLD.public_id IS DISTINCT FROM NEW.public_id OR OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION notify_organization_name();
