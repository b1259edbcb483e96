package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/accounts"
	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

// tenantTables are the tables whose rows belong to one organization by org_id (id for
// organizations), for checking that a tenant sees exactly its own. Which tables must be under
// row-level security at all is read from the catalogue by the tenant guard.
var tenantTables = []string{"organizations", "memberships", "audit_log", "events", "animals", "pairings", "clutches", "invitations"}

// account registers a user with their own organization and returns both.
func account(t *testing.T, db *store.DB, prefix string) (store.User, store.Organization) {
	t.Helper()
	rc, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{})
	require.NoError(t, err)
	u, o, err := accounts.Register(context.Background(), db, rc, accounts.NewAccount{
		Email: testkit.UniqueEmail(prefix), Password: "correct horse battery", DisplayName: prefix, OrganizationName: prefix + " vivarium",
	}, nil)
	require.NoError(t, err)
	// Something in every tenant table: an invitation, a pair of animals, their pairing and a
	// clutch (registration wrote the email verification notification and its delivery).
	ctx := context.Background()
	require.NoError(t, db.InTenant(ctx, store.Tenant{OrgID: o.ID, UserID: u.ID}, func(tx pgx.Tx) error {
		sire := store.Animal{ID: uuid.New(), PublicID: store.NewPublicID(), SpeciesKey: "ball-python", Sex: genetics.Male,
			Status: "active", Visibility: "organization", GeneticsText: "Normal"}
		dam := sire
		dam.ID, dam.PublicID, dam.Sex = uuid.New(), store.NewPublicID(), genetics.Female
		for _, a := range []store.Animal{sire, dam} {
			if err := store.InsertAnimal(ctx, tx, a); err != nil {
				return err
			}
		}
		if _, err := store.InsertInvitation(ctx, tx, store.Invitation{ID: uuid.New(), PublicID: store.NewPublicID(),
			Email: testkit.UniqueEmail(prefix + "-invited"), Role: membership.Keeper, TokenHash: []byte(uuid.NewString()),
			InvitedBy: u.ID, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			return err
		}
		p := store.Pairing{ID: uuid.New(), PublicID: store.NewPublicID(), SireID: sire.ID, DamID: dam.ID, Status: "planned"}
		if err := store.InsertPairing(ctx, tx, p); err != nil {
			return err
		}
		return store.InsertClutch(ctx, tx, store.Clutch{ID: uuid.New(), PublicID: store.NewPublicID(), PairingID: p.ID,
			LaidOn: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), Eggs: 5})
	}))
	return u, o
}

func countVisible(t *testing.T, tx pgx.Tx, table string, orgs ...uuid.UUID) (total, matching int) {
	t.Helper()
	col := "org_id"
	if table == "organizations" {
		col = "id"
	}
	ctx := context.Background()
	require.NoError(t, tx.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&total))
	require.NoError(t, tx.QueryRow(ctx, "SELECT count(*) FROM "+table+" WHERE "+col+" = ANY($1)", orgs).Scan(&matching))
	return total, matching
}

func TestRLS_ApplicationRoleIsNeitherOwnerNorSuperuser(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	ctx := context.Background()
	var super, bypass bool
	require.NoError(t, db.Pool.QueryRow(ctx, "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user").Scan(&super, &bypass))
	require.False(t, super, "the application role must not be a superuser")
	require.False(t, bypass, "the application role must not bypass RLS")
	// That it owns no table is part of the tenant guard.
}

