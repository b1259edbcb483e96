-- Everything ReptiDex holds about a person, asked for by them: built as one JSON document in
-- object storage by a job, downloaded by a presigned link until it expires.

CREATE TABLE personal_exports (
    id          uuid PRIMARY KEY,
    public_id   text NOT NULL UNIQUE,
    user_id     uuid NOT NULL REFERENCES users (id),
    status      export_status NOT NULL DEFAULT 'running',
    object_key  text CHECK (length(object_key) BETWEEN 1 AND 1024),
    bytes       bigint CHECK (bytes > 0),
    problem     text CHECK (length(problem) <= 500),
    created_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    expires_at  timestamptz,
    CHECK ((status = 'running') = (finished_at IS NULL)),
    CHECK (status NOT IN ('ready', 'expired') OR (object_key IS NOT NULL AND bytes IS NOT NULL AND expires_at IS NOT NULL)),
    CHECK (expires_at IS NULL OR expires_at <= finished_at + interval '7 days'),
    CHECK (status <> 'failed' OR problem IS NOT NULL)
);
-- One at a time per person: asking again while one is built is refused.
CREATE UNIQUE INDEX personal_exports_running_key ON personal_exports (user_id) WHERE status = 'running';
CREATE INDEX personal_exports_user_idx ON personal_exports (user_id, created_at DESC);

ALTER TABLE personal_exports ENABLE ROW LEVEL SECURITY;
ALTER TABLE personal_exports FORCE ROW LEVEL SECURITY;
CREATE POLICY personal_exports_own ON personal_exports
    USING (user_id = (SELECT app_user_id())) WITH CHECK (user_id = (SELECT app_user_id()));

-- personal_data answers everything held about the caller (app_user_id()), across
-- organizations, one item a row, by section: their account, memberships, sessions,
-- notifications and preferences, invitations they sent or received and transfers they offered
-- or were offered (received: at their address, once verified as theirs), orders they placed, and what they did (events and audited changes, without
-- the rows' contents, which are the organizations'). Each item carries when it happened.
CREATE FUNCTION personal_data()
    RETURNS TABLE (section text, item jsonb, at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    WITH me AS (SELECT * FROM users WHERE id = app_user_id())
    SELECT 'account', jsonb_build_object('id', me.public_id, 'email', me.email, 'display_name', me.display_name,
            'phone', me.phone, 'email_verified_at', me.email_verified_at, 'phone_verified_at', me.phone_verified_at,
            'platform_admin', me.platform_admin, 'created_at', me.created_at, 'updated_at', me.updated_at), me.created_at
        FROM me
    UNION ALL
    SELECT 'memberships', jsonb_build_object('organization_id', o.public_id, 'organization', o.name, 'role', m.role,
            'since', m.created_at), m.created_at
        FROM me JOIN memberships m ON m.user_id = me.id JOIN organizations o ON o.id = m.org_id
    UNION ALL
    SELECT 'sessions', jsonb_build_object('session_id', r.session_id, 'organization_id', o.public_id, 'created_at', r.created_at,
            'expires_at', r.expires_at, 'revoked_at', r.revoked_at), r.created_at
        FROM me JOIN refresh_tokens r ON r.user_id = me.id LEFT JOIN organizations o ON o.id = r.org_id
    UNION ALL
    SELECT 'notifications', jsonb_build_object('id', n.public_id, 'type', n.type, 'title', n.title, 'body', n.body,
            'link', n.link, 'created_at', n.created_at, 'read_at', n.read_at), n.created_at
        FROM me JOIN notifications n ON n.user_id = me.id
    UNION ALL
    SELECT 'notification_preferences', jsonb_build_object('type', p.type, 'channels', p.channels, 'updated_at', p.updated_at),
            p.updated_at
        FROM me JOIN notification_preferences p ON p.user_id = me.id
    UNION ALL
    SELECT 'invitations', jsonb_build_object('id', i.public_id, 'organization_id', o.public_id, 'organization', o.name,
            'email', i.email, 'role', i.role, 'sent_by_you', i.invited_by = me.id, 'created_at', i.created_at,
            'accepted_at', i.accepted_at, 'revoked_at', i.revoked_at), i.created_at
        FROM me JOIN invitations i ON i.invited_by = me.id OR me.email_verified_at IS NOT NULL AND lower(i.email) = lower(me.email)
        JOIN organizations o ON o.id = i.org_id
    UNION ALL
    SELECT 'transfers', jsonb_build_object('id', t.public_id, 'animal_id', t.animal_public_id, 'animal', t.animal_name,
            'offered_by_you', t.offered_by = me.id, 'recipient_email', t.recipient_email, 'message', t.message,
            'status', t.status, 'reason', t.reason, 'created_at', t.created_at, 'ended_at', t.ended_at), t.created_at
        FROM me JOIN transfers t ON t.offered_by = me.id OR me.email_verified_at IS NOT NULL AND lower(t.recipient_email) = lower(me.email)
    UNION ALL
    SELECT 'orders', jsonb_build_object('id', d.public_id, 'amount', d.amount, 'currency', d.currency, 'status', d.status,
            'ship_to', d.ship_to, 'created_at', d.created_at, 'ended_at', d.ended_at), d.created_at
        FROM me JOIN orders d ON d.buyer_user_id = me.id
    UNION ALL
    SELECT 'events', jsonb_build_object('type', e.type, 'subject', e.aggregate_type, 'subject_id', e.aggregate_id,
            'organization_id', o.public_id, 'at', e.occurred_at), e.occurred_at
        FROM me JOIN events e ON e.actor_user_id = me.id LEFT JOIN organizations o ON o.id = e.org_id
    UNION ALL
    SELECT 'changes', jsonb_build_object('table', a.table_name, 'row', a.row_id, 'action', a.action,
            'organization_id', o.public_id, 'at', a.at), a.at
        FROM me JOIN audit_log a ON a.actor_user_id = me.id LEFT JOIN organizations o ON o.id = a.org_id
$$;

-- What a person did, found by them, for personal_data and for the erasure of an account.
CREATE INDEX audit_log_actor_idx ON audit_log (actor_user_id) WHERE actor_user_id IS NOT NULL;
