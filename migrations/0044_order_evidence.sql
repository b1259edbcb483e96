-- Photos a buyer sends with a reported problem: what the platform's admins decide on, shown
-- to both parties with the order. Cleaned as animals' photos are (re-encoded without
-- metadata, with a thumbnail) and kept in object storage under evidence/<order>/.

CREATE TABLE order_evidence (
    id            uuid PRIMARY KEY,
    order_id      uuid NOT NULL REFERENCES orders (id),
    -- The organization that reported the problem: the order's buyer.
    org_id        uuid NOT NULL REFERENCES organizations (id),
    original_key  text NOT NULL CHECK (length(original_key) BETWEEN 1 AND 1024),
    thumbnail_key text NOT NULL CHECK (length(thumbnail_key) BETWEEN 1 AND 1024),
    content_type  text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    bytes         integer NOT NULL CHECK (bytes > 0),
    width         integer NOT NULL CHECK (width > 0),
    height        integer NOT NULL CHECK (height > 0),
    created_by    uuid NOT NULL REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_evidence_order_idx ON order_evidence (order_id, created_at);

ALTER TABLE order_evidence ENABLE ROW LEVEL SECURITY;
ALTER TABLE order_evidence FORCE ROW LEVEL SECURITY;
-- Both parties read it; only the buyer adds it, to its own order.
CREATE POLICY order_evidence_parties ON order_evidence FOR SELECT
    USING (EXISTS (SELECT 1 FROM orders o WHERE o.id = order_id
        AND (o.org_id = (SELECT app_org_id()) OR o.buyer_org_id = (SELECT app_org_id()))));
CREATE POLICY order_evidence_buyer ON order_evidence FOR INSERT
    WITH CHECK (org_id = (SELECT app_org_id())
        AND EXISTS (SELECT 1 FROM orders o WHERE o.id = order_id AND o.buyer_org_id = (SELECT app_org_id())));
-- Photos of a report the sale refused are withdrawn; once a problem is reported, they stay.
CREATE POLICY order_evidence_withdraw ON order_evidence FOR DELETE
    USING (org_id = (SELECT app_org_id())
        AND EXISTS (SELECT 1 FROM orders o WHERE o.id = order_id AND o.status IN ('shipped', 'delivered')));

CREATE TRIGGER order_evidence_audit AFTER INSERT OR DELETE ON order_evidence
    FOR EACH ROW EXECUTE FUNCTION audit_row('org_id', 'id');