// forcedRLSTables lists, from the catalogue, every table under enabled and forced
// row-level security.
func forcedRLSTables(t *testing.T, admin *pgxpool.Pool) []string {
	t.Helper()
	rows, err := admin.Query(context.Background(), `SELECT c.relname FROM pg_class c
		WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
		  AND c.relrowsecurity AND c.relforcerowsecurity ORDER BY 1`)
	require.NoError(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return tables
}

// transferFixture writes, as the schema owner, an accepted transfer of one of from's animals
// to to, with its timeline, answer, ownership history, a notification preference, from's
// seller account, and an ended order of to's from from with its withdrawn listing, timeline
// and ledger entry, a certificate being issued, an export running, an export schedule and an embed,
// so that every table under row-level security has a row.
func transferFixture(t *testing.T, admin *pgxpool.Pool, fromUser store.User, from store.Organization, toUser store.User, to store.Organization) {
	t.Helper()
	ctx := context.Background()
	id, publicID := uuid.New(), store.NewPublicID()
	require.NoError(t, pgx.BeginFunc(ctx, admin, func(tx pgx.Tx) error {
		for _, stmt := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO transfers (id, public_id, org_id, animal_id, animal_public_id, species_key, offered_by,
				recipient_org_id, status, to_org_id, ended_by, expires_at, ended_at)
				SELECT $1, $2, $3, a.id, a.public_id, a.species_key, $4, $5, 'accepted', $5, $6, now() + interval '1 day', now()
				FROM animals a WHERE a.org_id = $3 LIMIT 1`, []any{id, publicID, from.ID, fromUser.ID, to.ID, toUser.ID}},
			{`INSERT INTO transfer_timeline (transfer_id, kind, actor_user_id) VALUES ($1, 'accepted', $2)`, []any{id, toUser.ID}},
			{`INSERT INTO idempotency_keys (org_id, user_id, operation, key, request_hash) VALUES ($1, $2, 'fixture', 'fixture', sha256('fixture'::bytea))`, []any{to.ID, toUser.ID}},
			{`INSERT INTO seller_accounts (org_id, stripe_account_id, country, created_by) VALUES ($1, 'acct_fixture', 'US', $2)`, []any{from.ID, fromUser.ID}},
			{`INSERT INTO billing_customers (org_id, stripe_customer_id, created_by) VALUES ($1, 'cus_fixture', $2)`, []any{from.ID, fromUser.ID}},
			{`INSERT INTO subscriptions (stripe_subscription_id, org_id, stripe_customer_id, status, stripe_item_id,
				stripe_price_id, state_at) VALUES ('sub_fixture', $1, 'cus_fixture', 'active', 'si_fixture', 'price_fixture', now())`, []any{from.ID}},
			{`INSERT INTO invoices (stripe_invoice_id, org_id, stripe_subscription_id, status, created, state_at)
				VALUES ('in_fixture', $1, 'sub_fixture', 'open', now(), now())`, []any{from.ID}},
			// A withdrawn listing: an active one is public by design (listings_public), which
			// TestListings_RowLevelSecurity checks.
			{`INSERT INTO listings (id, public_id, org_id, animal_id, status, price, currency, title, ships_within_days,
				ship_regions, live_arrival_hours, animal_public_id, species_key, sex, created_by, withdrawn_at)
				SELECT gen_random_uuid(), $2, a.org_id, a.id, 'withdrawn', 15000, 'usd', 'Fixture', 3, '{US}', 48,
					a.public_id, a.species_key, a.sex, $3, now()
				FROM animals a WHERE a.org_id = $1 LIMIT 1`, []any{from.ID, store.NewPublicID(), fromUser.ID}},
			// A pending photo: a ready one of a public animal is public by design (media_read).
			{`INSERT INTO media (id, public_id, org_id, animal_id, content_type, bytes, upload_key, created_by)
				SELECT gen_random_uuid(), $2, a.org_id, a.id, 'image/png', 100, 'media/fixture', $3
				FROM animals a WHERE a.org_id = $1 LIMIT 1`, []any{from.ID, store.NewPublicID(), fromUser.ID}},
			{`INSERT INTO certificates (id, serial, org_id, animal_id, requested_by)
				SELECT gen_random_uuid(), 'FIXTURE-' || $2, a.org_id, a.id, $3
				FROM animals a WHERE a.org_id = $1 LIMIT 1`, []any{from.ID, store.NewPublicID(), fromUser.ID}},
			{`INSERT INTO exports (id, public_id, org_id, requested_by) VALUES (gen_random_uuid(), $2, $1, $3)`,
				[]any{from.ID, store.NewPublicID(), fromUser.ID}},
			{`INSERT INTO personal_exports (id, public_id, user_id) VALUES (gen_random_uuid(), $1, $2)`,
				[]any{store.NewPublicID(), fromUser.ID}},
			{`INSERT INTO imports (id, public_id, org_id, created_by, bytes, object_key, expires_at)
				VALUES (gen_random_uuid(), $2, $1, $3, 100, 'imports/fixture.csv', now() + interval '7 days')`,
				[]any{from.ID, store.NewPublicID(), fromUser.ID}},
			{`INSERT INTO export_schedules (id, public_id, org_id, created_by, frequency, minute_of_day, time_zone)
				VALUES (gen_random_uuid(), $2, $1, $3, 'daily', 210, 'UTC')`, []any{from.ID, store.NewPublicID(), fromUser.ID}},
			{`INSERT INTO embeds (id, public_id, org_id, kind, allowed_origins, created_by)
				VALUES (gen_random_uuid(), $2, $1, 'profile', '{https://breeder.example}', $3)`, []any{from.ID, store.NewPublicID(), fromUser.ID}},
			{`INSERT INTO ownership_history (animal_id, from_org_id, to_org_id, transfer_id, transfer_public_id)
				SELECT animal_id, org_id, to_org_id, id, public_id FROM transfers WHERE id = $1`, []any{id}},
			{`INSERT INTO notification_preferences (user_id, type, channels) VALUES ($1, 'transfer.offered', '{email}')`, []any{toUser.ID}},
		} {
			if _, err := tx.Exec(ctx, stmt.sql, stmt.args...); err != nil {
				return err
			}
		}
		return nil
	})) // And an order of to's from from (a listing, the order, its timeline) with its ledger
	// entry and a photo of a problem with it; the order then cancelled and the listing
	// withdrawn, since an active listing is public by design.
	o := placeOrder(t, admin, fromUser, from, toUser, to, "usd")
	require.NoError(t, pgx.BeginFunc(ctx, admin, func(tx pgx.Tx) error {
		for _, stmt := range []string{
			`INSERT INTO ledger_entries (order_id, organization_id, buyer_organization_id, kind, amount, currency,
				stripe_object_id, idempotency_key)
				SELECT id, org_id, buyer_org_id, 'authorized', amount, currency, 'pi_fixture', 'fixture/' || public_id
				FROM orders WHERE id = $1`,
			`INSERT INTO order_evidence (id, order_id, org_id, original_key, thumbnail_key, content_type, bytes, width, height, created_by)
				SELECT gen_random_uuid(), id, buyer_org_id, 'evidence/fixture/original.jpg', 'evidence/fixture/thumbnail.jpg',
					'image/jpeg', 100, 10, 10, buyer_user_id
				FROM orders WHERE id = $1`,
			`UPDATE orders SET status = 'cancelled', ended_at = now() WHERE id = $1`,
			`UPDATE listings SET status = 'withdrawn', withdrawn_at = now() WHERE reserved_by IS NULL
				AND id = (SELECT listing_id FROM orders WHERE id = $1)`,
			`UPDATE animals SET held_by = NULL WHERE id = (SELECT animal_id FROM orders WHERE id = $1)`,
		} {
			if tag, err := tx.Exec(ctx, stmt, o.ID); err != nil || tag.RowsAffected() != 1 {
				return fmt.Errorf("%s: %d rows: %w", stmt, tag.RowsAffected(), err)
			}
		}
		return nil
	}))
}

// publicRows are the rows of a table under row-level security that anyone may read by
// design, as a condition on the table; the rest of the table is read by no one without a
// tenant.
var publicRows = map[string]string{
	"listings": "status = 'active'",                                // listings_public: browsing needs no login
	"media":    "status = 'ready' AND animal_is_public(animal_id)", // media_read: public animals' photos
}

func TestRLS_WithoutTenantNoRowsAreVisible(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	admin := testkit.AdminPool(t)
	fromUser, from := account(t, db, "notenant")
	toUser, to := account(t, db, "notenant-to")
	transferFixture(t, admin, fromUser, from, toUser, to)
	ctx := context.Background()
	tables := forcedRLSTables(t, admin)
	require.Subset(t, tables, append(slices.Clone(tenantTables), "transfers", "notification_preferences", "seller_accounts"), "read from the catalogue")
	for _, table := range tables {
		t.Run(table, func(t *testing.T) {
			t.Parallel()
			count := "SELECT count(*) FROM " + pgx.Identifier{table}.Sanitize()
			if public, ok := publicRows[table]; ok {
				count += " WHERE NOT (" + public + ")"
			}
			var all int
			require.NoError(t, admin.QueryRow(ctx, count).Scan(&all))
			require.Positive(t, all, "the owner sees %s rows (give the table a row above)", table)

			// Outside any transaction and inside one without a tenant: nothing.
			var n int
			require.NoError(t, db.Pool.QueryRow(ctx, count).Scan(&n))
			require.Zero(t, n, "%s rows visible without a tenant", table)
			require.NoError(t, db.InTx(ctx, func(tx pgx.Tx) error {
				return tx.QueryRow(ctx, count).Scan(&n)
			}))
			require.Zero(t, n, "%s rows visible in a transaction without a tenant", table)
		})
	}
}

func TestRLS_TenantSeesOnlyItsOwnRows(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	_, orgA := account(t, db, "tenant-a")
	userB, orgB := account(t, db, "tenant-b")
	ctx := context.Background()

	err := db.InTenant(ctx, store.Tenant{OrgID: orgA.ID}, func(tx pgx.Tx) error {
		for _, table := range tenantTables {
			total, own := countVisible(t, tx, table, orgA.ID)
			require.Positive(t, own, "tenant A sees its own %s", table)
			require.Equal(t, own, total, "tenant A sees only its own %s", table)
		}
		_, err := store.OrganizationByID(ctx, tx, orgB.ID)
		require.ErrorIs(t, err, store.ErrNotFound, "tenant A cannot read organization B")
		return nil
	})
	require.NoError(t, err)

	// Writing into B's organization while acting for A is refused by the policies.
	err = db.InTenant(ctx, store.Tenant{OrgID: orgA.ID}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'viewer')", orgB.ID, userB.ID)
		return err
	})
	require.ErrorContains(t, err, "row-level security")
	err = db.InTenant(ctx, store.Tenant{OrgID: orgA.ID}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE organizations SET name = 'taken over' WHERE id = $1", orgB.ID)
		require.Zero(t, tag.RowsAffected())
		return err
	})
	require.NoError(t, err)
	err = db.InTenant(ctx, store.Tenant{OrgID: orgB.ID}, func(tx pgx.Tx) error {
		o, err := store.OrganizationByID(ctx, tx, orgB.ID)
		require.Equal(t, "tenant-b vivarium", o.Name)
		return err
	})
	require.NoError(t, err)
}

func TestRLS_UserSeesOwnMembershipsAcrossOrganizations(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	userA, orgA := account(t, db, "multi-a")
	_, orgB := account(t, db, "multi-b")
	_, orgC := account(t, db, "multi-c")
	ctx := context.Background()
	require.NoError(t, db.InTenant(ctx, store.Tenant{OrgID: orgB.ID}, func(tx pgx.Tx) error {
		return store.InsertMember(ctx, tx, userA.ID, membership.Keeper)
	}))
	var orgs []store.UserOrganization
	require.NoError(t, db.InTenant(ctx, store.Tenant{UserID: userA.ID}, func(tx pgx.Tx) (err error) {
		orgs, err = store.OrganizationsOfUser(ctx, tx, userA.ID)
		return err
	}))
	ids := []uuid.UUID{}
	for _, o := range orgs {
		ids = append(ids, o.OrgID)
	}
	require.ElementsMatch(t, []uuid.UUID{orgA.ID, orgB.ID}, ids, "user A sees exactly their two organizations, not C (%s)", orgC.ID)
}

func TestAudit_RecordsActorAndBeforeAfter(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	admin := testkit.AdminPool(t)
	owner, org := account(t, db, "audit")
	other, _ := account(t, db, "audit-other")
	ctx := context.Background()
	require.NoError(t, db.InTenant(ctx, store.Tenant{OrgID: org.ID, UserID: owner.ID}, func(tx pgx.Tx) error {
		if err := store.InsertMember(ctx, tx, other.ID, membership.Viewer); err != nil {
			return err
		}
		return store.UpdateMemberRole(ctx, tx, other.ID, membership.Keeper)
	}))
	var actor uuid.UUID
	var before, after map[string]any
	require.NoError(t, admin.QueryRow(ctx, `SELECT actor_user_id, before, after FROM audit_log
		WHERE org_id = $1 AND table_name = 'memberships' AND action = 'update' AND row_id = $2`,
		org.ID, org.ID.String()+"/"+other.ID.String()).Scan(&actor, &before, &after))
	require.Equal(t, owner.ID, actor)
	require.Equal(t, "viewer", before["role"])
	require.Equal(t, "keeper", after["role"])

	var inserts int
	require.NoError(t, admin.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = 'insert'`, org.ID).Scan(&inserts))
	require.Equal(t, 8, inserts, "organization, owner membership, invitation, two animals, pairing, clutch and the new member")
}

func TestEventsAndAudit_AreAppendOnly(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	admin := testkit.AdminPool(t)
	_, org := account(t, db, "append")
	ctx := context.Background()

	for _, stmt := range []string{
		"UPDATE events SET type = 'forged' WHERE org_id = $1",
		"DELETE FROM events WHERE org_id = $1",
		"UPDATE audit_log SET action = 'delete' WHERE org_id = $1",
		"DELETE FROM audit_log WHERE org_id = $1",
	} {
		err := db.InTenant(ctx, store.Tenant{OrgID: org.ID}, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, stmt, org.ID)
			return err
		})
		require.Error(t, err, "application role: %s", stmt)
		_, err = admin.Exec(ctx, stmt, org.ID)
		require.ErrorContains(t, err, "append-only", "owner: %s", stmt)
	}
	// The application role cannot write the audit log directly either.
	err := db.InTenant(ctx, store.Tenant{OrgID: org.ID}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO audit_log (org_id, table_name, row_id, action) VALUES ($1, 'x', 'y', 'insert')`, org.ID)
		return err
	})
	require.ErrorContains(t, err, "permission denied")

	events, err := func() (evs []store.Event, err error) {
		err = db.InTenant(ctx, store.Tenant{OrgID: org.ID}, func(tx pgx.Tx) error {
			evs, err = store.EventsOfAggregate(ctx, tx, "organization", org.PublicID)
			return err
		})
		return evs, err
	}()
	require.NoError(t, err)
	require.Len(t, events, 2)
	require.Equal(t, "organization.created", events[0].Type)
	require.Equal(t, "member.added", events[1].Type)
}

func TestRegister_DuplicateEmailWritesNothing(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	admin := testkit.AdminPool(t)
	u, _ := account(t, db, "dup")
	rc, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{})
	require.NoError(t, err)
	ctx := context.Background()
	_, _, err = accounts.Register(ctx, db, rc, accounts.NewAccount{
		Email: strings.ToUpper(u.Email), Password: "correct horse battery", DisplayName: "x", OrganizationName: "dup again",
	}, nil)
	require.ErrorIs(t, err, store.ErrConflict)
	var n int
	require.NoError(t, admin.QueryRow(ctx, "SELECT count(*) FROM organizations WHERE name = 'dup again'").Scan(&n))
	require.Zero(t, n, "a refused registration leaves no organization behind")
}

// The pedigree graph crosses organizations, so it is readable by all; only the trigger on
// animals writes it, never the application role directly.
func TestPedigree_IsWrittenOnlyFromAnimals(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	_, org := account(t, db, "pedigree")
	ctx := context.Background()
	err := db.InTenant(ctx, store.Tenant{OrgID: org.ID}, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE pedigree SET sire_id = NULL`)
		return err
	})
	require.ErrorContains(t, err, "permission denied")
	var n int
	require.NoError(t, db.Pool.QueryRow(ctx, `SELECT count(*) FROM pedigree`).Scan(&n))
	require.Positive(t, n, "every animal has its pedigree node, readable without a tenant")
}

