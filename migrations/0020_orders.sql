-- Orders: a buyer's purchase of a listing, run by the sale workflow (sale/<order>) from the
-- card's authorization to the seller's payout and the animal's ownership move. The row is
-- the order as people see it (status, deadlines, shipping, the Stripe objects); its money is
-- in the ledger, which now names the order by foreign key.

CREATE TYPE order_status AS ENUM (
    'placed',           -- recorded; the sale is asking Stripe for the payment
    'awaiting_payment', -- the buyer is to authorize the card (the PaymentIntent's client secret)
    'paid',             -- authorized on the card; the seller is to ship
    'shipped',          -- captured; on its way
    'delivered',        -- arrived; the live-arrival window is open
    'problem',          -- the buyer reported a problem; a platform admin decides
    'completed',        -- the seller was paid and the animal moved to the buyer
    'cancelled',        -- ended before capture; the authorization released
    'failed',           -- the payment failed; nothing was taken
    'refunded'          -- ended after capture with the buyer refunded in full
);

CREATE FUNCTION order_status_open(s order_status) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT s IN ('placed', 'awaiting_payment', 'paid', 'shipped', 'delivered', 'problem') $$;

CREATE TABLE orders (
    id                      uuid PRIMARY KEY,
    public_id               text NOT NULL UNIQUE,
    listing_id              uuid NOT NULL REFERENCES listings (id),
    -- The selling organization, and the buying one with the person who ordered.
    org_id                  uuid NOT NULL REFERENCES organizations (id),
    buyer_org_id            uuid NOT NULL REFERENCES organizations (id),
    buyer_user_id           uuid NOT NULL REFERENCES users (id),
    animal_id               uuid NOT NULL REFERENCES animals (id),
    -- The listing's price at order, and the platform's part of it, in minor units.
    amount                  bigint NOT NULL CHECK (amount > 0 AND amount <= 100000000),
    currency                text NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
    platform_fee            bigint NOT NULL CHECK (platform_fee >= 0 AND platform_fee < amount),
    status                  order_status NOT NULL DEFAULT 'placed',
    -- The listing's terms at order.
    ships_within_days       integer NOT NULL CHECK (ships_within_days BETWEEN 1 AND 30),
    live_arrival_hours      integer NOT NULL CHECK (live_arrival_hours BETWEEN 1 AND 168),
    ship_to                 text NOT NULL CHECK (ship_to ~ '^[A-Z]{2}$'),
    -- Stripe: the PaymentIntent authorized at order, its client secret (shown to the buyer
    -- alone, to confirm the card), and the charge it captured.
    payment_intent_id       text CHECK (length(payment_intent_id) BETWEEN 1 AND 255),
    payment_client_secret   text CHECK (length(payment_client_secret) BETWEEN 1 AND 500),
    charge_id               text CHECK (length(charge_id) BETWEEN 1 AND 255),
    -- Deadlines, set by the sale as it reaches each stage.
    payment_due_at          timestamptz NOT NULL,
    ship_by                 timestamptz,
    arrival_window_ends_at  timestamptz,
    carrier                 text CHECK (length(carrier) BETWEEN 1 AND 100),
    tracking_number         text CHECK (length(tracking_number) BETWEEN 1 AND 100),
    authorized_at           timestamptz,
    shipped_at              timestamptz,
    delivered_at            timestamptz,
    confirmed_at            timestamptz,
    problem                 text CHECK (length(problem) <= 2000),
    resolution              text CHECK (length(resolution) <= 2000),
    -- A dispute the buyer opened with the card issuer (Stripe's charge.dispute.created).
    disputed_at             timestamptz,
    -- Why the order ended as it did, for people.
    outcome                 text CHECK (length(outcome) <= 500),
    version                 integer NOT NULL DEFAULT 1,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    ended_at                timestamptz,
    CHECK (org_id <> buyer_org_id),
    CHECK (order_status_open(status) = (ended_at IS NULL))
);
-- One buyer at a time: a listing has at most one open order, whatever the application does.
CREATE UNIQUE INDEX orders_open_listing_key ON orders (listing_id) WHERE order_status_open(status);
CREATE INDEX orders_seller_idx ON orders (org_id, created_at DESC, id);
CREATE INDEX orders_buyer_idx ON orders (buyer_org_id, created_at DESC, id);
CREATE INDEX orders_payment_intent_idx ON orders (payment_intent_id) WHERE payment_intent_id IS NOT NULL;

CREATE TABLE order_timeline (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id      uuid NOT NULL REFERENCES orders (id),
    kind          text NOT NULL CHECK (length(kind) BETWEEN 1 AND 50),
    actor_user_id uuid REFERENCES users (id),
    detail        text NOT NULL DEFAULT '' CHECK (length(detail) <= 2000),
    at            timestamptz NOT NULL DEFAULT now(),
    -- An activity retried notes its step once.
    UNIQUE (order_id, kind, detail)
);

CREATE TRIGGER orders_audit AFTER INSERT OR UPDATE OR DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION audit_row('org_id', 'id');

-- An order checks, as it is placed, that its listing is open, unreserved and the seller's,
-- and that it copies the listing's price and terms; and it keeps the listing's reservation:
-- reserved by the order while it is open, free again when it ends unsold, sold when it
-- completes. It runs as the schema owner because the buyer places the order but the listing
-- is the seller's.
CREATE FUNCTION order_listing() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
DECLARE
    l listings;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT * INTO l FROM listings WHERE id = NEW.listing_id FOR UPDATE;
        IF NOT FOUND OR l.status <> 'active' THEN
            RAISE EXCEPTION 'listing is not for sale' USING ERRCODE = 'object_not_in_prerequisite_state',
                CONSTRAINT = 'order_listing_open';
        END IF;
        IF l.reserved_by IS NOT NULL THEN
            RAISE EXCEPTION 'listing is reserved by another order' USING ERRCODE = 'object_not_in_prerequisite_state',
                CONSTRAINT = 'order_listing_reserved';
        END IF;
        IF l.org_id <> NEW.org_id OR l.animal_id <> NEW.animal_id OR l.price <> NEW.amount OR l.currency <> NEW.currency
           OR l.ships_within_days <> NEW.ships_within_days OR l.live_arrival_hours <> NEW.live_arrival_hours THEN
            RAISE EXCEPTION 'order does not match its listing' USING ERRCODE = 'check_violation',
                CONSTRAINT = 'order_matches_listing';
        END IF;
        UPDATE listings SET reserved_by = NEW.id, updated_at = now() WHERE id = NEW.listing_id;
    ELSIF order_status_open(OLD.status) AND NOT order_status_open(NEW.status) THEN
        IF NEW.status = 'completed' THEN
            UPDATE listings SET status = 'sold', sold_at = now(), reserved_by = NULL, version = version + 1, updated_at = now()
            WHERE id = NEW.listing_id AND reserved_by = NEW.id;
        ELSE
            UPDATE listings SET reserved_by = NULL, updated_at = now()
            WHERE id = NEW.listing_id AND reserved_by = NEW.id;
        END IF;
    ELSIF NOT order_status_open(OLD.status) AND NEW.status IS DISTINCT FROM OLD.status THEN
        RAISE EXCEPTION 'order % has ended (%)', OLD.public_id, OLD.status USING ERRCODE = 'object_not_in_prerequisite_state',
            CONSTRAINT = 'order_ended';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER orders_listing AFTER INSERT OR UPDATE OF status ON orders
    FOR EACH ROW EXECUTE FUNCTION order_listing();

-- An order is seen and written by the two organizations it is between; the buyer places it.
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE orders FORCE ROW LEVEL SECURITY;
CREATE POLICY orders_parties ON orders FOR SELECT
    USING (org_id = (SELECT app_org_id()) OR buyer_org_id = (SELECT app_org_id()));
CREATE POLICY orders_insert ON orders FOR INSERT WITH CHECK (buyer_org_id = (SELECT app_org_id()));
CREATE POLICY orders_update ON orders FOR UPDATE
    USING (org_id = (SELECT app_org_id()) OR buyer_org_id = (SELECT app_org_id()))
    WITH CHECK (org_id = (SELECT app_org_id()) OR buyer_org_id = (SELECT app_org_id()));

ALTER TABLE order_timeline ENABLE ROW LEVEL SECURITY;
ALTER TABLE order_timeline FORCE ROW LEVEL SECURITY;
CREATE POLICY order_timeline_parties ON order_timeline FOR SELECT
    USING (EXISTS (SELECT 1 FROM orders o WHERE o.id = order_id));
CREATE POLICY order_timeline_insert ON order_timeline FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM orders o WHERE o.id = order_id));

