package billing_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/testkit/registered"
)

func TestMain(m *testing.M) { testkit.Main(m) }

type bundle struct {
	db    *store.DB
	owner store.User
	org   store.Organization
	n     *notify.Notifier
}

func setup(t *testing.T) bundle {
	t.Helper()
	db := testkit.DB(t)
	q := registered.Queue(t, db)
	u, o := registered.Organization(t, db, q, "billing")
	return bundle{db: db, owner: u, org: o, n: &notify.Notifier{River: q}}
}

func (b bundle) inTenant(t *testing.T, fn func(context.Context, pgx.Tx) error) error {
	t.Helper()
	ctx := context.Background()
	return b.db.InTenant(ctx, store.Tenant{OrgID: b.org.ID, UserID: b.owner.ID}, func(tx pgx.Tx) error { return fn(ctx, tx) })
}

// plan stores a plan of the given limits (nil: unlimited), ranked above every stored plan.
func plan(t *testing.T, animals, listings *int) string {
	t.Helper()
	key := "test-" + uuid.NewString()[:8]
	_, err := testkit.AdminPool(t).Exec(context.Background(), `INSERT INTO plans (key, name, animals, active_listings, position)
		VALUES ($1, 'Test', $2, $3, 1000 + (random() * 1000)::int)`, key, animals, listings)
	require.NoError(t, err)
	return key
}

// addAnimal records an animal as animals.Register does: checked against the plan, then stored.
func (b bundle) addAnimal(ctx context.Context, tx pgx.Tx) (uuid.UUID, error) {
	if err := billing.Check(ctx, tx, billing.Animals, 1); err != nil {
		return uuid.Nil, err
	}
	a := store.Animal{ID: uuid.New(), PublicID: store.NewPublicID(), SpeciesKey: "ball-python", Sex: genetics.Female,
		Status: "active", Visibility: "organization", GeneticsText: "Normal"}
	return a.ID, store.InsertAnimal(ctx, tx, a)
}

func (b bundle) animals(t *testing.T, n int) []uuid.UUID {
	t.Helper()
	var ids []uuid.UUID
	for range n {
		require.NoError(t, b.inTenant(t, func(ctx context.Context, tx pgx.Tx) error {
			id, err := b.addAnimal(ctx, tx)
			ids = append(ids, id)
			return err
		}))
	}
	return ids
}

func TestCheck_RefusesBeyondTheLimitNamingLimitPlanUsedAndAllowed(t *testing.T) {
	t.Parallel()
	b := setup(t)
	registered.GrantPlan(t, b.db, b.org.ID, plan(t, intp(2), nil))
	b.animals(t, 2)
	err := b.inTenant(t, func(ctx context.Context, tx pgx.Tx) error {
		_, err := b.addAnimal(ctx, tx)
		return err
	})
	var limit *billing.LimitError
	require.ErrorAs(t, err, &limit)
	require.Equal(t, billing.Animals, limit.Limit)
	require.Equal(t, "Test", limit.PlanName)
	require.Equal(t, 2, limit.Used)
	require.Equal(t, 2, limit.Allowed)
	require.False(t, limit.Above)
	// Adding several at once counts them all.
	err = b.inTenant(t, func(ctx context.Context, tx pgx.Tx) error { return billing.Check(ctx, tx, billing.Members, 2) })
	require.NoError(t, err, "the test plan's members are unlimited")
}

// Two transactions adding an animal at the limit's edge at the same time: the lock makes the
// second count the first's animal, so exactly one passes.
func TestCheck_ConcurrentAddsAtTheEdgeOnlyOnePasses(t *testing.T) {
	t.Parallel()
	b := setup(t)
	registered.GrantPlan(t, b.db, b.org.ID, plan(t, intp(3), nil))
	b.animals(t, 2)
	for round := range 3 {
		if round > 0 {
			registered.GrantPlan(t, b.db, b.org.ID, plan(t, intp(3+round), nil))
		}
		var (
			wg    sync.WaitGroup
			start = make(chan struct{})
			errs  = make([]error, 4)
		)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = b.inTenant(t, func(ctx context.Context, tx pgx.Tx) error {
					_, err := b.addAnimal(ctx, tx)
					time.Sleep(20 * time.Millisecond) // hold the transaction open past the others' checks
					return err
				})
			}()
		}
		close(start)
		wg.Wait()
		passed := 0
		for _, err := range errs {
			var limit *billing.LimitError
			if err == nil {
				passed++
			} else {
				require.ErrorAs(t, err, &limit)
			}
		}
		require.Equal(t, 1, passed, "round %d: %v", round, errs)
	}
	var n int
	require.NoError(t, b.inTenant(t, func(ctx context.Context, tx pgx.Tx) (err error) {
		n, err = store.PlanUsage(ctx, tx, store.LimitAnimals, false)
		return err
	}))
	require.Equal(t, 5, n)
}

