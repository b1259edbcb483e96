-- Imports the sweep looks after, across organizations: those not ended an hour past their
-- expiry, whose process would have ended them (expired, its file deleted) had it run; the
-- sweep ends those whose process is gone. The owner reads them; internal IDs only leave it.
CREATE FUNCTION imports_to_sweep(past_expiry interval)
    RETURNS TABLE (id uuid, org_id uuid, object_key text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    SELECT i.id, i.org_id, i.object_key FROM imports i
    WHERE i.finished_at IS NULL AND i.expires_at < now() - past_expiry ORDER BY i.expires_at LIMIT 500
$$;

DO $$
BEGIN
    EXECUTE format('CREATE POLICY imports_definer_read ON imports FOR SELECT TO %I USING (true)', current_user);
END
$$;
