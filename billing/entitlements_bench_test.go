package billing_test

import (
	"context"
	"os"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/testkit/registered"
)

// benchOrg is an organization of 500 animals on a plan that limits animals (so that the
// check counts them), vacuumed as autovacuum keeps a live table.
func benchOrg(b *testing.B) (*store.DB, store.Tenant) {
	if os.Getenv("REPTIDEX_STACK") == "" {
		b.Skip("needs the test components: `make test-stack`, then run with `make test-go`'s environment")
	}
	db := testkit.DB(b)
	ctx := context.Background()
	u, o, err := registerForBench(ctx, db)
	require.NoError(b, err)
	key := "bench-" + uuid.NewString()[:8]
	_, err = testkit.AdminPool(b).Exec(ctx, `INSERT INTO plans (key, name, animals, position) VALUES ($1, 'Bench', 100000, 1000)`, key)
	require.NoError(b, err)
	registered.GrantPlan(b, db, o.ID, key)
	tenant := store.Tenant{OrgID: o.ID, UserID: u.ID}
	for range 500 {
		require.NoError(b, db.InTenant(ctx, tenant, func(tx pgx.Tx) error { return store.InsertAnimal(ctx, tx, benchAnimal()) }))
	}
	vacuum(b)
	return db, tenant
}

func vacuum(b *testing.B) {
	_, err := testkit.AdminPool(b).Exec(context.Background(), `VACUUM ANALYZE animals`)
	require.NoError(b, err)
}

// BenchmarkEntitlementCheck is the check alone, in a transaction of its own against the test
// database: the transaction with the tenant set (begin, set, rollback) without and with
// billing.Check(animals) inside it, for an organization of 500 animals on a plan that limits
// them (the lock, the plan and the count, pipelined in one round trip) and on Business
// (nothing to count). The check costs the difference; its budget is 0.2 ms.
func BenchmarkEntitlementCheck(b *testing.B) {
	db, tenant := benchOrg(b)
	ctx := context.Background()
	run := func(b *testing.B, check bool) {
		for b.Loop() {
			tx, err := db.Pool.Begin(ctx)
			require.NoError(b, err)
			require.NoError(b, store.SetTenant(ctx, tx, tenant))
			if check {
				require.NoError(b, billing.Check(ctx, tx, billing.Animals, 1))
			}
			require.NoError(b, tx.Rollback(ctx))
		}
	}
	b.Run("without", func(b *testing.B) { run(b, false) })
	b.Run("with-entitlement", func(b *testing.B) { run(b, true) })
	registered.GrantPlan(b, db, tenant.OrgID, "business")
	b.Run("with-entitlement-unlimited", func(b *testing.B) { run(b, true) })
}

// BenchmarkAnimalCreate records an animal in its own transaction as the API does (tenant
// set, the row written, committed), without and with the entitlement check before it. Each
// starts with an organization of its own holding 500 animals on a plan that limits them, so
// that with -benchtime 500x the check counts 500 to 1,000 animals: Pro's range.
func BenchmarkAnimalCreate(b *testing.B) {
	ctx := context.Background()
	create := func(b *testing.B, check bool) {
		db, tenant := benchOrg(b)
		for b.Loop() {
			require.NoError(b, db.InTenant(ctx, tenant, func(tx pgx.Tx) error {
				if check {
					if err := billing.Check(ctx, tx, billing.Animals, 1); err != nil {
						return err
					}
				}
				return store.InsertAnimal(ctx, tx, benchAnimal())
			}))
		}
	}
	b.Run("without", func(b *testing.B) { create(b, false) })
	b.Run("with-entitlement", func(b *testing.B) { create(b, true) })
}

func benchAnimal() store.Animal {
	return store.Animal{ID: uuid.New(), PublicID: store.NewPublicID(), SpeciesKey: "ball-python", Sex: genetics.Male,
		Status: "active", Visibility: "organization", GeneticsText: "Normal"}
}

// registerForBench stores a person and their organization, as registration does, without
// what registration enqueues.
func registerForBench(ctx context.Context, db *store.DB) (store.User, store.Organization, error) {
	u := store.User{ID: uuid.New(), PublicID: store.NewPublicID(), Email: testkit.UniqueEmail("bench"), DisplayName: "Bench", PasswordHash: "x"}
	o := store.Organization{ID: uuid.New(), PublicID: store.NewPublicID(), Name: "Bench vivarium", CreatedBy: u.ID}
	err := db.InTenant(ctx, store.Tenant{OrgID: o.ID, UserID: u.ID}, func(tx pgx.Tx) error {
		if err := store.InsertUser(ctx, tx, u); err != nil {
			return err
		}
		return store.InsertOrganization(ctx, tx, o)
	})
	return u, o, err
}
