package sale

import (
	"context"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Activities is what a sale asks of Stripe and the database. Each Stripe call is made under
// the key of its order and step (Key), and the movement it made is recorded in the ledger
// under the same key after the call, in its own short transaction: a retry repeats the call,
// gets the same object back, and records nothing twice. The workflow also records
// notifications and runs escalations: register the escalation process beside it.
type Activities interface {
	// AuthorizePayment creates the order's PaymentIntent (manual capture, on the platform).
	AuthorizePayment(ctx context.Context, in AuthorizeInput) (Authorization, error)
	// AdvanceOrder records a stage of the order.
	AdvanceOrder(ctx context.Context, in AdvanceInput) error
	// RecordMovement records a movement of money Stripe made without a call of ours (the
	// buyer's authorization, a lapse, a refund from the dashboard).
	RecordMovement(ctx context.Context, m Movement) error
	// CapturePayment captures the authorization and records the capture.
	CapturePayment(ctx context.Context, in CaptureInput) (Capture, error)
	// ReleasePayment cancels the PaymentIntent and records what it released.
	ReleasePayment(ctx context.Context, in ReleaseInput) error
	// PaySeller transfers the seller's share and records it with the platform's fee.
	PaySeller(ctx context.Context, in PayoutInput) error
	// RefundBuyer refunds the buyer and records the refund.
	RefundBuyer(ctx context.Context, in RefundInput) error
	// MoveSoldAnimal moves the animal to the buyer, and re-issues its certificate for them,
	// once.
	MoveSoldAnimal(ctx context.Context, in MoveInput) error
	// PlatformAdmins lists who decides reported problems.
	PlatformAdmins(ctx context.Context) ([]uuid.UUID, error)
}

// Register registers the sale workflow and acts' activities with w, each under the name the
// workflow schedules it by.
func Register(w worker.Registry, acts Activities) {
	RegisterWorkflow(w)
	w.RegisterActivityWithOptions(acts.AuthorizePayment, activity.RegisterOptions{Name: AuthorizeActivity})
	w.RegisterActivityWithOptions(acts.AdvanceOrder, activity.RegisterOptions{Name: AdvanceActivity})
	w.RegisterActivityWithOptions(acts.RecordMovement, activity.RegisterOptions{Name: RecordActivity})
	w.RegisterActivityWithOptions(acts.CapturePayment, activity.RegisterOptions{Name: CaptureActivity})
	w.RegisterActivityWithOptions(acts.ReleasePayment, activity.RegisterOptions{Name: ReleaseActivity})
	w.RegisterActivityWithOptions(acts.PaySeller, activity.RegisterOptions{Name: PayoutActivity})
	w.RegisterActivityWithOptions(acts.RefundBuyer, activity.RegisterOptions{Name: RefundActivity})
	w.RegisterActivityWithOptions(acts.MoveSoldAnimal, activity.RegisterOptions{Name: MoveActivity})
	w.RegisterActivityWithOptions(acts.PlatformAdmins, activity.RegisterOptions{Name: AdminsActivity})
}

// RegisterWorkflow registers the sale workflow alone under its name, as a replayer of
// recorded histories needs it.
func RegisterWorkflow(w worker.WorkflowRegistry) {
	w.RegisterWorkflowWithOptions(Workflow, workflow.RegisterOptions{Name: WorkflowName})
}
