-- Hourly limits follow the sender and the recipient, not only the organization: an account
-- counts what it sent from every organization it belongs to, and an address what it was
-- sent from all of them. Events carry the address (or organization) they were sent to under
-- payload 'recipient'; these indexes keep both counts to the last hour's rows.
CREATE INDEX events_actor_type_idx ON events (actor_user_id, type, occurred_at)
    WHERE actor_user_id IS NOT NULL;
CREATE INDEX events_recipient_type_idx ON events ((payload ->> 'recipient'), type, occurred_at)
    WHERE payload ? 'recipient';

-- The counts below run as the schema owner to read across organizations; when the owner is
-- not a superuser, FORCE'd row-level security would hide other tenants' events from it too.
DO $$
BEGIN
    EXECUTE format('CREATE POLICY events_definer_read ON events FOR SELECT TO %I USING (true)', current_user);
END
$$;

-- How many events of a type the acting user recorded since a moment, in any organization,
-- and when the oldest of them happened. Only counts leave the function.
CREATE FUNCTION events_by_acting_user(typ text, since timestamptz)
    RETURNS TABLE (n bigint, oldest timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    SELECT count(*), min(occurred_at) FROM events
    WHERE actor_user_id = app_user_id() AND type = typ AND occurred_at > since
$$;

-- How many events of a type were sent to a recipient since a moment, by any organization,
-- and when the oldest of them happened. Only counts leave the function.
CREATE FUNCTION events_to_recipient(typ text, recipient text, since timestamptz)
    RETURNS TABLE (n bigint, oldest timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    SELECT count(*), min(occurred_at) FROM events
    WHERE payload ? 'recipient' AND payload ->> 'recipient' = recipient AND type = typ AND occurred_at > since
$$;
