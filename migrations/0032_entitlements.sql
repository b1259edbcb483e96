-- Entitlements: a plan's limits are enforced (billing.Check), plans change with their effects
-- (billing.SetPlan), and support may grant a plan to an organization (billing.Grant). Nothing
-- here counts usage in a column that could drift: every counter is derived from the rows in
-- the transaction that checks it.

-- The plan support granted (comp accounts), kept apart from the subscribed plan: the
-- organization is on the better of the two (plan_key, written only by billing.SetPlan).
ALTER TABLE organizations ADD COLUMN granted_plan_key text REFERENCES plans (key);

-- A listing paused by the plan: off the marketplace (not public, no orders), its animal still
-- held, back on sale as soon as the plan allows (an upgrade restores it at once, or its seller
-- resumes it within the limit). Not withdrawn, not deleted. The new enum value cannot be used
-- in this transaction, so the check compares its text.
ALTER TYPE listing_status ADD VALUE IF NOT EXISTS 'paused';
ALTER TABLE listings ADD COLUMN paused_at timestamptz;
ALTER TABLE listings ADD CONSTRAINT listings_paused_at CHECK ((status::text = 'paused') = (paused_at IS NOT NULL));

-- Counting what a plan limits per calendar month (UTC) reads rows of the organization that its
-- members' row-level security hides from one another (another member's text messages) or that
-- belong to another organization (the certificate a re-issue superseded). These functions
-- count for the caller's organization only, and answer a number. (SELECT app_org_id()) is
-- read once per statement, not once per row.
CREATE FUNCTION plan_sms_used(since timestamptz) RETURNS int
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    SELECT count(*)::int FROM notification_deliveries
    WHERE org_id = (SELECT app_org_id()) AND channel = 'sms' AND status IN ('pending', 'sent') AND created_at >= since
$$;

-- Certificates requested this month: a certificate that failed is not counted, nor one that
-- re-issued a previous owner's certificate when the animal moved here (it was not asked for).
CREATE FUNCTION plan_certificates_used(since timestamptz) RETURNS int
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    SELECT count(*)::int FROM certificates c
    WHERE c.org_id = (SELECT app_org_id()) AND c.created_at >= since AND c.status <> 'failed'
      AND NOT EXISTS (SELECT 1 FROM certificates p WHERE p.superseded_by = c.id AND p.org_id <> c.org_id)
$$;

CREATE INDEX notification_deliveries_sms_idx ON notification_deliveries (org_id, created_at) WHERE channel = 'sms';
CREATE INDEX certificates_org_created_idx ON certificates (org_id, created_at);
CREATE INDEX certificates_superseded_by_idx ON certificates (superseded_by) WHERE superseded_by IS NOT NULL;

-- The functions' owner reads under forced row-level security like everyone else, so it
-- needs a policy of its own for the deliveries (certificates have one since 0027).
DO $$
BEGIN
    EXECUTE format('CREATE POLICY notification_deliveries_definer_read ON notification_deliveries FOR SELECT TO %I USING (true)', current_user);
END
$$;
