-- Subscriptions: each organization's Stripe customer, its subscriptions and their invoices,
-- as Stripe last told us (by webhook, reconciled: see billing/sync.go), and the dunning that
-- follows a failed renewal.

-- One Stripe customer per organization, created the first time it subscribes. Not unique:
-- stripe-mock, in development and tests, answers every customer created with the same ID.
CREATE TABLE billing_customers (
    org_id             uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    stripe_customer_id text NOT NULL CHECK (stripe_customer_id ~ '^cus_[A-Za-z0-9]{1,250}$'),
    created_by         uuid NOT NULL REFERENCES users (id),
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX billing_customers_stripe_idx ON billing_customers (stripe_customer_id);

-- A subscription as last reconciled. The state applied is the newest Stripe told: an event
-- older than state_at is not applied over a newer one (events arrive in any order), and a
-- deleted subscription never comes back. plan_key is the plan of its price (NULL when the
-- price is not one of our plans). grace_ended_at is set by dunning when the grace period ends
-- unpaid, and cleared when an invoice is paid: while it is set the organization is on Free.
CREATE TABLE subscriptions (
    stripe_subscription_id text PRIMARY KEY CHECK (stripe_subscription_id ~ '^sub_[A-Za-z0-9]{1,250}$'),
    org_id                 uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    stripe_customer_id     text NOT NULL CHECK (stripe_customer_id ~ '^cus_[A-Za-z0-9]{1,250}$'),
    status                 text NOT NULL CHECK (status IN ('incomplete', 'incomplete_expired', 'trialing',
                               'active', 'past_due', 'canceled', 'unpaid', 'paused')),
    -- The subscription's item (one per subscription: the plan) and its price.
    stripe_item_id         text NOT NULL CHECK (length(stripe_item_id) <= 255),
    stripe_price_id        text NOT NULL CHECK (length(stripe_price_id) <= 255),
    plan_key               text REFERENCES plans (key),
    cancel_at_period_end   boolean NOT NULL DEFAULT false,
    current_period_end     timestamptz,
    grace_ended_at         timestamptz,
    -- When Stripe created the event (or answered the read) whose state is applied.
    state_at               timestamptz NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_org_idx ON subscriptions (org_id, created_at DESC);
CREATE INDEX subscriptions_customer_idx ON subscriptions (stripe_customer_id);

-- An invoice of a subscription, as last reconciled. Its status only moves forward (draft,
-- open, then paid, void or uncollectible), so a late payment_failed never reopens a paid
-- invoice. action_required: the bank asked the customer to authenticate the payment.
CREATE TABLE invoices (
    stripe_invoice_id      text PRIMARY KEY CHECK (stripe_invoice_id ~ '^in_[A-Za-z0-9]{1,250}$'),
    org_id                 uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    stripe_subscription_id text CHECK (stripe_subscription_id ~ '^sub_[A-Za-z0-9]{1,250}$'),
    number                 text NOT NULL DEFAULT '' CHECK (length(number) <= 100),
    status                 text NOT NULL CHECK (status IN ('draft', 'open', 'paid', 'void', 'uncollectible')),
    amount_due             bigint NOT NULL DEFAULT 0,
    amount_paid            bigint NOT NULL DEFAULT 0,
    currency               text NOT NULL DEFAULT 'usd' CHECK (currency ~ '^[a-z]{3}$'),
    attempt_count          int NOT NULL DEFAULT 0,
    action_required        boolean NOT NULL DEFAULT false,
    -- Stripe's page for the invoice, where the customer pays or authenticates it.
    hosted_invoice_url     text NOT NULL DEFAULT '' CHECK (length(hosted_invoice_url) <= 2000),
    period_start           timestamptz,
    period_end             timestamptz,
    created                timestamptz NOT NULL,
    state_at               timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invoices_org_idx ON invoices (org_id, created DESC, stripe_invoice_id DESC);
CREATE INDEX invoices_subscription_idx ON invoices (stripe_subscription_id);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['billing_customers', 'subscriptions', 'invoices'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I USING (org_id = (SELECT app_org_id())) '
            'WITH CHECK (org_id = (SELECT app_org_id()))', t || '_org', t);
    END LOOP;
END $$;

CREATE TRIGGER billing_customers_audit AFTER INSERT OR UPDATE OR DELETE ON billing_customers
    FOR EACH ROW EXECUTE FUNCTION audit_row('org_id', 'org_id');
CREATE TRIGGER subscriptions_audit AFTER INSERT OR UPDATE OR DELETE ON subscriptions
    FOR EACH ROW EXECUTE FUNCTION audit_row('org_id', 'stripe_subscription_id');
CREATE TRIGGER invoices_audit AFTER INSERT OR UPDATE OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION audit_row('org_id', 'stripe_invoice_id');

-- The webhook knows a Stripe subscription or customer, not a tenant: these answer which
-- organizations hold it, and nothing else.
CREATE FUNCTION organization_of_subscription(sub text) RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT org_id FROM subscriptions WHERE stripe_subscription_id = sub $$;

CREATE FUNCTION subscriptions_of_customer(cus text)
    RETURNS TABLE (org_id uuid, stripe_subscription_id text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$ SELECT org_id, stripe_subscription_id FROM subscriptions
          WHERE stripe_customer_id = cus AND status IN ('past_due', 'unpaid', 'active', 'trialing')
          ORDER BY created_at LIMIT 100 $$;
