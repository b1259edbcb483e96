-- Plans: what an organization may hold and do on Free, Pro and Business, and which plan each
-- organization is on. Limits are stored, listed and edited here; nothing enforces them yet.

-- A plan is shared reference data, not tenant data: everyone may read it and platform
-- administrators edit it (the application checks who asks, as for species catalogues). A NULL
-- limit means unlimited. The price is in minor units of its currency, for display; Stripe
-- charges by the price ID, empty until the plan is set up in Stripe.
CREATE TABLE plans (
    key                    text PRIMARY KEY CHECK (key ~ '^[a-z0-9-]+$'),
    name                   text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    price_minor            bigint NOT NULL DEFAULT 0 CHECK (price_minor BETWEEN 0 AND 100000000),
    currency               text NOT NULL DEFAULT 'usd' CHECK (currency ~ '^[a-z]{3}$'),
    stripe_price_id        text NOT NULL DEFAULT '' CHECK (stripe_price_id = '' OR stripe_price_id ~ '^price_[A-Za-z0-9]+$'),
    animals                int CHECK (animals >= 0),
    active_listings        int CHECK (active_listings >= 0),
    certificates_per_month int CHECK (certificates_per_month >= 0),
    scheduled_exports      int CHECK (scheduled_exports >= 0),
    sms_per_month          int CHECK (sms_per_month >= 0),
    members                int CHECK (members >= 0),
    position               int NOT NULL,
    updated_at             timestamptz NOT NULL DEFAULT now(),
    updated_by             uuid REFERENCES users (id)
);

INSERT INTO plans (key, name, price_minor, currency, animals, active_listings, certificates_per_month,
        scheduled_exports, sms_per_month, members, position) VALUES
    ('free', 'Free', 0, 'usd', 50, 3, 5, 0, 0, 2, 1),
    ('pro', 'Pro', 1200, 'usd', 1000, 50, 100, 3, 100, 5, 2),
    ('business', 'Business', 4900, 'usd', NULL, NULL, NULL, 20, 1000, NULL, 3);

-- Every organization is on a plan; new ones start on Free.
ALTER TABLE organizations ADD COLUMN plan_key text NOT NULL DEFAULT 'free' REFERENCES plans (key);
