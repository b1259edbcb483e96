-- Certificates still issuing long after their process would have ended them, across
-- organizations, for the sweep that marks failed those whose process is gone (its last step
-- failed, or it never started) and tells the requester.
CREATE FUNCTION overdue_certificates(older_than interval)
    RETURNS TABLE (id uuid, org_id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    SELECT c.id, c.org_id FROM certificates c
    WHERE c.status = 'issuing' AND c.created_at < now() - older_than
    ORDER BY c.created_at LIMIT 500
$$;

-- The function's owner reads every organization's certificates through it; row security is
-- forced on the table, so the owner needs a policy of its own.
DO $$
BEGIN
    EXECUTE format('CREATE POLICY certificates_sweep_read ON certificates FOR SELECT TO %I USING (true)', current_user);
END
$$;
