-- Hourly limits count an organization's recent events of one type on every message,
-- invitation and offer; without this index that count reads all of the organization's events.
CREATE INDEX events_org_type_idx ON events (org_id, type, occurred_at);
