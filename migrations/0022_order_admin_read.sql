-- A platform admin decides the problems buyers report, on orders they are no party to: this
-- answers an order's ID and its two organizations by the order's public ID, to a platform
-- admin only (the acting user, set for the transaction), and nothing to anyone else.
CREATE FUNCTION order_parties_for_admin(order_public_id text)
    RETURNS TABLE (id uuid, org_id uuid, buyer_org_id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
        SELECT o.id, o.org_id, o.buyer_org_id FROM orders o
        WHERE o.public_id = order_public_id
          AND EXISTS (SELECT 1 FROM users u WHERE u.id = app_user_id() AND u.platform_admin)
    $$;