-- The ledger now names its order by key, and its parties must be the order's.
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_order_fkey FOREIGN KEY (order_id) REFERENCES orders (id);

-- The fee joins what is paid out of the captured money:
--   transferred + refunded + fee <= captured
-- and an order is settled when the three add up to what was captured.
CREATE OR REPLACE FUNCTION check_ledger_entry() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
DECLARE
    other      ledger_entries;
    authorized bigint;
    released   bigint;
    captured   bigint;
    paid_out   bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('ledger/' || NEW.order_id::text, 0));
    IF NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = NEW.order_id AND o.org_id = NEW.organization_id
                   AND o.buyer_org_id = NEW.buyer_organization_id AND o.currency = NEW.currency) THEN
        RAISE EXCEPTION 'ledger: order % has another seller, buyer or currency', NEW.order_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_one_party';
    END IF;
    SELECT * INTO other FROM ledger_entries
    WHERE order_id = NEW.order_id AND id <> NEW.id
      AND (currency <> NEW.currency OR organization_id <> NEW.organization_id
           OR buyer_organization_id <> NEW.buyer_organization_id)
    LIMIT 1;
    IF FOUND AND other.currency <> NEW.currency THEN
        RAISE EXCEPTION 'ledger: order % is in %, not %', NEW.order_id, other.currency, NEW.currency
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_one_currency';
    ELSIF FOUND THEN
        RAISE EXCEPTION 'ledger: order % has another seller or buyer', NEW.order_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_one_party';
    END IF;
    SELECT coalesce(sum(amount) FILTER (WHERE kind = 'authorized'), 0),
           coalesce(sum(amount) FILTER (WHERE kind = 'authorization_released'), 0),
           coalesce(sum(amount) FILTER (WHERE kind = 'captured'), 0),
           coalesce(sum(amount) FILTER (WHERE kind IN ('transferred', 'refunded', 'fee')), 0)
    INTO authorized, released, captured, paid_out
    FROM ledger_entries WHERE order_id = NEW.order_id;
    IF released > authorized THEN
        RAISE EXCEPTION 'ledger: order % would release % of % authorized', NEW.order_id, released, authorized
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_released_within_authorized';
    END IF;
    IF captured > authorized - released THEN
        RAISE EXCEPTION 'ledger: order % would capture % of % authorized and % released',
            NEW.order_id, captured, authorized, released
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_captured_within_authorized';
    END IF;
    IF paid_out > captured THEN
        RAISE EXCEPTION 'ledger: order % would pay out % (transferred, refunded and fee) of % captured',
            NEW.order_id, paid_out, captured
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_paid_within_captured';
    END IF;
    RETURN NULL;
