-- Imports: a spreadsheet of animals uploaded by a breeder, checked row by row (the dry run),
-- then applied in batches by the import process (workflows/imports). The file is kept only
-- until it is applied, cancelled or expires.

CREATE TYPE import_status AS ENUM ('uploading', 'checking', 'checked', 'applying', 'applied', 'failed', 'cancelled',
    'expired');

CREATE TABLE imports (
    id           uuid PRIMARY KEY,
    public_id    text NOT NULL UNIQUE,
    org_id       uuid NOT NULL REFERENCES organizations (id),
    created_by   uuid NOT NULL REFERENCES users (id),
    status       import_status NOT NULL DEFAULT 'uploading',
    -- The file as the breeder named it, its declared size, and where it is uploaded.
    file_name    text NOT NULL DEFAULT '' CHECK (length(file_name) <= 255),
    bytes        bigint NOT NULL CHECK (bytes BETWEEN 1 AND 67108864),
    object_key   text NOT NULL CHECK (length(object_key) BETWEEN 1 AND 1024),
    -- The columns the breeder mapped over those detected: header → field.
    mapping      jsonb NOT NULL DEFAULT '{}',
    -- The dry run's report, and the SHA-256 of the file it read: what is applied must be the
    -- same file.
    report       jsonb,
    checksum     text CHECK (checksum ~ '^[0-9a-f]{64}$'),
    -- Applying: the batches in all and those done, each done in the transaction that wrote
    -- its rows; the rows recorded new, updated and refused; the first problems of those refused.
    batches      int CHECK (batches >= 0),
    batches_done int NOT NULL DEFAULT 0 CHECK (batches_done >= 0 AND batches_done <= coalesce(batches, 0)),
    created      int NOT NULL DEFAULT 0 CHECK (created >= 0),
    updated      int NOT NULL DEFAULT 0 CHECK (updated >= 0),
    refused      int NOT NULL DEFAULT 0 CHECK (refused >= 0),
    apply_problems jsonb NOT NULL DEFAULT '[]',
    -- Why a failed import failed, for people.
    problem      text CHECK (length(problem) <= 500),
    created_at   timestamptz NOT NULL DEFAULT now(),
    checked_at   timestamptz,
    finished_at  timestamptz,
    -- When an import not applied by then is dropped with its file.
    expires_at   timestamptz NOT NULL,
    CHECK ((status IN ('applied', 'failed', 'cancelled', 'expired')) = (finished_at IS NOT NULL)),
    CHECK (status NOT IN ('checked', 'applying', 'applied') OR (report IS NOT NULL AND checksum IS NOT NULL)),
    CHECK (status <> 'failed' OR problem IS NOT NULL)
);
CREATE INDEX imports_org_idx ON imports (org_id, created_at DESC, id);
-- Imports not finished, by when they expire, for the sweep that drops those whose process is gone.
CREATE INDEX imports_expiry_idx ON imports (expires_at) WHERE finished_at IS NULL;

-- Audited as it is created and as its status changes; the counts each batch adds are not.
CREATE TRIGGER imports_audit AFTER INSERT OR DELETE OR UPDATE OF status ON imports
    FOR EACH ROW EXECUTE FUNCTION audit_row('org_id', 'id');

ALTER TABLE imports ENABLE ROW LEVEL SECURITY;
ALTER TABLE imports FORCE ROW LEVEL SECURITY;
CREATE POLICY imports_tenant ON imports
    USING (org_id = (SELECT app_org_id())) WITH CHECK (org_id = (SELECT app_org_id()));
