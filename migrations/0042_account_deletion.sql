-- Deleting an account: asked for by the person, erased after a grace in which they can
-- change their mind (the account-deletion process, workflows/deletion). Erasing keeps the
-- user row as a pseudonym, which what others recorded (audit rows, events, orders) goes on
-- naming; everything that identified the person is replaced or deleted.

ALTER TABLE users ADD COLUMN erase_at timestamptz, ADD COLUMN erased_at timestamptz;
-- An organization whose last owner left with no one to hand it to is closed: no member is
-- left, its record stays, and nothing of it is sold.
ALTER TABLE organizations ADD COLUMN closed_at timestamptz;

-- While an account's erasure runs (erase_account), or what it would do is read
-- (account_heirs), the setting reptidex.erasing is on for the transaction: those functions
-- act as the tables' owner across organizations, under the policies below, which hold for
-- nothing else.
--
-- The one change the audit log and the event store take: an account's erasure replacing the
-- person's address in what was recorded with their pseudonym, made by erase_account as the
-- tables' owner; nothing else of a row changes, and nothing is deleted.
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

-- account_pseudonym is what names the caller's account once erased: derived from its
-- internal ID (as deletion.Pseudonym does), never their name or address.
CREATE FUNCTION account_pseudonym() RETURNS text
    LANGUAGE sql STABLE
    AS $$ SELECT substr(encode(sha256(convert_to('reptidex-erased:' || app_user_id()::text, 'UTF8')), 'hex'), 1, 16) $$;

-- account_heirs answers, for each organization where the caller (app_user_id()) is the last
-- owner, who would own it were they to leave: the longest-standing of its other members,
-- admins first, then keepers, then viewers; none (null) when it has no other member, and it
-- would be closed. paid says whether such an organization pays a subscription.
CREATE FUNCTION account_heirs()
    RETURNS TABLE (org_id uuid, org_public_id text, org_name text, heir_id uuid, heir_name text, paid boolean)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
DECLARE
    was text := coalesce(current_setting('reptidex.erasing', true), 'off');
BEGIN
    PERFORM set_config('reptidex.erasing', 'on', true);
    RETURN QUERY
    SELECT o.id, o.public_id, o.name, h.user_id, h.display_name,
        EXISTS (SELECT 1 FROM subscriptions s WHERE s.org_id = o.id
                AND s.status IN ('active', 'trialing', 'past_due', 'unpaid') AND NOT s.cancel_at_period_end)
    FROM memberships ms JOIN organizations o ON o.id = ms.org_id
    LEFT JOIN LATERAL (
        SELECT x.user_id, u.display_name FROM memberships x JOIN users u ON u.id = x.user_id
        WHERE x.org_id = ms.org_id AND x.user_id <> ms.user_id AND u.erased_at IS NULL
        ORDER BY CASE x.role WHEN 'admin' THEN 0 WHEN 'keeper' THEN 1 ELSE 2 END, x.created_at, x.user_id LIMIT 1
    ) h ON true
    WHERE ms.user_id = app_user_id() AND ms.role = 'owner'
      AND NOT EXISTS (SELECT 1 FROM memberships x WHERE x.org_id = ms.org_id AND x.role = 'owner' AND x.user_id <> ms.user_id)
    ORDER BY ms.created_at, o.id;
    PERFORM set_config('reptidex.erasing', was, true);
END
$$;

