-- One record per Idempotency-Key, for every POST that takes one: the key's scope (the
-- organization, the acting user and the operation), a hash of what the request asked, and,
-- once it succeeded, the response it got, replayed to a retry for 24 hours. While the first
-- request runs the key is locked until locked_until; a request that failed without an
-- answer leaves the key unlocked and unanswered, so that its retry runs again knowing so.
CREATE TABLE idempotency_keys (
    org_id           uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    operation        text NOT NULL CHECK (length(operation) BETWEEN 1 AND 200),
    key              text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    request_hash     bytea NOT NULL CHECK (length(request_hash) = 32),
    locked_until     timestamptz,
    response_status  int CHECK (response_status BETWEEN 200 AND 299),
    response_headers jsonb,
    response_body    bytea,
    created_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL DEFAULT now() + interval '24 hours',
    PRIMARY KEY (org_id, user_id, operation, key),
    CHECK ((response_status IS NULL) = (response_body IS NULL)),
    CHECK (response_status IS NULL OR locked_until IS NULL)
);
-- Expired records are deleted by the next claim in their organization.
CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (org_id, expires_at);

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY idempotency_keys_org ON idempotency_keys
    USING (org_id = (SELECT app_org_id())) WITH CHECK (org_id = (SELECT app_org_id()));

-- The three earlier stores of keys give way to it: the offer's columns and the answers'
-- table. Keys sent before this migration are not carried over; within a day of it, a
-- retried offer finds its animal on hold and a retried answer finds its transfer ended.
DROP TABLE transfer_answers;
ALTER TABLE transfers DROP COLUMN idempotency_key, DROP COLUMN request_hash;
