-- Breeding: planned and active pairings, their clutches, and the organization's inbreeding
-- warning threshold.

-- Pairings whose offspring would be more inbred than this are flagged when planned.
ALTER TABLE organizations ADD COLUMN coi_warning_threshold double precision NOT NULL DEFAULT 0.0625
    CHECK (coi_warning_threshold >= 0 AND coi_warning_threshold <= 1);

CREATE TYPE pairing_status AS ENUM ('planned', 'active', 'completed', 'cancelled');

CREATE TABLE pairings (
    id            uuid PRIMARY KEY,
    public_id     text NOT NULL UNIQUE,
    org_id        uuid NOT NULL REFERENCES organizations (id),
    sire_id       uuid NOT NULL REFERENCES animals (id),
    dam_id        uuid NOT NULL REFERENCES animals (id),
    season        int CHECK (season BETWEEN 1900 AND 2200),
    status        pairing_status NOT NULL DEFAULT 'planned',
    notes         text CHECK (length(notes) <= 2000),
    offspring_coi double precision,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (sire_id <> dam_id)
);
CREATE INDEX pairings_org_idx ON pairings (org_id, public_id);

CREATE TABLE clutches (
    id         uuid PRIMARY KEY,
    public_id  text NOT NULL UNIQUE,
    org_id     uuid NOT NULL REFERENCES organizations (id),
    pairing_id uuid NOT NULL REFERENCES pairings (id),
    laid_on    date NOT NULL,
    eggs       int NOT NULL CHECK (eggs >= 0),
    fertile    int NOT NULL DEFAULT 0 CHECK (fertile >= 0),
    infertile  int NOT NULL DEFAULT 0 CHECK (infertile >= 0),
    hatched_on date,
    hatched    int NOT NULL DEFAULT 0 CHECK (hatched >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (fertile + infertile <= eggs),
    CHECK (hatched <= fertile),
    CHECK (hatched_on IS NULL OR hatched_on >= laid_on)
);
CREATE INDEX clutches_pairing_idx ON clutches (pairing_id, laid_on);

ALTER TABLE animals ADD CONSTRAINT animals_clutch_fk FOREIGN KEY (clutch_id) REFERENCES clutches (id);

CREATE TRIGGER pairings_audit AFTER INSERT OR UPDATE OR DELETE ON pairings
    FOR EACH ROW EXECUTE FUNCTION audit_row('org_id', 'id');
CREATE TRIGGER clutches_audit AFTER INSERT OR UPDATE OR DELETE ON clutches
    FOR EACH ROW EXECUTE FUNCTION audit_row('org_id', 'id');

ALTER TABLE pairings ENABLE ROW LEVEL SECURITY;
ALTER TABLE pairings FORCE ROW LEVEL SECURITY;
CREATE POLICY pairings_tenant ON pairings USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());

ALTER TABLE clutches ENABLE ROW LEVEL SECURITY;
ALTER TABLE clutches FORCE ROW LEVEL SECURITY;
CREATE POLICY clutches_tenant ON clutches USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
