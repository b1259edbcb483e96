-- A browse page's cursor names the last listing of the page before; when that listing has
-- been sold or withdrawn since, the next page still starts after where it stood. This
-- answers a listing's place in every browse order (when it was listed, its price, its ID) for
-- any listing, whoever asks: what it reveals was public while the listing was.
CREATE FUNCTION listing_position(listing_public_id text)
    RETURNS TABLE (created_at timestamptz, price bigint, id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT l.created_at, l.price, l.id FROM listings l WHERE l.public_id = listing_public_id $$;
