-- Exports the sweep looks after, across organizations: ready ones past their expiry (their
-- ZIP is deleted and they are marked expired), and ones still running long after their
-- process would have ended them (marked failed when their process is gone, so that the
-- organization can export again). The owner reads them; internal IDs only leave it.
CREATE FUNCTION exports_to_sweep(running_longer_than interval)
    RETURNS TABLE (id uuid, org_id uuid, status export_status)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    (SELECT e.id, e.org_id, e.status FROM exports e
     WHERE e.status = 'ready' AND e.expires_at <= now() ORDER BY e.expires_at LIMIT 500)
    UNION ALL
    (SELECT e.id, e.org_id, e.status FROM exports e
     WHERE e.status = 'running' AND e.created_at < now() - running_longer_than ORDER BY e.created_at LIMIT 500)
$$;

DO $$
BEGIN
    EXECUTE format('CREATE POLICY exports_definer_read ON exports FOR SELECT TO %I USING (true)', current_user);
END
$$;
