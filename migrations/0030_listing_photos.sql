-- A listing shows its animal's photos, primary first then in order: to anyone while it is
-- active, and to its seller always, whether or not the animal itself is public, since
-- listing an animal offers it to be looked at. Only the photos the seller keeps show: once
-- the animal has changed hands its photos are the new owner's, and its old listing no longer
-- shows them. per_listing bounds the photos of each listing (NULL: all of them), so that a
-- page of listings reads its covers in one statement.
CREATE FUNCTION listing_photos(listing_ids uuid[], per_listing integer)
    RETURNS TABLE (listing_id uuid, public_id text, width integer, height integer, original_key text,
                   thumbnail_key text, is_primary boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    SELECT p.listing_id, p.public_id, p.width, p.height, p.original_key, p.thumbnail_key, p.is_primary FROM (
        SELECT l.id AS listing_id, m.public_id, m.width, m.height, m.original_key, m.thumbnail_key, m.is_primary,
            row_number() OVER (PARTITION BY l.id ORDER BY m.is_primary DESC, m.position, m.created_at, m.id) AS n
        FROM listings l
        JOIN media m ON m.animal_id = l.animal_id AND m.org_id = l.org_id AND m.status = 'ready'
        WHERE l.id = ANY(listing_ids) AND (l.status = 'active' OR l.org_id = app_org_id())
    ) p
    WHERE per_listing IS NULL OR p.n <= per_listing
    ORDER BY p.listing_id, p.n
$$;