// The pedigree views read across organizations as their owner, so the application role
// must never write through them.
func TestPedigreeViews_AreReadOnly(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	_, org := account(t, db, "views")
	ctx := context.Background()
	for _, stmt := range []string{
		`UPDATE visible_animal SET sex = 'female'`,
		`DELETE FROM visible_animal`,
		`UPDATE animal_card SET name = 'x'`,
	} {
		err := db.InTenant(ctx, store.Tenant{OrgID: org.ID}, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, stmt)
			return err
		})
		require.Error(t, err, stmt)
	}
}

func TestRLS_NotificationsAreSeenByTheirRecipientAndTheOrganizationThatSentThem(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	userA, orgA := account(t, db, "inbox-a")
	userB, orgB := account(t, db, "inbox-b")
	ctx := context.Background()
	// Organization A tells user B something: B sees it in B's own context, A's organization
	// sees what it sent, and nobody else does.
	var sent store.Notification
	require.NoError(t, db.InTenant(ctx, store.Tenant{OrgID: orgA.ID, UserID: userA.ID}, func(tx pgx.Tx) (err error) {
		sent, _, err = store.InsertNotification(ctx, tx, store.Notification{ID: uuid.New(), PublicID: store.NewPublicID(),
			DedupKey: uuid.NewString(), OrgID: &orgA.ID, UserID: &userB.ID, Type: "organization.message", Title: "For B"})
		return err
	}))
	seen := func(tenant store.Tenant) bool {
		var n int
		require.NoError(t, db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, "SELECT count(*) FROM notifications WHERE id = $1", sent.ID).Scan(&n)
		}))
		return n == 1
	}
	require.True(t, seen(store.Tenant{UserID: userB.ID}), "the recipient")
	require.True(t, seen(store.Tenant{OrgID: orgA.ID}), "the organization that sent it")
	require.False(t, seen(store.Tenant{OrgID: orgB.ID, UserID: userA.ID}), "someone else in another organization")
	require.False(t, seen(store.Tenant{}), "no tenant")

	// Only the recipient changes it: the sender cannot rewrite its link or mark it read.
	require.NoError(t, db.InTenant(ctx, store.Tenant{OrgID: orgA.ID, UserID: userA.ID}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE notifications SET link = '/elsewhere' WHERE id = $1", sent.ID)
		require.Zero(t, tag.RowsAffected(), "the sender cannot change the recipient's notification")
		return err
	}))

	// Nobody records a notification in another organization's name for a third person.
	err := db.InTenant(ctx, store.Tenant{OrgID: orgB.ID, UserID: userB.ID}, func(tx pgx.Tx) error {
		_, _, err := store.InsertNotification(ctx, tx, store.Notification{ID: uuid.New(), PublicID: store.NewPublicID(),
			DedupKey: uuid.NewString(), OrgID: &orgA.ID, UserID: &userA.ID, Type: "organization.message", Title: "Forged"})
		return err
	})
	require.ErrorContains(t, err, "row-level security")
}
