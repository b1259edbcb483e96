-- What the parties of an order, and the webhook, may read about it.

-- The listing of an order, for both of its parties: the buyer no longer sees a listing once
-- it is sold or withdrawn (listings_public), but still sees what it bought. A view without
-- security_invoker reads as its owner, so it filters for the caller itself: open listings,
-- the organization's own, and those it has ordered.
CREATE VIEW order_listing AS
SELECT l.* FROM listings l
WHERE l.status = 'active' OR l.org_id = app_org_id()
   OR EXISTS (SELECT 1 FROM orders o WHERE o.listing_id = l.id
              AND (o.buyer_org_id = app_org_id() OR o.org_id = app_org_id()));

-- The webhook knows a PaymentIntent, not a tenant: this answers which order it was created
-- for and the two organizations of that order, and nothing else.
CREATE FUNCTION order_of_payment_intent(pi text)
    RETURNS TABLE (id uuid, org_id uuid, buyer_org_id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT o.id, o.org_id, o.buyer_org_id FROM orders o WHERE o.payment_intent_id = pi ORDER BY o.created_at LIMIT 1 $$;

-- The same for an order named by ID (a Stripe object's metadata names its order).
CREATE FUNCTION order_parties(order_id uuid)
    RETURNS TABLE (id uuid, org_id uuid, buyer_org_id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT o.id, o.org_id, o.buyer_org_id FROM orders o WHERE o.id = order_id $$;

-- The platform's administrators, who decide the problems buyers report.
CREATE FUNCTION platform_admin_ids() RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT id FROM users WHERE platform_admin ORDER BY created_at $$;

-- Whether an organization may sell now: its Stripe account takes charges and pays out. A
-- buyer's order asks it of the seller, whose account the buyer may not read.
CREATE FUNCTION seller_can_sell(org uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT coalesce((SELECT charges_enabled AND payouts_enabled FROM seller_accounts WHERE org_id = org), false) $$;
