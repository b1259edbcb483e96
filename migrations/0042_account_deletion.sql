-- Deleting an account: asked for by the person, erased after a grace in which they can
-- change their mind (the account-deletion process, workflows/deletion). Erasing keeps the
-- user row as a pseudonym, which what others recorded (audit rows, events, orders) goes on
-- naming; everything that identified the person is replaced or deleted.

ALTER TABLE users ADD COLUMN erase_at timestamptz, ADD COLUMN erased_at timestamptz;
-- An organization whose last owner left with no one to hand it to is closed: no member is
-- left, its record stays, and nothing of it is sold.
ALTER TABLE organizations ADD COLUMN closed_at timestamptz;

-- The one change the audit log and the event store take: an account's erasure replacing the
-- person's address in what was recorded with their pseudonym, made by erase_account (as the
-- tables' owner, with reptidex.erasing on for its transaction); nothing else of a row
-- changes, and nothing is deleted.
CREATE FUNCTION refuse_change_but_erasure() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('reptidex.erasing', true) = 'on'
       AND current_user = (SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = TG_TABLE_NAME)
       AND to_jsonb(NEW) - 'before' - 'after' - 'payload' = to_jsonb(OLD) - 'before' - 'after' - 'payload' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;
DROP TRIGGER audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_change_but_erasure();
DROP TRIGGER events_append_only ON events;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION refuse_change_but_erasure();

