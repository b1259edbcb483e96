-- Stripe events handled after their delivery is acknowledged (billing's) wait here for the
-- worker, instead of in a job queue: the delivery writes the event's row alone, in one
-- statement, so a burst of deliveries is answered as fast as rows can be written.
--
-- handle_at is when the worker is next to run the event's handler: set on arrival for the
-- types handled later, pushed back after a failed try, and cleared when the handler has run
-- (processed_at set) or when the tries are spent (processed_at left null, last_error saying
-- why, for support to look at). Null for every other event.
ALTER TABLE stripe_events
    ADD COLUMN handle_at  timestamptz,
    ADD COLUMN attempts   integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    ADD COLUMN last_error text CHECK (length(last_error) <= 2000);

-- The worker's claim: the due events, oldest first, and only those (a handful at most).
CREATE INDEX stripe_events_due_idx ON stripe_events (handle_at) WHERE handle_at IS NOT NULL;

-- Events waiting for the job that handled them before now wait for the worker's claim, and
-- those jobs, which no worker takes any more, go.
UPDATE stripe_events SET handle_at = received_at
 WHERE processed_at IS NULL
   AND type IN ('customer.subscription.created', 'customer.subscription.updated',
                'customer.subscription.deleted', 'invoice.paid', 'invoice.payment_failed',
                'invoice.payment_action_required', 'payment_method.attached');
DELETE FROM river_job WHERE kind = 'stripe_event' AND state NOT IN ('completed', 'cancelled', 'discarded');
