-- Exports: every piece of an organization's data, as CSV files and one JSON document in a
-- ZIP, built by the export process (workflows/export) and downloaded by a presigned link
-- until it expires.

CREATE TYPE export_status AS ENUM ('running', 'ready', 'failed', 'expired');

CREATE TABLE exports (
    id           uuid PRIMARY KEY,
    public_id    text NOT NULL UNIQUE,
    org_id       uuid NOT NULL REFERENCES organizations (id),
    requested_by uuid NOT NULL REFERENCES users (id),
    status       export_status NOT NULL DEFAULT 'running',
    -- The ZIP in the bucket once ready, its size in bytes, and the rows of each file in it.
    object_key   text CHECK (length(object_key) BETWEEN 1 AND 1024),
    bytes        bigint CHECK (bytes > 0),
    files        jsonb NOT NULL DEFAULT '{}',
    -- Why a failed export failed, for people.
    problem      text CHECK (length(problem) <= 500),
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    -- When the ZIP and its link stop being kept: at most 7 days after it was ready.
    expires_at   timestamptz,
    CHECK ((status = 'running') = (finished_at IS NULL)),
    CHECK (status NOT IN ('ready', 'expired') OR (object_key IS NOT NULL AND bytes IS NOT NULL AND expires_at IS NOT NULL)),
    CHECK (expires_at IS NULL OR expires_at <= finished_at + interval '7 days'),
    CHECK (status <> 'failed' OR problem IS NOT NULL)
);
-- One export at a time per organization: another asked for while one runs is refused, so
-- that repeated requests cannot multiply the work.
CREATE UNIQUE INDEX exports_running_key ON exports (org_id) WHERE status = 'running';
CREATE INDEX exports_org_idx ON exports (org_id, created_at DESC, id);
-- Ready exports by when they expire, for the sweep that expires them.
CREATE INDEX exports_expiry_idx ON exports (expires_at) WHERE status = 'ready';

CREATE TRIGGER exports_audit AFTER INSERT OR UPDATE OR DELETE ON exports
    FOR EACH ROW EXECUTE FUNCTION audit_row('org_id', 'id');

ALTER TABLE exports ENABLE ROW LEVEL SECURITY;
ALTER TABLE exports FORCE ROW LEVEL SECURITY;
CREATE POLICY exports_tenant ON exports
    USING (org_id = (SELECT app_org_id())) WITH CHECK (org_id = (SELECT app_org_id()));