-- account_heirs answers, for each organization where the caller (app_user_id()) is the last
-- owner, who would own it were they to leave: the longest-standing of its other members,
-- admins first, then keepers, then viewers; none (null) when it has no other member, and is
-- closed.
CREATE FUNCTION account_heirs()
    RETURNS TABLE (org_id uuid, org_public_id text, org_name text, heir_id uuid, heir_name text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    SELECT o.id, o.public_id, o.name, h.user_id, h.display_name
    FROM memberships ms JOIN organizations o ON o.id = ms.org_id
    LEFT JOIN LATERAL (
        SELECT x.user_id, u.display_name FROM memberships x JOIN users u ON u.id = x.user_id
        WHERE x.org_id = ms.org_id AND x.user_id <> ms.user_id AND u.erased_at IS NULL
        ORDER BY CASE x.role WHEN 'admin' THEN 0 WHEN 'keeper' THEN 1 ELSE 2 END, x.created_at, x.user_id LIMIT 1
    ) h ON true
    WHERE ms.user_id = app_user_id() AND ms.role = 'owner'
      AND NOT EXISTS (SELECT 1 FROM memberships x WHERE x.org_id = ms.org_id AND x.role = 'owner' AND x.user_id <> ms.user_id)
    ORDER BY ms.created_at, o.id
$$;

-- erase_account erases the caller's account (app_user_id()), once, in the caller's
-- transaction. In each organization where the person is the last owner, ownership goes to
-- its heir (account_heirs); one with no other member is closed, its listings not under way
-- withdrawn. Then their
-- memberships are deleted, their sessions revoked, their preferences, email verifications
-- and kept answers deleted; the address invitations and offers were sent to, and what the
-- audit log and the events recorded of it, become the pseudonym's; the addresses of orders
-- they placed that have ended are erased; and the user row keeps only the pseudonym (a
-- password hash no one knows, passed in). It answers, for each organization where they were
-- the last owner, who owns it now (null: closed). The person's notifications are deleted
-- later (scrub_account), once the last one, recorded before this in the same transaction,
-- has reached them.
CREATE FUNCTION erase_account(pseudonym text, unusable_hash text)
    RETURNS TABLE (org_id uuid, org_name text, new_owner uuid)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
DECLARE
    me        uuid := app_user_id();
    old_email text;
    new_email text := pseudonym || '@erased.reptidex.invalid';
    m         record;
BEGIN
    SELECT u.email INTO old_email FROM users u WHERE u.id = me AND u.erased_at IS NULL FOR UPDATE;
    IF NOT FOUND THEN
        RETURN; -- erased already
    END IF;
    FOR m IN SELECT * FROM account_heirs() LOOP
        IF m.heir_id IS NOT NULL THEN
            UPDATE memberships SET role = 'owner', updated_at = now() WHERE memberships.org_id = m.org_id AND user_id = m.heir_id;
        ELSE
            UPDATE organizations SET closed_at = now() WHERE id = m.org_id;
            UPDATE listings SET status = 'withdrawn', withdrawn_at = now(), paused_at = NULL
                WHERE listings.org_id = m.org_id AND status IN ('active', 'paused') AND reserved_by IS NULL;
        END IF;
        org_id := m.org_id;
        org_name := m.org_name;
        new_owner := m.heir_id;
        RETURN NEXT;
    END LOOP;
    DELETE FROM memberships WHERE user_id = me;
    UPDATE refresh_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE user_id = me;
    DELETE FROM notification_preferences WHERE user_id = me;
    DELETE FROM email_verifications WHERE user_id = me;
    DELETE FROM idempotency_keys WHERE user_id = me;
    UPDATE invitations SET email = new_email WHERE lower(email) = lower(old_email);
    UPDATE transfers SET recipient_email = new_email WHERE lower(recipient_email) = lower(old_email);
    UPDATE orders SET ship_to = 'erased' WHERE buyer_user_id = me AND ended_at IS NOT NULL;
    UPDATE notifications SET email = new_email WHERE lower(email) = lower(old_email);
    -- Deliveries still to go (the notice of this erasure among them) keep the address until
    -- scrub_account deletes the person's notifications.
    UPDATE notification_deliveries SET address = new_email WHERE lower(address) = lower(old_email) AND status <> 'pending';
    DELETE FROM email_unsubscribes WHERE lower(email) = lower(old_email);
    PERFORM set_config('reptidex.erasing', 'on', true);
    UPDATE audit_log SET before = replace(replace(before::text, old_email, new_email), lower(old_email), new_email)::jsonb,
                         after = replace(replace(after::text, old_email, new_email), lower(old_email), new_email)::jsonb
        WHERE strpos(lower(coalesce(before::text, '') || coalesce(after::text, '')), lower(old_email)) > 0;
    UPDATE events SET payload = replace(replace(payload::text, old_email, new_email), lower(old_email), new_email)::jsonb
        WHERE strpos(lower(payload::text), lower(old_email)) > 0;
    PERFORM set_config('reptidex.erasing', 'off', true);
    UPDATE users SET email = new_email, display_name = 'Erased user ' || pseudonym, password_hash = unusable_hash,
        phone = NULL, phone_verified_at = NULL, phone_code_hash = NULL, phone_code_expires_at = NULL,
        phone_code_sent_at = NULL, email_verified_at = NULL, platform_admin = false, erase_at = NULL,
        erased_at = now(), updated_at = now()
        WHERE id = me;
END
$$;

-- scrub_account deletes the erased caller's notifications, with their deliveries and the
-- addresses those went to, once the last one (the notice of the erasure) has reached them.
CREATE FUNCTION scrub_account()
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM users u WHERE u.id = app_user_id() AND u.erased_at IS NOT NULL) THEN
        RAISE EXCEPTION 'the account is not erased' USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM notifications WHERE user_id = app_user_id();
END
$$;

-- The functions above run as the tables' owner, whom row-level security binds as well
-- (FORCE): it may act on the rows of any organization, and nothing else runs as it.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'memberships', 'organizations', 'listings', 'refresh_tokens', 'notification_preferences',
        'email_verifications', 'idempotency_keys', 'invitations', 'transfers', 'orders', 'audit_log', 'events',
        'notifications', 'notification_deliveries', 'email_unsubscribes'] LOOP
        IF EXISTS (SELECT 1 FROM pg_class WHERE relname = t AND relrowsecurity) THEN
            EXECUTE format('CREATE POLICY %I ON %I TO %I USING (true) WITH CHECK (true)', t || '_erasure', t, current_user);
        END IF;
    END LOOP;
END
$$;
