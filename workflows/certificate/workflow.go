package certificate

import (
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/workflows/escalation"
	"github.com/reptidex/reptidex/workflows/process"
)

// giveUp bounds each step, from its first try to its last: each is a short read, a signature,
// or a render and two uploads. One failing for half an hour meets an outage that retrying
// will not mend soon; the requester is told and can ask again, and nothing was issued.
const giveUp = 30 * time.Minute

// AbandonedAfter is how long after its request a certificate may stay issuing before the
// sweep of certificates looks at its process: four times giveUp, well beyond the time the
// workflow takes to give up on a step and end the certificate failed itself.
const AbandonedAfter = 4 * giveUp

// storeTimeout is a try of Store: a render and two uploads to object storage, longer than a
// short transaction.
const storeTimeout = time.Minute

// Workflow issues the certificate: snapshot, signature, PDF and record stored, then the
// certificate marked issued, and the requester told. A step that finally fails (within
// giveUp, or at once for a missing certificate or data the database refuses) marks the
// certificate failed, tells the requester, and fails the workflow; the objects a failed
// certificate may have stored are never pointed to by an issued row.
func Workflow(ctx workflow.Context, in Input) (Result, error) {
	if in.CertificateID == uuid.Nil || in.OrgID == uuid.Nil || in.AnimalID == uuid.Nil || in.RequestedBy == uuid.Nil ||
		in.Serial == "" || in.AnimalPublicID == "" {
		return Result{}, temporal.NewNonRetryableApplicationError("certificate, serial, organization, animal and requester are required", "InvalidInput", nil)
	}
	opts := process.DatabaseActivity(giveUp, ErrTypeNotFound, ErrTypeNotCertifiable)
	actx := workflow.WithActivityOptions(ctx, opts)
	res, err := issue(ctx, actx, in)
	if err != nil {
		fail(ctx, in, err)
		return Result{}, err
	}
	tell(actx, in, issuedMessage(in))
	return res, nil
}

// issue runs the steps that issue the certificate, in order.
func issue(ctx, actx workflow.Context, in Input) (Result, error) {
	var snap Snapshot
	if err := workflow.ExecuteActivity(actx, SnapshotActivity, in).Get(ctx, &snap); err != nil {
		return Result{}, err
	}
	var signed Signed
	if err := workflow.ExecuteActivity(actx, SignActivity, snap).Get(ctx, &signed); err != nil {
		return Result{}, err
	}
	sopts := workflow.GetActivityOptions(actx)
	sopts.StartToCloseTimeout = storeTimeout
	var stored Stored
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(actx, sopts), StoreActivity, in, signed).Get(ctx, &stored); err != nil {
		return Result{}, err
	}
	if err := workflow.ExecuteActivity(actx, IssueActivity, Issue{Input: in, Signed: signed, Stored: stored}).Get(ctx, nil); err != nil {
		return Result{}, err
	}
	return Result{PDFKey: stored.PDFKey, KeyID: signed.KeyID}, nil
}

// fail marks the certificate failed and tells the requester, on a context the workflow's
// cancellation does not end, so that no certificate stays issuing.
func fail(ctx workflow.Context, in Input, cause error) {
	workflow.GetLogger(ctx).Error("the certificate could not be issued; it ends failed",
		"serial", in.Serial, "error", cause)
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	dctx = workflow.WithActivityOptions(dctx, process.DatabaseActivity(giveUp, ErrTypeNotFound))
	if err := workflow.ExecuteActivity(dctx, FailActivity, in).Get(dctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("the failed certificate could not be marked failed", "serial", in.Serial, "error", err)
	}
	tell(dctx, in, FailedMessage(in))
}

// tell records a notification to the requester, best effort: one that cannot be recorded
// is logged, and the certificate stands as it is.
func tell(ctx workflow.Context, in Input, req notify.Request) {
	var id uuid.UUID
	if err := workflow.ExecuteActivity(ctx, escalation.RecordActivity, req).Get(ctx, &id); err != nil {
		workflow.GetLogger(ctx).Warn("a certificate notification was not recorded", "serial", in.Serial, "error", err)
	}
}
