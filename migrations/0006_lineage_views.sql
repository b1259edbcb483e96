-- Faster pedigree reads. SECURITY DEFINER functions are planned anew on every call and never
-- inlined; these views give the same answers but are planned once per connection, inside the
-- query that uses them. They are owned by the schema owner, so they read across
-- organizations like the functions did, and expose only what the functions exposed.

-- What the current organization may see of any animal: everything shown on a pedigree for
-- its own animals and other breeders' public ones, and only that it exists otherwise.
CREATE VIEW animal_card AS
SELECT a.id, a.sire_id, a.dam_id, v.visible,
       CASE WHEN v.visible THEN a.public_id END AS public_id,
       CASE WHEN v.visible THEN a.name END AS name,
       a.species_key,
       CASE WHEN v.visible THEN a.sex END AS sex,
       CASE WHEN v.visible THEN a.hatch_date END AS hatch_date,
       CASE WHEN v.visible THEN a.genetics_text END AS genetics_text,
       CASE WHEN v.visible THEN a.status END AS status,
       CASE WHEN v.visible THEN o.public_id END AS owner_public_id,
       CASE WHEN v.visible THEN o.name END AS owner_name,
       CASE WHEN v.visible THEN b.public_id END AS breeder_public_id,
       CASE WHEN v.visible THEN b.name END AS breeder_name,
       CASE WHEN v.visible THEN a.is_reference END AS is_reference
FROM animals a
CROSS JOIN LATERAL (SELECT a.org_id = (SELECT app_org_id()) OR a.visibility = 'public' AS visible) v
JOIN organizations o ON o.id = a.org_id
LEFT JOIN organizations b ON b.id = a.breeder_org_id;

-- The animals the current organization may look up by public ID: its own and public ones
-- (as parent_candidate). A security barrier keeps callers' conditions from running before
-- the visibility filter.
CREATE VIEW visible_animal WITH (security_barrier) AS
SELECT a.id, a.public_id, a.species_key, a.sex, a.hatch_date, a.archived_at IS NOT NULL AS archived
FROM animals a
WHERE a.org_id = (SELECT app_org_id()) OR a.visibility = 'public';

-- Policies compare with the tenant once per statement, not once per row.
ALTER POLICY animals_tenant ON animals USING (org_id = (SELECT app_org_id())) WITH CHECK (org_id = (SELECT app_org_id()));
ALTER POLICY pairings_tenant ON pairings USING (org_id = (SELECT app_org_id())) WITH CHECK (org_id = (SELECT app_org_id()));
ALTER POLICY clutches_tenant ON clutches USING (org_id = (SELECT app_org_id())) WITH CHECK (org_id = (SELECT app_org_id()));
ALTER POLICY events_read ON events USING (org_id = (SELECT app_org_id()));
ALTER POLICY events_append ON events WITH CHECK (org_id = (SELECT app_org_id()));
ALTER POLICY audit_log_read ON audit_log USING (org_id = (SELECT app_org_id()));
ALTER POLICY memberships_read ON memberships USING (org_id = (SELECT app_org_id()) OR user_id = (SELECT app_user_id()));

-- The views replace it.
DROP FUNCTION animal_cards(uuid[]);
