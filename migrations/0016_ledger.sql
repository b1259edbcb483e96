-- The money ledger of sales: every movement of a buyer's money, one row each, with the Stripe
-- object that made it and the idempotency key it was made under. Rows are only ever added.
--
-- An entry names its order by order_id, with the selling organization and the buying one.
-- Orders do not exist yet: when their table lands, order_id gets its foreign key to
-- orders (id) and the two organizations are checked against the order's.

CREATE TYPE ledger_kind AS ENUM ('authorized', 'authorization_released', 'captured', 'transferred', 'refunded');

CREATE TABLE ledger_entries (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id              uuid NOT NULL,
    organization_id       uuid NOT NULL REFERENCES organizations (id),
    buyer_organization_id uuid NOT NULL REFERENCES organizations (id),
    kind                  ledger_kind NOT NULL,
    -- Minor units of the currency (cents); a movement always moves something.
    amount                bigint NOT NULL CHECK (amount > 0),
    -- ISO 4217, lower case as Stripe writes it.
    currency              text NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
    stripe_object_id      text NOT NULL CHECK (length(stripe_object_id) BETWEEN 1 AND 255),
    -- A movement recorded twice is one row.
    idempotency_key       text NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    created_at            timestamptz NOT NULL DEFAULT now(),
    CHECK (organization_id <> buyer_organization_id)
);
CREATE INDEX ledger_entries_order_idx ON ledger_entries (order_id, id);
CREATE INDEX ledger_entries_organization_idx ON ledger_entries (organization_id);
CREATE INDEX ledger_entries_buyer_idx ON ledger_entries (buyer_organization_id);

-- Append-only, whoever connects (the application role also has no UPDATE or DELETE on it).
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- The invariants of an order's money, checked for every row inserted:
--   captured <= authorized - authorization_released
--   transferred + refunded <= captured
--   one currency, one seller and one buyer per order.
-- The check is immediate (NOT DEFERRABLE), not deferred to commit: every movement is
-- recorded after the one it depends on (an authorization before its capture), so the
-- invariants hold after each insert, not only at commit; and the refusal then names the
-- insert that breaks them, so the activity that tried it fails for good (a data exception)
-- instead of a commit failing later for a reason no longer tied to a movement.
-- It is an AFTER trigger so that a row ON CONFLICT DO NOTHING skips (a movement recorded
-- again) is not checked as if it were added a second time.
-- Entries of one order are checked one transaction at a time: the advisory lock on the order
-- waits for a concurrent writer's commit, and the sums that follow (a new snapshot per
-- statement under READ COMMITTED, the default of every transaction here) see its rows.
-- It runs as the schema owner so that the sums see every entry of the order, whichever
-- party's tenant writes; the insert policy below has already admitted the row.
CREATE FUNCTION check_ledger_entry() RETURNS trigger
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
           coalesce(sum(amount) FILTER (WHERE kind IN ('transferred', 'refunded')), 0)
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
        RAISE EXCEPTION 'ledger: order % would pay out % (transferred and refunded) of % captured',
            NEW.order_id, paid_out, captured
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_paid_within_captured';
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER ledger_entries_invariants AFTER INSERT ON ledger_entries
    NOT DEFERRABLE FOR EACH ROW EXECUTE FUNCTION check_ledger_entry();

-- Each order's money, summed by kind: what the card holds (authorized less released and
-- captured), what the platform holds (captured less transferred and refunded), and whether
-- the order is settled: everything captured has gone to the seller or back to the buyer
-- (transferred + refunded = captured) and no authorization is left open on the card.
-- It reads as the caller, so each organization sees the orders it sells or buys.
CREATE VIEW ledger_order_money WITH (security_invoker = true) AS
SELECT order_id,
       min(currency) AS currency,
       coalesce(sum(amount) FILTER (WHERE kind = 'authorized'), 0)::bigint AS authorized,
       coalesce(sum(amount) FILTER (WHERE kind = 'authorization_released'), 0)::bigint AS released,
       coalesce(sum(amount) FILTER (WHERE kind = 'captured'), 0)::bigint AS captured,
       coalesce(sum(amount) FILTER (WHERE kind = 'transferred'), 0)::bigint AS transferred,
       coalesce(sum(amount) FILTER (WHERE kind = 'refunded'), 0)::bigint AS refunded,
       coalesce(sum(amount) FILTER (WHERE kind IN ('transferred', 'refunded')), 0)
           = coalesce(sum(amount) FILTER (WHERE kind = 'captured'), 0)
       AND coalesce(sum(amount) FILTER (WHERE kind = 'authorized'), 0)
           = coalesce(sum(amount) FILTER (WHERE kind IN ('authorization_released', 'captured')), 0)
           AS settled
FROM ledger_entries
GROUP BY order_id;

-- Read by both parties of the order. Written only on the worker's path: a transaction acting
-- for one of the parties with no person acting (app.user_id unset). Every API request that
-- sets an organization also sets the caller as the acting user, so no request writes money;
-- the sale's activities record movements in the seller's tenant, for nobody.
ALTER TABLE ledger_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_entries FORCE ROW LEVEL SECURITY;
CREATE POLICY ledger_entries_parties ON ledger_entries FOR SELECT
    USING (organization_id = (SELECT app_org_id()) OR buyer_organization_id = (SELECT app_org_id()));
CREATE POLICY ledger_entries_worker_insert ON ledger_entries FOR INSERT
    WITH CHECK ((organization_id = (SELECT app_org_id()) OR buyer_organization_id = (SELECT app_org_id()))
        AND (SELECT app_user_id()) IS NULL);