-- erased_address is the pattern of an address as a whole JSON string, or after the colon of
-- "email:…", in any case: what erase_account replaces in what was recorded.
CREATE FUNCTION erased_address(address text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT '(["'':])' || regexp_replace(address, '([.+*?^$(){}|\[\]\\])', '\\\1', 'g') || '"' $$;

-- erase_account erases the caller's account (app_user_id()), once, in the caller's
-- transaction. In each organization where the person is the last owner, ownership goes to
-- its heir (account_heirs); one with no other member is closed, its listings not under way
-- withdrawn and its export schedules paused. Then their memberships are deleted, their
-- sessions revoked, their preferences, email verifications, kept answers and personal
-- exports deleted; and the user row keeps only the pseudonym (account_pseudonym) and a
-- password hash no one knows, passed in. When their address was verified as theirs, it
-- becomes the pseudonym's (<pseudonym>@erased.reptidex.invalid) wherever it was recorded:
-- invitations and offers sent to it, notifications and deliveries to it, opt-outs, and what
-- the audit log and the events recorded of it. The notice of the erasure, recorded just
-- before in the same transaction, keeps the address on its delivery until scrub_account
-- deletes the person's notifications. It answers, for each organization where they were
-- the last owner, who owns it now (null: closed); nothing when erased already.
CREATE FUNCTION erase_account(unusable_hash text)
    RETURNS TABLE (org_id uuid, org_name text, new_owner uuid)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
DECLARE
    me        uuid := app_user_id();
    pseudonym text := account_pseudonym();
    old_email text;
    verified  boolean;
    new_email text;
    pattern   text;
    m         record;
BEGIN
    IF unusable_hash !~ '^\$argon2id\$' THEN
        RAISE EXCEPTION 'an erased account needs an argon2id hash' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT u.email, u.email_verified_at IS NOT NULL INTO old_email, verified FROM users u
        WHERE u.id = me AND u.erased_at IS NULL FOR UPDATE;
    IF NOT FOUND THEN
        RETURN; -- erased already
    END IF;
    new_email := pseudonym || '@erased.reptidex.invalid';
    FOR m IN SELECT * FROM account_heirs() LOOP
        IF m.heir_id IS NOT NULL THEN
            UPDATE memberships SET role = 'owner', updated_at = now() WHERE memberships.org_id = m.org_id AND user_id = m.heir_id;
        ELSE
            UPDATE organizations SET closed_at = now() WHERE id = m.org_id;
            UPDATE listings SET status = 'withdrawn', withdrawn_at = now(), paused_at = NULL
                WHERE listings.org_id = m.org_id AND status IN ('active', 'paused') AND reserved_by IS NULL;
            UPDATE export_schedules SET paused = true, updated_at = now() WHERE export_schedules.org_id = m.org_id AND NOT paused;
        END IF;
        org_id := m.org_id;
        org_name := m.org_name;
        new_owner := m.heir_id;
        RETURN NEXT;
    END LOOP;
    PERFORM set_config('reptidex.erasing', 'on', true);
    DELETE FROM memberships WHERE user_id = me;
    UPDATE refresh_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE user_id = me;
    DELETE FROM notification_preferences WHERE user_id = me;
    DELETE FROM email_verifications WHERE user_id = me;
    DELETE FROM idempotency_keys WHERE user_id = me;
    DELETE FROM personal_exports WHERE user_id = me;
    IF verified THEN
        pattern := erased_address(old_email);
        UPDATE invitations SET email = new_email WHERE lower(email) = lower(old_email);
        UPDATE transfers SET recipient_email = new_email WHERE lower(recipient_email) = lower(old_email);
        UPDATE notifications SET email = new_email WHERE lower(email) = lower(old_email);
        UPDATE notification_deliveries SET address = new_email WHERE lower(address) = lower(old_email)
            AND notification_id NOT IN (SELECT n.id FROM notifications n WHERE n.dedup_key = 'account-deletion/' || me::text || '/erased');
        DELETE FROM email_unsubscribes WHERE lower(email) = lower(old_email);
        UPDATE audit_log SET before = regexp_replace(before::text, pattern, '\1' || new_email || '"', 'gi')::jsonb,
                             after = regexp_replace(after::text, pattern, '\1' || new_email || '"', 'gi')::jsonb
            WHERE coalesce(before::text, '') || coalesce(after::text, '') ~* pattern;
        UPDATE events SET payload = regexp_replace(payload::text, pattern, '\1' || new_email || '"', 'gi')::jsonb
            WHERE payload::text ~* pattern;
    END IF;
    UPDATE users SET email = new_email, display_name = 'Erased user ' || pseudonym, password_hash = unusable_hash,
        phone = NULL, phone_verified_at = NULL, phone_code_hash = NULL, phone_code_expires_at = NULL,
        phone_code_sent_at = NULL, email_verified_at = NULL, platform_admin = false, erase_at = NULL,
        erased_at = now(), updated_at = now()
        WHERE id = me;
    PERFORM set_config('reptidex.erasing', 'off', true);
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
    PERFORM set_config('reptidex.erasing', 'on', true);
    DELETE FROM notifications WHERE user_id = app_user_id();
    PERFORM set_config('reptidex.erasing', 'off', true);
END
$$;

-- The functions above act as the tables' owner, whom row-level security binds as well
-- (FORCE): while reptidex.erasing is on, on the rows of any organization.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'memberships', 'organizations', 'listings', 'refresh_tokens', 'notification_preferences',
        'email_verifications', 'idempotency_keys', 'invitations', 'transfers', 'audit_log', 'events', 'notifications',
        'notification_deliveries', 'email_unsubscribes', 'subscriptions', 'export_schedules', 'personal_exports'] LOOP
        IF EXISTS (SELECT 1 FROM pg_class WHERE relname = t AND relrowsecurity) THEN
            EXECUTE format('CREATE POLICY %I ON %I TO %I USING (current_setting(''reptidex.erasing'', true) = ''on'') '
                || 'WITH CHECK (current_setting(''reptidex.erasing'', true) = ''on'')', t || '_erasure', t, current_user);
        END IF;
    END LOOP;
END
$$;

-- Personal exports past their expiry, across people, for the sweep that deletes their
-- documents and marks them expired. The owner reads them; internal IDs only leave it.
CREATE FUNCTION personal_exports_to_sweep()
    RETURNS TABLE (id uuid, user_id uuid, object_key text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
    SELECT e.id, e.user_id, e.object_key FROM personal_exports e
    WHERE e.status = 'ready' AND e.expires_at <= now() ORDER BY e.expires_at LIMIT 500
$$;
DO $$
BEGIN
    EXECUTE format('CREATE POLICY personal_exports_definer_read ON personal_exports FOR SELECT TO %I USING (true)', current_user);
END
$$;
