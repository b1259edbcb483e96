-- Notifications: an inbox per person, deliveries per channel, preferences, verified phone
-- numbers and email addresses, unsubscribes, and invitations into an organization.

-- A phone number is used for SMS only once the person has proved it with a code.
ALTER TABLE users
    ADD COLUMN phone                text,
    ADD COLUMN phone_verified_at    timestamptz,
    ADD COLUMN phone_code_hash      bytea,
    ADD COLUMN phone_code_expires_at timestamptz,
    ADD COLUMN phone_code_attempts  int NOT NULL DEFAULT 0;

CREATE TYPE notification_channel AS ENUM ('in_app', 'email', 'sms');

-- One notification is one message to one person (an account, or an email address without
-- one). Its dedup key makes recording it again — a retried activity, a duplicated event —
-- return the first one instead of sending twice. org_id is the organization it is sent for.
CREATE TABLE notifications (
    id           uuid PRIMARY KEY,
    public_id    text NOT NULL UNIQUE,
    dedup_key    text NOT NULL UNIQUE,
    org_id       uuid REFERENCES organizations (id) ON DELETE CASCADE,
    user_id      uuid REFERENCES users (id),
    email        text,
    type         text NOT NULL,
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body         text NOT NULL CHECK (length(body) <= 5000),
    link         text,
    action_label text,
    needs_action boolean NOT NULL DEFAULT false,
    data         jsonb NOT NULL DEFAULT '{}',
    read_at      timestamptz,
    actioned_at  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (user_id IS NOT NULL OR (email IS NOT NULL AND org_id IS NOT NULL))
);
CREATE INDEX notifications_inbox_idx ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;

-- Each channel of a notification is delivered at most once: pending until the job sends it,
-- then sent, or failed for good (a rejected address), or skipped (the person opted out or
-- acted before an escalation reached this channel).
CREATE TABLE notification_deliveries (
    notification_id uuid NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    channel         notification_channel NOT NULL,
    user_id         uuid,
    org_id          uuid,
    address         text NOT NULL DEFAULT '',
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
    attempts        int NOT NULL DEFAULT 0,
    last_error      text,
    provider_id     text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    PRIMARY KEY (notification_id, channel)
);

-- Which channels a person wants for a type; types without a row use the type's defaults.
CREATE TABLE notification_preferences (
    user_id    uuid NOT NULL REFERENCES users (id),
    type       text NOT NULL,
    channels   notification_channel[] NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, type)
);

-- Addresses without an account that asked for no more email of a type.
CREATE TABLE email_unsubscribes (
    email      text NOT NULL,
    type       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (email, type)
);

-- Email verification: a token (only its hash is kept) proves the person reads the address.
CREATE TABLE email_verifications (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id),
    email      text NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_verifications_user_idx ON email_verifications (user_id);

-- Invitations into an organization with a role, accepted with the emailed token.
CREATE TABLE invitations (
    id          uuid PRIMARY KEY,
    public_id   text NOT NULL UNIQUE,
    org_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email       text NOT NULL,
    role        member_role NOT NULL,
    token_hash  bytea NOT NULL UNIQUE,
    invited_by  uuid NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    accepted_by uuid REFERENCES users (id),
    revoked_at  timestamptz
);
-- One open invitation per address and organization.
CREATE UNIQUE INDEX invitations_open_key ON invitations (org_id, lower(email))
    WHERE accepted_at IS NULL AND revoked_at IS NULL;

CREATE TRIGGER invitations_audit AFTER INSERT OR UPDATE OR DELETE ON invitations
    FOR EACH ROW EXECUTE FUNCTION audit_row('org_id', 'id');

-- A person sees their own notifications; an organization sees those it sent (the worker
-- delivers them in its name, including to addresses without an account).
ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE notifications FORCE ROW LEVEL SECURITY;
CREATE POLICY notifications_party ON notifications
    USING (user_id = (SELECT app_user_id()) OR org_id = (SELECT app_org_id()))
    WITH CHECK (user_id = (SELECT app_user_id()) OR org_id = (SELECT app_org_id()));

ALTER TABLE notification_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY notification_deliveries_party ON notification_deliveries
    USING (user_id = (SELECT app_user_id()) OR org_id = (SELECT app_org_id()))
    WITH CHECK (user_id = (SELECT app_user_id()) OR org_id = (SELECT app_org_id()));

ALTER TABLE notification_preferences ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_preferences FORCE ROW LEVEL SECURITY;
CREATE POLICY notification_preferences_own ON notification_preferences
    USING (user_id = (SELECT app_user_id())) WITH CHECK (user_id = (SELECT app_user_id()));

ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY invitations_tenant ON invitations
    USING (org_id = (SELECT app_org_id())) WITH CHECK (org_id = (SELECT app_org_id()));

-- An invitation is found by its token before the caller acts for its organization; this
-- reveals only the invitation the token belongs to.
CREATE FUNCTION invitation_by_token(hash bytea)
    RETURNS TABLE (id uuid, public_id text, org_id uuid, org_name text, email text, role member_role,
                   invited_by_name text, expires_at timestamptz, accepted_at timestamptz, revoked_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    SELECT i.id, i.public_id, i.org_id, o.name, i.email, i.role, u.display_name, i.expires_at, i.accepted_at, i.revoked_at
    FROM invitations i
    JOIN organizations o ON o.id = i.org_id
    JOIN users u ON u.id = i.invited_by
    WHERE i.token_hash = hash
    $$;

-- The channels a person chose for a type, readable by whoever notifies them (an admin
-- messaging the members, a workflow acting for another organization); NULL when unchosen.
CREATE FUNCTION notification_channels(recipient uuid, notification_type text)
    RETURNS notification_channel[]
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT channels FROM notification_preferences WHERE user_id = recipient AND type = notification_type $$;
