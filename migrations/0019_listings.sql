-- Listings: an animal offered for sale by the organization that owns it, at a price in minor
-- units of a currency, with its shipping terms and the live-arrival guarantee. While a listing
-- is open (active) the animal is held by it (animals.held_by = the listing): it cannot be
-- transferred separately, archived or have its identity changed. Withdrawing or selling
-- releases it (the sale's ownership move does).
--
-- What a buyer sees of the animal is taken at listing (the hold keeps it true), so that
-- browsing needs neither a login nor the animal to be public.

CREATE TYPE listing_status AS ENUM ('active', 'withdrawn', 'sold');

CREATE TABLE listings (
    id                 uuid PRIMARY KEY,
    public_id          text NOT NULL UNIQUE,
    org_id             uuid NOT NULL REFERENCES organizations (id),
    animal_id          uuid NOT NULL REFERENCES animals (id),
    status             listing_status NOT NULL DEFAULT 'active',
    -- The order that holds the listing now (one buyer at a time); kept by the orders'
    -- trigger, never written by the application.
    reserved_by        uuid,
    -- Minor units (cents) of currency, ISO 4217 lower case as Stripe writes it.
    price              bigint NOT NULL CHECK (price > 0 AND price <= 100000000),
    currency           text NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
    title              text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description        text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    -- The seller ships within this many days of payment.
    ships_within_days  integer NOT NULL CHECK (ships_within_days BETWEEN 1 AND 30),
    -- ISO 3166-1 alpha-2 countries the seller ships to.
    ship_regions       text[] NOT NULL CHECK (cardinality(ship_regions) BETWEEN 1 AND 60),
    -- After delivery the buyer has this many hours to report that the animal did not arrive
    -- alive and as described.
    live_arrival_hours integer NOT NULL CHECK (live_arrival_hours BETWEEN 1 AND 168),
    -- The animal as listed.
    animal_public_id   text NOT NULL,
    animal_name        text NOT NULL DEFAULT '',
    species_key        text NOT NULL,
    sex                animal_sex NOT NULL,
    hatch_date         date,
    genetics_text      text NOT NULL DEFAULT '',
    created_by         uuid NOT NULL REFERENCES users (id),
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    withdrawn_at       timestamptz,
    sold_at            timestamptz,
    CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL)),
    CHECK ((status = 'sold') = (sold_at IS NOT NULL)),
    CHECK (status = 'active' OR reserved_by IS NULL)
);
-- One open listing per animal, whatever the application does.
CREATE UNIQUE INDEX listings_open_animal_key ON listings (animal_id) WHERE status = 'active';
CREATE INDEX listings_org_idx ON listings (org_id, created_at DESC);
CREATE INDEX listings_browse_idx ON listings (species_key, price) WHERE status = 'active';
CREATE INDEX listings_browse_new_idx ON listings (created_at DESC, id) WHERE status = 'active';
CREATE INDEX listings_genetics_trgm_idx ON listings USING gin (lower(genetics_text) gin_trgm_ops) WHERE status = 'active';

CREATE TRIGGER listings_audit AFTER INSERT OR UPDATE OR DELETE ON listings
    FOR EACH ROW EXECUTE FUNCTION audit_row('org_id', 'id');

-- An active listing is public: anyone may browse it, logged in or not. The selling
-- organization sees and writes all of its own.
ALTER TABLE listings ENABLE ROW LEVEL SECURITY;
ALTER TABLE listings FORCE ROW LEVEL SECURITY;
CREATE POLICY listings_public ON listings FOR SELECT
    USING (status = 'active' OR org_id = (SELECT app_org_id()));
CREATE POLICY listings_insert ON listings FOR INSERT WITH CHECK (org_id = (SELECT app_org_id()));
CREATE POLICY listings_update ON listings FOR UPDATE
    USING (org_id = (SELECT app_org_id())) WITH CHECK (org_id = (SELECT app_org_id()));
