package migrations_test

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/migrations"
	"github.com/reptidex/reptidex/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// A fresh database is created, migrated and granted; running the migrator again, several
// at once, changes nothing.
func TestApply_CreatesTheDatabaseAndIsRepeatableConcurrently(t *testing.T) {
	t.Parallel()
	cfg := testkit.Config(t)
	name := fmt.Sprintf("reptidex_migrate_%d", time.Now().UnixNano())
	adminURL := withDatabase(t, cfg.Database.AdminURL, name)
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), withDatabase(t, cfg.Database.AdminURL, "postgres"))
		require.NoError(t, err)
		defer conn.Close(context.Background())
		_, err = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		require.NoError(t, err)
	})
	ctx := context.Background()
	opts := migrations.Options{AppRole: cfg.Database.AppRole()}
	require.NoError(t, migrations.Apply(ctx, adminURL, opts, testkit.Logger(t)))

	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() { errs[i] = migrations.Apply(ctx, adminURL, opts, testkit.Logger(t)) })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}

	all, err := migrations.All()
	require.NoError(t, err)
	conn, err := pgx.Connect(ctx, adminURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var applied int
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM schema_migrations").Scan(&applied))
	require.Equal(t, len(all), applied)
	var riverTables int
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE tablename IN ('river_job', 'river_leader', 'river_queue')").Scan(&riverTables))
	require.Equal(t, 3, riverTables, "River's migrations ran too")

	// The application role can use the schema, subject to RLS.
	appConn, err := pgx.Connect(ctx, withDatabase(t, cfg.Database.URL, name))
	require.NoError(t, err)
	defer appConn.Close(ctx)
	var orgs int
	require.NoError(t, appConn.QueryRow(ctx, "SELECT count(*) FROM organizations").Scan(&orgs))
	_, err = appConn.Exec(ctx, "INSERT INTO schema_migrations (version) VALUES ('forged')")
	require.ErrorContains(t, err, "permission denied")
}

func TestAll_AreOrderedAndNamed(t *testing.T) {
	t.Parallel()
	all, err := migrations.All()
	require.NoError(t, err)
	require.NotEmpty(t, all)
	for i, m := range all {
		require.Regexp(t, `^\d{4}_[a-z0-9_]+$`, m.Version)
		require.NotEmpty(t, m.SQL)
		if i > 0 {
			require.Less(t, all[i-1].Version, m.Version)
		}
	}
}

func withDatabase(t *testing.T, raw, name string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	u.Path = "/" + name
	return u.String()
}