// After a downgrade the animals beyond the new limit, by when they came in, are read-only;
// the first ones stay writable, and an upgrade makes every one writable at once.
func TestCheckAnimalWritable_AboveTheLimitTheLastAnimalsAreReadOnly(t *testing.T) {
	t.Parallel()
	b := setup(t)
	big, small := plan(t, intp(5), nil), plan(t, intp(2), nil)
	registered.GrantPlan(t, b.db, b.org.ID, big)
	ids := b.animals(t, 4)
	set := func(key string) {
		require.NoError(t, b.inTenant(t, func(ctx context.Context, tx pgx.Tx) error {
			_, err := billing.SetPlan(ctx, tx, b.n, b.org.ID, key, "test")
			return err
		}))
	}
	writable := func(id uuid.UUID) error {
		return b.inTenant(t, func(ctx context.Context, tx pgx.Tx) error { return billing.CheckAnimalWritable(ctx, tx, id) })
	}
	set(small)
	for i, id := range ids {
		err := writable(id)
		if i < 2 {
			require.NoError(t, err, "animal %d is among the first 2", i)
			continue
		}
		var limit *billing.LimitError
		require.ErrorAs(t, err, &limit, "animal %d", i)
		require.True(t, limit.Above)
		require.Equal(t, 4, limit.Used)
		require.Equal(t, 2, limit.Allowed)
	}
	// Nothing more may be added, and nothing was deleted or hidden.
	err := b.inTenant(t, func(ctx context.Context, tx pgx.Tx) error {
		_, err := b.addAnimal(ctx, tx)
		return err
	})
	require.Error(t, err)
	set(big)
	for _, id := range ids {
		require.NoError(t, writable(id))
	}
}

// A grant puts the organization on the better of the granted and subscribed plans, through
// SetPlan: audited, evented and told to the owners once per change, never on a no-op.
func TestGrant_SettlesOnTheBetterPlanAndTellsTheOwnersOncePerChange(t *testing.T) {
	t.Parallel()
	b := setup(t)
	grant := func(key string) billing.Change {
		var c billing.Change
		require.NoError(t, b.db.InTx(context.Background(), func(tx pgx.Tx) (err error) {
			// Support acts for no organization; Grant acts for the one it changes, and back.
			c, err = billing.Grant(context.Background(), tx, b.n, b.org.ID, key)
			if err != nil {
				return err
			}
			var org *string
			if err := tx.QueryRow(context.Background(), `SELECT nullif(current_setting('app.org_id', true), '')`).Scan(&org); err != nil {
				return err
			}
			if org != nil {
				return errors.New("the transaction still acts for the organization")
			}
			return nil
		}))
		return c
	}
	c := grant("business")
	require.Equal(t, billing.Change{From: "free", To: "business", Changed: true, Paused: []string{}, Resumed: []string{}}, c)
	require.False(t, grant("business").Changed, "granting the same plan again changes nothing")

	// A granted plan below the subscribed one does not lower it (SubscribedPlan is free here,
	// so granting free settles on free).
	c = grant("free")
	require.Equal(t, "business", c.From)
	require.Equal(t, "free", c.To)
	c = grant("")
	require.False(t, c.Changed, "ungranting Free leaves the organization on Free")
	_, err := billing.Grant(context.Background(), mustTx(t, b), b.n, b.org.ID, "platinum")
	require.ErrorIs(t, err, billing.ErrUnknownPlan)

	admin := testkit.AdminPool(t)
	var changes, notices, audits int
	require.NoError(t, admin.QueryRow(context.Background(), `SELECT count(*) FROM events
		WHERE org_id = $1 AND type = 'organization.plan_changed'`, b.org.ID).Scan(&changes))
	require.Equal(t, 2, changes, "free → business → free")
	require.NoError(t, admin.QueryRow(context.Background(), `SELECT count(*) FROM notifications
		WHERE org_id = $1 AND user_id = $2 AND type = 'organization.plan'`, b.org.ID, b.owner.ID).Scan(&notices))
	require.Equal(t, 2, notices, "the owner is told once per change")
	require.NoError(t, admin.QueryRow(context.Background(), `SELECT count(*) FROM audit_log
		WHERE table_name = 'organizations' AND action = 'update' AND row_id = $1::text AND before ->> 'plan_key' IS DISTINCT FROM after ->> 'plan_key'`,
		b.org.ID).Scan(&audits))
	require.Equal(t, 2, audits, "each change of plan is audited")
	var payload json.RawMessage
	require.NoError(t, admin.QueryRow(context.Background(), `SELECT payload FROM events
		WHERE org_id = $1 AND type = 'organization.plan_changed' ORDER BY id LIMIT 1`, b.org.ID).Scan(&payload))
	require.JSONEq(t, `{"from":"free","to":"business","cause":"grant","paused_listings":[],"resumed_listings":[]}`, string(payload))
}

// mustTx is a transaction that is rolled back when the test ends.
func mustTx(t *testing.T, b bundle) pgx.Tx {
	t.Helper()
	tx, err := b.db.Pool.Begin(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { _ = tx.Rollback(context.Background()) })
	return tx
}
