package worker_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"

	"github.com/reptidex/reptidex/accounts"
	"github.com/reptidex/reptidex/activities"
	"github.com/reptidex/reptidex/certs"
	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/mailer"
	"github.com/reptidex/reptidex/mailsink"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/worker"
	"github.com/reptidex/reptidex/workflows/onboarding"
	"github.com/reptidex/reptidex/workflows/process"
)

// setup runs a worker on the test stack: the Temporal dev server and River on this
// package's database.
func setup(t *testing.T) (*worker.Worker, *store.DB) {
	t.Helper()
	cfg := testkit.Config(t)
	db := testkit.DB(t)
	w, err := worker.New(worker.Deps{
		Config:   cfg,
		DB:       db,
		Temporal: testkit.Temporal(t),
		Mail:     mailer.New(cfg.SMTP),
		CertKeys: certKeys(t),
		Registry: prometheus.NewRegistry(),
		Logger:   testkit.Logger(t),
	})
	require.NoError(t, err)
	require.NoError(t, w.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		require.NoError(t, w.Stop(ctx))
	})
	return w, db
}

// organizationWithoutOnboarding creates an owner and organization directly, without the
// job that would start onboarding, so the test alone starts it.
func organizationWithoutOnboarding(t *testing.T, db *store.DB) (store.User, store.Organization) {
	t.Helper()
	ctx := context.Background()
	u := store.User{ID: uuid.New(), PublicID: store.NewPublicID(), Email: testkit.UniqueEmail("owner"), DisplayName: "Owner", PasswordHash: "x"}
	o := store.Organization{ID: uuid.New(), PublicID: store.NewPublicID(), Name: "Onboarding Vivarium", CreatedBy: u.ID}
	require.NoError(t, db.InTenant(ctx, store.Tenant{OrgID: o.ID, UserID: u.ID}, func(tx pgx.Tx) error {
		if err := store.InsertUser(ctx, tx, u); err != nil {
			return err
		}
		if err := store.InsertOrganization(ctx, tx, o); err != nil {
			return err
		}
		return store.InsertMember(ctx, tx, u.ID, membership.Owner)
	}))
	return u, o
}

func waitJob(t *testing.T, kind string, orgID uuid.UUID) {
	t.Helper()
	admin := testkit.AdminPool(t)
	require.Eventually(t, func() bool {
		var state string
		err := admin.QueryRow(context.Background(), `SELECT state FROM river_job WHERE kind = $1 AND args->>'org_id' = $2`,
			kind, orgID.String()).Scan(&state)
		return err == nil && state == "completed"
	}, 30*time.Second, 50*time.Millisecond, "%s job for %s did not complete", kind, orgID)
}

func orgState(t *testing.T, db *store.DB, id uuid.UUID) store.Organization {
	t.Helper()
	var o store.Organization
	require.NoError(t, db.InTenant(context.Background(), store.Tenant{OrgID: id}, func(tx pgx.Tx) (err error) {
		o, err = store.OrganizationByID(context.Background(), tx, id)
		return err
	}))
	return o
}

// The integration the foundation promises: a workflow started through the API's client
// code runs on the worker against the real dev server, and its activity enqueues a River
// job in its transaction, which the worker then works (here, an email to the SMTP sink).
func TestOnboarding_WorkflowActivityEnqueuesJobThatRuns(t *testing.T) {
	t.Parallel()
	_, db := setup(t)
	owner, org := organizationWithoutOnboarding(t, db)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	tc, queue := testkit.Temporal(t), testkit.Config(t).Temporal.TaskQueue
	in := onboarding.Input{OrgID: org.ID, OwnerUserID: owner.ID}
	run, err := onboarding.Start(ctx, tc, queue, in)
	require.NoError(t, err)
	require.Equal(t, onboarding.WorkflowID(org.ID), run.GetID())
	// Started again at once, the onboarding hands back its run (running or finished).
	again, err := onboarding.Start(ctx, tc, queue, in)
	require.NoError(t, err)
	require.Equal(t, run.GetRunID(), again.GetRunID())
	var res onboarding.Result
	require.NoError(t, run.Get(ctx, &res))
	require.True(t, res.Provisioned)
	require.NotNil(t, orgState(t, db, org.ID).ProvisionedAt)

	waitJob(t, "welcome_email", org.ID)
	msg, err := testkit.Mail(t).WaitFor(ctx, owner.Email, func(m mailsink.MessageDetail) bool {
		return strings.Contains(m.Subject, "Onboarding Vivarium")
	})
	require.NoError(t, err)
	require.Contains(t, msg.Text, "Hello Owner")
	require.Contains(t, msg.HTML, testkit.Config(t).HTTP.PublicBaseURL)
	require.NotNil(t, orgState(t, db, org.ID).WelcomedAt)

	// Onboarding is once per organization: started again once completed, it hands back the
	// finished run rather than a second one, and for another owner it is refused.
	finished, err := onboarding.Start(ctx, tc, queue, in)
	require.NoError(t, err)
	require.Equal(t, run.GetRunID(), finished.GetRunID())
	var rerun onboarding.Result
	require.NoError(t, finished.Get(ctx, &rerun))
	require.Equal(t, res, rerun)
	_, err = onboarding.Start(ctx, tc, queue, onboarding.Input{OrgID: org.ID, OwnerUserID: uuid.New()})
	require.ErrorIs(t, err, process.ErrStartedOtherwise)
}