END
$$;

DROP VIEW ledger_order_money;
CREATE VIEW ledger_order_money WITH (security_invoker = true) AS
SELECT order_id,
       min(currency) AS currency,
       coalesce(sum(amount) FILTER (WHERE kind = 'authorized'), 0)::bigint AS authorized,
       coalesce(sum(amount) FILTER (WHERE kind = 'authorization_released'), 0)::bigint AS released,
       coalesce(sum(amount) FILTER (WHERE kind = 'captured'), 0)::bigint AS captured,
       coalesce(sum(amount) FILTER (WHERE kind = 'transferred'), 0)::bigint AS transferred,
       coalesce(sum(amount) FILTER (WHERE kind = 'refunded'), 0)::bigint AS refunded,
       coalesce(sum(amount) FILTER (WHERE kind = 'fee'), 0)::bigint AS fee,
       coalesce(sum(amount) FILTER (WHERE kind IN ('transferred', 'refunded', 'fee')), 0)
           = coalesce(sum(amount) FILTER (WHERE kind = 'captured'), 0)
       AND coalesce(sum(amount) FILTER (WHERE kind = 'authorized'), 0)
           = coalesce(sum(amount) FILTER (WHERE kind IN ('authorization_released', 'captured')), 0)
           AS settled
FROM ledger_entries
GROUP BY order_id;

-- A sale's ownership move is the transfers' move: the sale records a transfer from the
-- seller to the buyer's organization, already accepted by the order, and moves the animal
-- with move_animal, so the animal's history, events and audit are written one way whichever
-- way it changed hands.
ALTER TABLE transfers ADD COLUMN order_id uuid UNIQUE REFERENCES orders (id);

-- sell_animal moves the animal of a paid order to the buyer's organization, acting for the
-- buyer (app.org_id) and the person who ordered (app.user_id): the listing's hold becomes the
-- sale's transfer, which move_animal carries out. Run again for the same order it changes
-- nothing and returns false.
CREATE FUNCTION sell_animal(sold_order uuid) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
DECLARE
    o          orders;
    l          listings;
    transfer   uuid;
BEGIN
    SELECT * INTO o FROM orders WHERE id = sold_order FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'order % does not exist', sold_order USING ERRCODE = 'no_data_found';
    END IF;
    IF o.buyer_org_id IS DISTINCT FROM app_org_id() OR o.buyer_user_id IS DISTINCT FROM app_user_id() THEN
        RAISE EXCEPTION 'the sale moves the animal for the buyer' USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT id INTO transfer FROM transfers WHERE order_id = sold_order;
    IF FOUND THEN
        RETURN move_animal(transfer, o.buyer_org_id, o.buyer_user_id);
    END IF;
    IF NOT order_status_open(o.status) THEN
        RAISE EXCEPTION 'order % has ended (%)', o.public_id, o.status USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    SELECT * INTO l FROM listings WHERE id = o.listing_id;
    transfer := gen_random_uuid();
    INSERT INTO transfers (id, public_id, org_id, animal_id, animal_public_id, animal_name, species_key,
                           genetics_text, offered_by, recipient_org_id, message, expires_at, order_id)
    VALUES (transfer, o.public_id, o.org_id, o.animal_id, l.animal_public_id, l.animal_name, l.species_key,
            l.genetics_text, l.created_by, o.buyer_org_id, 'sold by order ' || o.public_id, now() + interval '1 day', o.id);
    INSERT INTO transfer_timeline (transfer_id, kind, actor_user_id, detail)
    VALUES (transfer, 'offered', NULL, 'sold by order ' || o.public_id);
    UPDATE animals SET held_by = transfer, updated_at = now()
    WHERE id = o.animal_id AND org_id = o.org_id AND held_by = o.listing_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'animal of order % is not held by its listing', o.public_id
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN move_animal(transfer, o.buyer_org_id, o.buyer_user_id);
END
$$;
