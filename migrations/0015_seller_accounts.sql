-- Seller accounts: each organization's Stripe Connect Express account, through which it is
-- paid for what it sells, and the state Stripe last told us of it (account.updated). An
-- organization lists and sells only while charges and payouts are enabled.
CREATE TABLE seller_accounts (
    org_id            uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    -- Stripe gives every account its own ID. Not declared unique: stripe-mock, in
    -- development and tests, answers every account created with the same one.
    stripe_account_id text NOT NULL CHECK (stripe_account_id ~ '^acct_[A-Za-z0-9]{1,250}$'),
    -- ISO 3166-1 alpha-2; a Stripe account's country never changes.
    country           text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    charges_enabled   boolean NOT NULL DEFAULT false,
    payouts_enabled   boolean NOT NULL DEFAULT false,
    details_submitted boolean NOT NULL DEFAULT false,
    -- What Stripe needs from the seller now (currently due and past due), as Stripe names
    -- it, e.g. external_account or individual.dob.day.
    requirements_due  text[] NOT NULL DEFAULT '{}' CHECK (cardinality(requirements_due) <= 500),
    -- Why Stripe disabled the account (e.g. requirements.past_due); empty when it has not.
    disabled_reason   text NOT NULL DEFAULT '' CHECK (length(disabled_reason) <= 200),
    created_by        uuid NOT NULL REFERENCES users (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX seller_accounts_stripe_idx ON seller_accounts (stripe_account_id);

ALTER TABLE seller_accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE seller_accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY seller_accounts_org ON seller_accounts
    USING (org_id = (SELECT app_org_id())) WITH CHECK (org_id = (SELECT app_org_id()));

CREATE TRIGGER seller_accounts_audit AFTER INSERT OR UPDATE OR DELETE ON seller_accounts
    FOR EACH ROW EXECUTE FUNCTION audit_row('org_id', 'org_id');