// Registration enqueues the job that starts onboarding in its own transaction; the worker
// starts the workflow from it and the owner is welcomed exactly once.
func TestRegistration_StartsOnboardingThroughRiver(t *testing.T) {
	t.Parallel()
	w, db := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	email := testkit.UniqueEmail("registered")
	_, org, err := accounts.Register(ctx, db, w.River(), accounts.NewAccount{
		Email: email, Password: "correct horse battery", DisplayName: "Registered Keeper", OrganizationName: "Registered Vivarium",
	}, nil)
	require.NoError(t, err)

	waitJob(t, "start_onboarding", org.ID)
	var res onboarding.Result
	require.NoError(t, testkit.Temporal(t).GetWorkflow(ctx, onboarding.WorkflowID(org.ID), "").Get(ctx, &res))
	require.True(t, res.Provisioned)
	waitJob(t, "welcome_email", org.ID)
	isWelcome := func(m mailsink.MessageDetail) bool { return strings.HasPrefix(m.Subject, "Welcome to ReptiDex") }
	_, err = testkit.Mail(t).WaitFor(ctx, email, isWelcome)
	require.NoError(t, err)
	msgs, err := testkit.Mail(t).List(ctx, email)
	require.NoError(t, err)
	welcomes := 0
	for _, m := range msgs {
		if strings.HasPrefix(m.Subject, "Welcome to ReptiDex") {
			welcomes++
		}
	}
	require.Equal(t, 1, welcomes, "the owner is welcomed once")

	var types []string
	require.NoError(t, db.InTenant(ctx, store.Tenant{OrgID: org.ID}, func(tx pgx.Tx) error {
		evs, err := store.EventsOfAggregate(ctx, tx, "organization", org.PublicID)
		for _, e := range evs {
			types = append(types, e.Type)
		}
		return err
	}))
	require.Equal(t, []string{"organization.created", "member.added", "organization.provisioned", "organization.welcomed"}, types)
}

// A try whose transaction commits but whose answer is lost (a worker stopping mid-try
// cancels it) is tried again; the retry finds the organization provisioned and still
// reports the provisioning as this onboarding's.
func TestOnboarding_ARetryAfterALostAnswerReportsTheProvisioning(t *testing.T) {
	t.Parallel()
	w, db := setup(t)
	owner, org := organizationWithoutOnboarding(t, db)
	acts := &activities.Database{DB: db, River: w.River()}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	onboarding.RegisterWorkflow(env)
	tries := 0
	env.RegisterActivityWithOptions(func(ctx context.Context, in onboarding.Input) (onboarding.Result, error) {
		tries++
		res, err := acts.Provision(ctx, in)
		if tries == 1 && err == nil {
			return onboarding.Result{}, errors.New("the answer was lost")
		}
		return res, err
	}, activity.RegisterOptions{Name: onboarding.ProvisionActivity})
	env.ExecuteWorkflow(onboarding.WorkflowName, onboarding.Input{OrgID: org.ID, OwnerUserID: owner.ID})
	require.NoError(t, env.GetWorkflowError())
	var res onboarding.Result
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, 2, tries)
	require.True(t, res.Provisioned)
	require.NotNil(t, orgState(t, db, org.ID).ProvisionedAt)
}

// certKeys is a certificate keyring made for the test.
func certKeys(t *testing.T) *certs.Keyring {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	ring, err := certs.NewKeyring(priv)
	require.NoError(t, err)
	return ring
}
