package certificate_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/render"
	"github.com/reptidex/reptidex/workflows/certificate"
	"github.com/reptidex/reptidex/workflows/escalation"
)

// fake stands in for the database, the key and object storage, recording the steps run.
type fake struct {
	mu       sync.Mutex
	steps    []string
	notified []notify.Request
	// store is the Store step; nil stores.
	store func() (certificate.Stored, error)
}

func (f *fake) step(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.steps = append(f.steps, s)
}

func (f *fake) Snapshot(_ context.Context, in certificate.Input) (certificate.Snapshot, error) {
	f.step("snapshot")
	return certificate.Snapshot{Serial: in.Serial, Generations: certificate.Generations,
		Pedigree: []*render.Animal{{Visible: true, ID: in.AnimalPublicID, Species: "ball-python"}}}, nil
}

func (f *fake) Sign(_ context.Context, s certificate.Snapshot) (certificate.Signed, error) {
	f.step("sign")
	return certificate.Signed{Canonical: []byte(`{"serial":"` + s.Serial + `"}`), SHA256: "ab", Signature: "sig", KeyID: "key1"}, nil
}

func (f *fake) Store(_ context.Context, in certificate.Input, _ certificate.Signed) (certificate.Stored, error) {
	f.step("store")
	if f.store != nil {
		return f.store()
	}
	return certificate.Stored{PDFKey: certificate.PDFKey(in.OrgID, in.Serial), RecordKey: certificate.RecordKey(in.OrgID, in.Serial), PDFSHA256: "cd"}, nil
}

func (f *fake) Issue(_ context.Context, i certificate.Issue) error {
	f.step("issue")
	if i.Signed.KeyID != "key1" || i.Stored.PDFSHA256 != "cd" {
		return errors.New("issued without what was signed and stored")
	}
	return nil
}

func (f *fake) Fail(context.Context, certificate.Input) error {
	f.step("fail")
	return nil
}

func (f *fake) record(_ context.Context, r notify.Request) (uuid.UUID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notified = append(f.notified, r)
	return uuid.New(), nil
}

func newEnv(t *testing.T, f *fake) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	certificate.Register(env, f)
	env.RegisterActivityWithOptions(f.record, activity.RegisterOptions{Name: escalation.RecordActivity})
	return env
}

func input() certificate.Input {
	return certificate.Input{CertificateID: uuid.New(), Serial: "7KQ2-M9XD-4TJ8", OrgID: uuid.New(), AnimalID: uuid.New(),
		AnimalPublicID: "4fTqW9zKc2NvRbHxMwPq000", RequestedBy: uuid.New()}
}

func TestWorkflow_IssuesOnceSignedAndStoredAndTellsTheRequester(t *testing.T) {
	t.Parallel()
	f := &fake{}
	env := newEnv(t, f)
	in := input()
	env.ExecuteWorkflow(certificate.WorkflowName, in)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res certificate.Result
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, certificate.Result{PDFKey: "certificates/" + in.OrgID.String() + "/7KQ2-M9XD-4TJ8.pdf", KeyID: "key1"}, res)
	require.Equal(t, []string{"snapshot", "sign", "store", "issue"}, f.steps)
	require.Len(t, f.notified, 1)
	require.Equal(t, in.RequestedBy, f.notified[0].UserID)
	require.Equal(t, "certificate.outcome", f.notified[0].Type)
	require.Contains(t, f.notified[0].Title, "is ready")
	require.Equal(t, "/certificates/7KQ2-M9XD-4TJ8", f.notified[0].Link, "the certificate's page")
}

// Object storage that keeps failing is retried within the bound, then the certificate ends
// failed, never issued, and the requester is told.
func TestWorkflow_StorageThatKeepsFailingEndsTheCertificateFailed(t *testing.T) {
	t.Parallel()
	var tries []time.Time
	var env *testsuite.TestWorkflowEnvironment
	f := &fake{store: func() (certificate.Stored, error) {
		tries = append(tries, env.Now())
		return certificate.Stored{}, errors.New("connection refused")
	}}
	env = newEnv(t, f)
	env.ExecuteWorkflow(certificate.WorkflowName, input())
	require.True(t, env.IsWorkflowCompleted())
	require.Error(t, env.GetWorkflowError())
	require.Greater(t, len(tries), 3, "retried")
	require.LessOrEqual(t, tries[len(tries)-1].Sub(tries[0]), 30*time.Minute, "within the bound")
	require.NotContains(t, f.steps, "issue")
	require.Equal(t, "fail", f.steps[len(f.steps)-1])
	require.Len(t, f.notified, 1)
	require.Contains(t, f.notified[0].Title, "could not be issued")
	require.Equal(t, "/certificates/7KQ2-M9XD-4TJ8", f.notified[0].Link, "the certificate's page")
}

// A certificate no longer being issued fails at once, without retrying.
func TestWorkflow_ACertificateNotBeingIssuedFailsAtOnce(t *testing.T) {
	t.Parallel()
	f := &fake{store: func() (certificate.Stored, error) {
		return certificate.Stored{}, temporal.NewNonRetryableApplicationError("gone", certificate.ErrTypeNotFound, nil)
	}}
	env := newEnv(t, f)
	env.ExecuteWorkflow(certificate.WorkflowName, input())
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, env.GetWorkflowError(), &appErr)
	require.Equal(t, certificate.ErrTypeNotFound, appErr.Type())
	require.Equal(t, []string{"snapshot", "sign", "store", "fail"}, f.steps)
}

func TestWorkflow_RefusesEmptyInput(t *testing.T) {
	t.Parallel()
	f := &fake{}
	env := newEnv(t, f)
	env.ExecuteWorkflow(certificate.WorkflowName, certificate.Input{})
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, env.GetWorkflowError(), &appErr)
	require.True(t, appErr.NonRetryable())
	require.Empty(t, f.steps)
}
