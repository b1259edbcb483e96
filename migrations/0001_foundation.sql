-- Foundation: organizations, users, memberships, refresh tokens, the audit log and the
-- domain-event store, with row-level security on every tenant table.

-- The tenant and the acting user are set per transaction with set_config(..., true).
CREATE FUNCTION app_org_id() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('app.org_id', true), '')::uuid $$;

CREATE FUNCTION app_user_id() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;

-- Users are people, not tenant data: one login across every organization they belong to.
CREATE TABLE users (
    id                uuid PRIMARY KEY,
    public_id         text NOT NULL UNIQUE,
    email             text NOT NULL,
    display_name      text NOT NULL,
    password_hash     text NOT NULL,
    email_verified_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE organizations (
    id             uuid PRIMARY KEY,
    public_id      text NOT NULL UNIQUE,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    created_by     uuid NOT NULL REFERENCES users (id),
    provisioned_at timestamptz,
    welcomed_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TYPE member_role AS ENUM ('owner', 'admin', 'keeper', 'viewer');

CREATE TABLE memberships (
    org_id     uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id),
    role       member_role NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

-- Refresh tokens are looked up by their hash before any tenant is known, so they are keyed
-- by user and carry the organization the session acts for. A session is one rotation family.
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY,
    session_id  uuid NOT NULL,
    user_id     uuid NOT NULL REFERENCES users (id),
    org_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    token_hash  bytea NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    replaced_by uuid
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

-- The audit log: every change to tenant data, written by triggers.
CREATE TABLE audit_log (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id        uuid NOT NULL,
    actor_user_id uuid,
    table_name    text NOT NULL,
    row_id        text NOT NULL,
    action        text NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    before        jsonb,
    after         jsonb,
    at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_org_idx ON audit_log (org_id, id);

-- The domain-event store: facts that matter to the business, appended in the transaction
-- that makes them true.
CREATE TABLE events (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id         uuid NOT NULL,
    type           text NOT NULL,
    aggregate_type text NOT NULL,
    aggregate_id   text NOT NULL,
    actor_user_id  uuid,
    payload        jsonb NOT NULL DEFAULT '{}',
    occurred_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_org_idx ON events (org_id, id);
CREATE INDEX events_aggregate_idx ON events (aggregate_type, aggregate_id, id);

-- audit_row records one row change. Arguments: the column holding the organization, then the
-- columns that identify the row. It runs as the table owner so the log itself can stay
-- read-only to the application role.
CREATE FUNCTION audit_row() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
DECLARE
    before_row jsonb;
    after_row  jsonb;
    src        jsonb;
    row_key    text := '';
    i          int;
BEGIN
    IF TG_OP <> 'INSERT' THEN before_row := to_jsonb(OLD); END IF;
    IF TG_OP <> 'DELETE' THEN after_row := to_jsonb(NEW); END IF;
    src := coalesce(after_row, before_row);
    FOR i IN 1 .. TG_NARGS - 1 LOOP
        IF i > 1 THEN row_key := row_key || '/'; END IF;
        row_key := row_key || (src ->> TG_ARGV[i]);
    END LOOP;
    INSERT INTO audit_log (org_id, actor_user_id, table_name, row_id, action, before, after)
    VALUES ((src ->> TG_ARGV[0])::uuid, app_user_id(), TG_TABLE_NAME, row_key,
            lower(TG_OP), before_row, after_row);
    RETURN NULL;
END
$$;

CREATE TRIGGER organizations_audit AFTER INSERT OR UPDATE OR DELETE ON organizations
    FOR EACH ROW EXECUTE FUNCTION audit_row('id', 'id');
CREATE TRIGGER memberships_audit AFTER INSERT OR UPDATE OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION audit_row('org_id', 'org_id', 'user_id');

-- The audit log and the event store are append-only, whoever connects.
CREATE FUNCTION refuse_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Row-level security. Reads see the current organization; a user also sees their own
-- memberships and the organizations they belong to (to list them at login). Writes are
-- confined to the current organization.
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY organizations_read ON organizations FOR SELECT
    USING (id = app_org_id()
        OR EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = organizations.id AND m.user_id = app_user_id()));
CREATE POLICY organizations_insert ON organizations FOR INSERT WITH CHECK (id = app_org_id());
CREATE POLICY organizations_update ON organizations FOR UPDATE
    USING (id = app_org_id()) WITH CHECK (id = app_org_id());
CREATE POLICY organizations_delete ON organizations FOR DELETE USING (id = app_org_id());

ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY memberships_read ON memberships FOR SELECT
    USING (org_id = app_org_id() OR user_id = app_user_id());
CREATE POLICY memberships_insert ON memberships FOR INSERT WITH CHECK (org_id = app_org_id());
CREATE POLICY memberships_update ON memberships FOR UPDATE
    USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
CREATE POLICY memberships_delete ON memberships FOR DELETE USING (org_id = app_org_id());

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_read ON audit_log FOR SELECT USING (org_id = app_org_id());
-- Only the audit trigger writes here (the application role has no INSERT privilege); the
-- policy keeps even the owner to the current organization when it is not a superuser.
CREATE POLICY audit_log_append ON audit_log FOR INSERT WITH CHECK (org_id = app_org_id());

ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
CREATE POLICY events_read ON events FOR SELECT USING (org_id = app_org_id());
CREATE POLICY events_append ON events FOR INSERT WITH CHECK (org_id = app_org_id());
