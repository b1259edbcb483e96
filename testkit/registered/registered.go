// Package registered opens accounts for integration tests the way registration does
// (accounts.Register): a person, their organization with them as owner, and what
// registration enqueues. It lives apart from testkit, which the accounts package's own
// tests import.
package registered

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/accounts"
	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

// Queue is a River client on db that only inserts jobs, as the API's is.
func Queue(t testing.TB, db *store.DB) *river.Client[pgx.Tx] {
	t.Helper()
	rc, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{})
	require.NoError(t, err)
	return rc
}

// Organization registers a person named name with a unique address and their organization
// "<name> vivarium", enqueueing on queue what registration enqueues.
func Organization(t *testing.T, db *store.DB, queue *river.Client[pgx.Tx], name string) (store.User, store.Organization) {
	t.Helper()
	u, o, err := accounts.Register(context.Background(), db, queue, accounts.NewAccount{
		Email: testkit.UniqueEmail(name), Password: "correct horse battery", DisplayName: name,
		OrganizationName: name + " vivarium",
	}, nil)
	require.NoError(t, err)
	return u, o
}

// GrantPlan grants organization orgID the plan planKey as support does (billing.Grant), so
// that a test holding more than Free allows (many animals, listings, certificates or
// members) runs on a plan that allows it.
func GrantPlan(t testing.TB, db *store.DB, orgID uuid.UUID, planKey string) {
	t.Helper()
	rc, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{})
	require.NoError(t, err)
	err = db.InTenant(context.Background(), store.Tenant{OrgID: orgID}, func(tx pgx.Tx) error {
		_, err := billing.Grant(context.Background(), tx, &notify.Notifier{River: rc}, orgID, planKey)
		return err
	})
	require.NoError(t, err)
}
