package dunning

import (
	"context"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Activities is what dunning asks of the database and Stripe.
type Activities interface {
	// Notice tells the organization's owners and admins, in the app and by email, once per
	// notice however often it is retried.
	Notice(ctx context.Context, n Notice) error
	// Retry asks Stripe to collect an open invoice now, under a key derived from the
	// subscription, the invoice and the event that added the payment method. A refusal
	// (declined, no longer open) is of type ErrTypePaymentRefused.
	Retry(ctx context.Context, r Retry) error
	// EndGrace asks Stripe whether any open invoice was paid meanwhile (Paid, and nothing
	// else changes); otherwise it records that the grace ended and moves the organization to
	// Free, telling its owners. Run again, it changes nothing more.
	EndGrace(ctx context.Context, g GraceEnd) (GraceOutcome, error)
}

// Register registers the dunning workflow and acts' activities with w.
func Register(w worker.Registry, acts Activities) {
	RegisterWorkflow(w)
	w.RegisterActivityWithOptions(acts.Notice, activity.RegisterOptions{Name: NoticeActivity})
	w.RegisterActivityWithOptions(acts.Retry, activity.RegisterOptions{Name: RetryActivity})
	w.RegisterActivityWithOptions(acts.EndGrace, activity.RegisterOptions{Name: EndGraceActivity})
}

// RegisterWorkflow registers the dunning workflow alone, as a replayer needs it.
func RegisterWorkflow(w worker.WorkflowRegistry) {
	w.RegisterWorkflowWithOptions(Workflow, workflow.RegisterOptions{Name: WorkflowName})
}
