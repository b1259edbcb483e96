-- Certificates still issuing long after their process would have ended them, across
-- organizations, for the sweep that marks failed those whose process is gone (its last step
-- failed, or it never started) and tells the requester. The owner reads them by the policy of
-- 0027_certificate_verification.
CREATE FUNCTION overdue_certificates(older_than interval)
    RETURNS TABLE (id uuid, org_id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    SELECT c.id, c.org_id FROM certificates c
    WHERE c.status = 'issuing' AND c.created_at < now() - older_than
    ORDER BY c.created_at LIMIT 500
$$;
