package e2e_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/workflows/onboarding"
	"github.com/reptidex/reptidex/workflows/process"
)

// onboardingPath is one way an onboarding ends, and the file under
// workflows/onboarding/testdata its history goes to.
type onboardingPath struct {
	name string
	// drive has an organization onboarded and returns the onboarding's workflow ID.
	drive func(t *testing.T, s *system) string
	// An onboarding that completes says whether it provisioned the organization; one that
	// fails, with an application error of failedWith.
	provisioned bool
	failedWith  string
	file        string
}

// Each path an onboarding can take, run on the dev server by the worker: it provisions the
// organization, finds it provisioned already, fails for good (no such organization) or
// refuses its input. Each history must replay against today's code; with
// RECORD_HISTORIES=1 they are written as the workflow's recorded histories.
func TestOnboarding_RecordsTheHistoryOfEachPath(t *testing.T) {
	t.Parallel()
	paths := []onboardingPath{
		{name: "provisioned on registration", drive: driveRegistration, provisioned: true, file: "provisioned.json"},
		{name: "already provisioned", drive: driveAlreadyProvisioned, file: "already_provisioned.json"},
		{name: "organization not found", drive: driveMissingOrganization, failedWith: onboarding.ErrTypeNotFound,
			file: "organization_not_found.json"},
		{name: "input without an owner", drive: driveOwnerless, failedWith: "InvalidInput", file: "invalid_input.json"},
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			s := start(t)
			tc := testkit.Temporal(t)
			id := p.drive(t, s)

			ctx, cancel := context.WithTimeout(context.Background(), processWait)
			defer cancel()
			var res onboarding.Result
			err := tc.GetWorkflow(ctx, id, "").Get(ctx, &res)
			end := enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED
			if p.failedWith != "" {
				require.True(t, process.IsErrorType(err, p.failedWith), "failed with %v, not %s", err, p.failedWith)
				end = enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED
			} else {
				require.NoError(t, err)
				require.Equal(t, p.provisioned, res.Provisioned)
			}
			h := fetchHistory(t, tc, id, "")
			require.Equal(t, end, h.Events[len(h.Events)-1].EventType)
			requireReplays(t, h)

			if recordHistories {
				writeHistory(t, h, filepath.Join("..", "workflows", "onboarding", "testdata", p.file))
			}
		})
	}
}

// driveRegistration registers an account over HTTP, whose onboarding River starts, and
// waits for the owner's welcome, which provisioning enqueues.
func driveRegistration(t *testing.T, s *system) string {
	t.Helper()
	ada := s.register(t, "Ada", false)
	s.waitMail(t, ada.Email, "Welcome to ReptiDex, Ada's Reptiles")
	var orgID uuid.UUID
	require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(),
		`SELECT id FROM organizations WHERE public_id = $1`, ada.OrgID).Scan(&orgID))
	return onboarding.WorkflowID(orgID)
}

// driveAlreadyProvisioned onboards an organization that is provisioned already, as a
// provisioning retried after its first try committed finds it.
func driveAlreadyProvisioned(t *testing.T, s *system) string {
	t.Helper()
	ctx := context.Background()
	u := store.User{ID: uuid.New(), PublicID: store.NewPublicID(), Email: testkit.UniqueEmail("owner"), DisplayName: "Owner", PasswordHash: "x"}
	o := store.Organization{ID: uuid.New(), PublicID: store.NewPublicID(), Name: "Provisioned Vivarium", CreatedBy: u.ID}
	require.NoError(t, s.DB.InTenant(ctx, store.Tenant{OrgID: o.ID, UserID: u.ID}, func(tx pgx.Tx) error {
		if err := store.InsertUser(ctx, tx, u); err != nil {
			return err
		}
		if err := store.InsertOrganization(ctx, tx, o); err != nil {
			return err
		}
		_, err := store.MarkProvisioned(ctx, tx, o.ID)
		return err
	}))
	return startOnboarding(t, s, onboarding.Input{OrgID: o.ID, OwnerUserID: u.ID})
}

// driveMissingOrganization onboards an organization that does not exist.
func driveMissingOrganization(t *testing.T, s *system) string {
	t.Helper()
	return startOnboarding(t, s, onboarding.Input{OrgID: uuid.New(), OwnerUserID: uuid.New()})
}

// driveOwnerless starts an onboarding whose input names no owner.
func driveOwnerless(t *testing.T, s *system) string {
	t.Helper()
	return startOnboarding(t, s, onboarding.Input{OrgID: uuid.New()})
}

// startOnboarding starts an onboarding through its client, as the job that registration
// enqueues does, and returns its workflow ID.
func startOnboarding(t *testing.T, s *system, in onboarding.Input) string {
	t.Helper()
	run, err := onboarding.Start(context.Background(), testkit.Temporal(t), s.Cfg.Temporal.TaskQueue, in)
	require.NoError(t, err)
	return run.GetID()
}
