-- Stripe's webhook events, as received: kept for audit, and the record that each event is
-- processed once. The webhook inserts an event's row before it acts on it; an event whose id
-- is already here was received before and is not processed again.
--
-- No organization owns a row: the webhook runs before any tenant is known (the event names a
-- PaymentIntent or a connected account, which the handlers resolve to an order or an
-- organization), so the table is exempt from row-level security, and read only by the
-- webhook and by platform support.
CREATE TABLE stripe_events (
    id           text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 255),
    type         text NOT NULL CHECK (length(type) BETWEEN 1 AND 255),
    api_version  text NOT NULL,
    -- The connected account the event happened on; null for the platform's own.
    account      text,
    -- When Stripe created the event.
    created      timestamptz NOT NULL,
    payload      jsonb NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    -- When its handler finished; null while it has none or has not finished.
    processed_at timestamptz
);
CREATE INDEX stripe_events_type_idx ON stripe_events (type, created);
