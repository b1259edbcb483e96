-- The Idempotency-Keys of answers to transfers: a retried accept, decline or cancel whose
-- first attempt went through is answered as it was, not refused as a transfer that ended.
CREATE TABLE transfer_answers (
    transfer_id uuid NOT NULL REFERENCES transfers (id),
    user_id     uuid NOT NULL REFERENCES users (id),
    answer      text NOT NULL CHECK (answer IN ('accept', 'decline', 'cancel')),
    key         text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (transfer_id, user_id, key)
);

ALTER TABLE transfer_answers ENABLE ROW LEVEL SECURITY;
ALTER TABLE transfer_answers FORCE ROW LEVEL SECURITY;
CREATE POLICY transfer_answers_own ON transfer_answers
    USING (user_id = (SELECT app_user_id())) WITH CHECK (user_id = (SELECT app_user_id()));
