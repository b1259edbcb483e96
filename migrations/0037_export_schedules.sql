-- Export schedules: an organization's exports made on a schedule its owners choose (daily,
-- weekly or monthly, at a time in a time zone), each kept as a Temporal Schedule of the same
-- ID that the worker keeps in step with the row (jobs.SyncExportScheduleArgs). Each run is
-- an export like one asked for, requested by the schedule's creator.

CREATE TYPE export_frequency AS ENUM ('daily', 'weekly', 'monthly');

CREATE TABLE export_schedules (
    id           uuid PRIMARY KEY,
    public_id    text NOT NULL UNIQUE,
    org_id       uuid NOT NULL REFERENCES organizations (id),
    created_by   uuid NOT NULL REFERENCES users (id),
    frequency    export_frequency NOT NULL,
    -- Minutes after midnight, in time_zone.
    minute_of_day int NOT NULL CHECK (minute_of_day BETWEEN 0 AND 1439),
    -- weekly only: 0 Sunday to 6 Saturday.
    weekday      int CHECK (weekday BETWEEN 0 AND 6),
    -- monthly only: 1 to 28, a day every month has.
    day_of_month int CHECK (day_of_month BETWEEN 1 AND 28),
    time_zone    text NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 64),
    paused       boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((frequency = 'weekly') = (weekday IS NOT NULL)),
    CHECK ((frequency = 'monthly') = (day_of_month IS NOT NULL))
);
CREATE INDEX export_schedules_org_idx ON export_schedules (org_id, created_at, id);

CREATE TRIGGER export_schedules_audit AFTER INSERT OR UPDATE OR DELETE ON export_schedules
    FOR EACH ROW EXECUTE FUNCTION audit_row('org_id', 'id');

ALTER TABLE export_schedules ENABLE ROW LEVEL SECURITY;
ALTER TABLE export_schedules FORCE ROW LEVEL SECURITY;
CREATE POLICY export_schedules_tenant ON export_schedules
    USING (org_id = (SELECT app_org_id())) WITH CHECK (org_id = (SELECT app_org_id()));

-- An export made by a schedule names it.
ALTER TABLE exports ADD COLUMN schedule_id uuid REFERENCES export_schedules (id) ON DELETE SET NULL;
