package store_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

func intp(v int) *int { return &v }

// testPlan stores a plan only this test edits, removed at the end, and returns its key.
func testPlan(t *testing.T) string {
	t.Helper()
	admin := testkit.AdminPool(t)
	key := "test-" + uuid.NewString()[:8]
	_, err := admin.Exec(context.Background(), `INSERT INTO plans (key, name, animals, position) VALUES ($1, 'Test', 10, 1000)`, key)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := admin.Exec(context.Background(), `DELETE FROM plans WHERE key = $1`, key)
		require.NoError(t, err)
	})
	return key
}

func TestPlans_AreSeededFreeProBusinessInOrder(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	plans, err := store.ListPlans(context.Background(), db.Pool)
	require.NoError(t, err)
	var keys []string
	byKey := map[string]store.Plan{}
	for _, p := range plans {
		keys = append(keys, p.Key)
		byKey[p.Key] = p
	}
	require.GreaterOrEqual(t, len(keys), 3)
	require.Equal(t, []string{"free", "pro", "business"}, keys[:3], "shown in order, before anything added later")

	free := byKey["free"]
	require.Equal(t, int64(0), free.PriceMinor)
	require.Equal(t, store.PlanLimits{Animals: intp(50), ActiveListings: intp(3), CertificatesPerMonth: intp(5),
		ScheduledExports: intp(0), SMSPerMonth: intp(0), Members: intp(2)}, free.Limits)
	business := byKey["business"]
	require.Nil(t, business.Limits.Animals, "Business keeps any number of animals")
	require.Nil(t, business.Limits.Members)
	require.Greater(t, business.PriceMinor, byKey["pro"].PriceMinor)
	require.Greater(t, *byKey["pro"].Limits.Animals, *free.Limits.Animals)

	got, err := store.GetPlan(context.Background(), db.Pool, "pro")
	require.NoError(t, err)
	require.Equal(t, byKey["pro"], got)
	_, err = store.GetPlan(context.Background(), db.Pool, "platinum")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func TestUpdatePlan_StoresLimitsAndUnlimitedAndNamesTheAdministrator(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	ctx := context.Background()
	u, _ := account(t, db, "planedit")
	key := testPlan(t)

	p, err := store.GetPlan(ctx, db.Pool, key)
	require.NoError(t, err)
	p.Name, p.PriceMinor, p.StripePriceID = "Tested", 999, "price_123abc"
	p.Limits = store.PlanLimits{Animals: nil, Members: intp(7)}
	out, err := store.UpdatePlan(ctx, db.Pool, p, u.ID)
	require.NoError(t, err)
	require.Equal(t, "Tested", out.Name)
	require.Equal(t, int64(999), out.PriceMinor)
	require.Equal(t, "price_123abc", out.StripePriceID)
	require.Nil(t, out.Limits.Animals, "null is unlimited")
	require.Equal(t, intp(7), out.Limits.Members)
	require.True(t, out.UpdatedAt.After(p.UpdatedAt) || out.UpdatedAt.Equal(p.UpdatedAt))

	var by uuid.UUID
	require.NoError(t, testkit.AdminPool(t).QueryRow(ctx, `SELECT updated_by FROM plans WHERE key = $1`, key).Scan(&by))
	require.Equal(t, u.ID, by)

	p.Key = "no-such-plan"
	_, err = store.UpdatePlan(ctx, db.Pool, p, u.ID)
	require.ErrorIs(t, err, store.ErrNotFound)
}

func TestUpdatePlan_TheDatabaseRefusesWhatNoPlanMayHold(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	ctx := context.Background()
	u, _ := account(t, db, "planrefuse")
	key := testPlan(t)
	base, err := store.GetPlan(ctx, db.Pool, key)
	require.NoError(t, err)
	for name, edit := range map[string]func(*store.Plan){
		"negative limit":   func(p *store.Plan) { p.Limits.SMSPerMonth = intp(-1) },
		"negative price":   func(p *store.Plan) { p.PriceMinor = -1 },
		"price too high":   func(p *store.Plan) { p.PriceMinor = 100_000_001 },
		"bad stripe price": func(p *store.Plan) { p.StripePriceID = "prod_123" },
		"bad currency":     func(p *store.Plan) { p.Currency = "USD" },
		"empty name":       func(p *store.Plan) { p.Name = "" },
	} {
		p := base
		edit(&p)
		_, err := store.UpdatePlan(ctx, db.Pool, p, u.ID)
		var pgErr *pgconn.PgError
		require.ErrorAs(t, err, &pgErr, name)
		require.Equal(t, "23514", pgErr.Code, "%s: refused by a check constraint", name)
	}
}

func TestOrganizationPlan_NewOrganizationsStartOnFree(t *testing.T) {
	t.Parallel()
	db := testkit.DB(t)
	ctx := context.Background()
	u, o := account(t, db, "planorg")
	var p store.Plan
	require.NoError(t, db.InTenant(ctx, store.Tenant{OrgID: o.ID, UserID: u.ID}, func(tx pgx.Tx) error {
		var err error
		p, err = store.OrganizationPlan(ctx, tx)
		return err
	}))
	require.Equal(t, "free", p.Key)

	_, err := testkit.AdminPool(t).Exec(ctx, `UPDATE organizations SET plan_key = 'platinum' WHERE id = $1`, o.ID)
	require.Error(t, err, "an organization is only ever on a stored plan")
}
