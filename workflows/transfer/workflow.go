package transfer

import (
	"strings"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/workflows/escalation"
	"github.com/reptidex/reptidex/workflows/process"
)

// How long the workflow keeps at what it does not wait on forever.
const (
	// giveUp bounds every activity, from its first try to its last: each is one short
	// database transaction, so one failing for an hour meets an outage or a fault that
	// retrying will not mend, not a blip, and the transfer takes its failure path rather
	// than hold the animal (or the person answering) any longer. A move failing that long
	// hands the offer back; an ending that cannot be recorded is released; a notification,
	// a timeline note or the recipients' lookup is done without.
	giveUp = time.Hour
	// The offer escalations have that long to record that the recipient acted before the
	// transfer ends without them (FinishActivity has marked the offers acted on anyway).
	actionedWait = time.Minute
)

// failureOutcomes is the change that gave each activity's final failure a defined
// outcome (a release, or carrying on without it) where the workflow used to fail or wait:
// histories recorded before it replay as they ran.
const failureOutcomes = "failure-outcomes"

// run is the state of one transfer workflow.
type run struct {
	in         Input
	state      State
	recipients []Recipient
	// offered counts the recipients whose offer escalation has been started (or given
	// up); escalations are those that started, on a context stopOffers cancels.
	offered     int
	escalations []workflow.ChildWorkflowFuture
	stopOffers  workflow.CancelFunc
	// failed is an ending the database refused to record; the workflow fails with it.
	failed error
}

// Workflow runs one transfer from offer to its end.
func Workflow(ctx workflow.Context, in Input) (Result, error) {
	if in.TransferID == uuid.Nil || in.AnimalID == uuid.Nil || in.OrgID == uuid.Nil ||
		(in.RecipientEmail == "") == (in.RecipientOrgID == uuid.Nil) || in.ExpiresAt.IsZero() {
		return Result{}, temporal.NewNonRetryableApplicationError("a transfer needs an animal, an offering organization, one recipient and an expiry", "InvalidInput", nil)
	}
	r := &run{in: in, state: State{Status: Offered, OfferedAt: in.OfferedAt, ExpiresAt: in.ExpiresAt}}
	if err := r.register(ctx); err != nil {
		return Result{}, err
	}
	ctx = withActivityOptions(ctx)
	offers, stopOffers := workflow.WithCancel(ctx)
	r.stopOffers = stopOffers

	if err := workflow.ExecuteActivity(ctx, RecipientsActivity, in).Get(ctx, &r.recipients); err != nil {
		if !r.carriesOn(ctx, err) {
			return Result{}, err
		}
		// Nobody is told, but the offer stands: the recipient finds it among their incoming
		// transfers, the offering organization may cancel it, and it expires on time.
		workflow.GetLogger(ctx).Error("the offer's recipients could not be found; the offer stands without telling them",
			"transfer", in.PublicID, "error", err)
		r.recipients = nil
	}

	// Each pass starts while no accept is under way (an accept whose move is refused hands
	// back to Offered) and does one thing: expire, offer, or wait for the reminder, the
	// expiry or an update.
	for !r.state.Status.Ended() {
		if err := workflow.Await(ctx, func() bool { return r.state.Status != Accepting }); err != nil {
			return Result{}, err
		}
		if r.state.Status != Offered {
			continue
		}
		now := workflow.Now(ctx)
		if !now.Before(in.ExpiresAt) {
			if err := r.expire(ctx); err != nil {
				return Result{}, err
			}
			continue
		}
		if r.offered < len(r.recipients) {
			r.offer(ctx, offers)
			continue
		}
		next := in.ExpiresAt
		remind := !in.RemindAt.IsZero() && !r.state.Reminded && in.RemindAt.Before(next)
		if remind {
			next = in.RemindAt
		}
		wait := max(next.Sub(now), time.Millisecond) // a time already past fires at once
		changed, err := workflow.AwaitWithTimeout(ctx, wait, func() bool { return r.state.Status != Offered })
		if err != nil {
			return Result{}, err
		}
		if !changed && remind {
			if err := r.remind(ctx); err != nil {
				return Result{}, err
			}
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return Result{}, err
	}
	if r.failed != nil {
		return Result{}, r.failed
	}
	if r.state.Status == Accepted || r.state.Status == Declined {
		// After the answer has gone back: the recipient does not wait for this.
		r.actioned(ctx)
	}
	r.announce(ctx)
	return Result{Status: r.state.Status, ToOrgID: r.state.ToOrgID, Reason: r.state.Reason}, nil
}

// activityOptions are the transfer's activity timeouts and retries: every activity is
// one short database transaction (process.DatabaseActivity), its tries spaced up to a
// minute apart rather than five, since a person may be waiting on the move or the ending;
// after giveUp (about 65 tries) the activity has failed for good. Errors that retrying
// cannot mend (refusals, endings the database holds otherwise, invalid notifications,
// data the database refuses: activities.Classify) fail at once.
func activityOptions() workflow.ActivityOptions {
	opts := process.DatabaseActivity(giveUp, ErrTypeMoveRefused, ErrTypeEndedOtherwise, escalation.ErrTypeInvalid)
	opts.RetryPolicy.MaximumInterval = time.Minute
	return opts
}

// withActivityOptions gives ctx the transfer's activity options. Update handlers get a
// context of their own, so each applies them too.
func withActivityOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, activityOptions())
}

// carriesOn reports whether the workflow goes on without an activity that finally failed
// with err: not when the workflow itself is being cancelled, nor in a history recorded
// before failures had their outcomes.
func (r *run) carriesOn(ctx workflow.Context, err error) bool {
	return !temporal.IsCanceledError(err) && ctx.Err() == nil &&
		workflow.GetVersion(ctx, failureOutcomes, workflow.DefaultVersion, 1) == 1
}

func (r *run) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, StateQuery, func() (State, error) { return r.state, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, AcceptUpdate, r.accept,
		workflow.UpdateHandlerOptions{Validator: r.validateAccept}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, DeclineUpdate, r.decline,
		workflow.UpdateHandlerOptions{Validator: r.validateDecline}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, CancelUpdate, r.cancel,
		workflow.UpdateHandlerOptions{Validator: r.validateCancel})
}

// open refuses an update once the transfer has ended or is being accepted.
func (r *run) open() error {
	switch r.state.Status {
	case Offered:
		return nil
	case Accepting:
		return temporal.NewApplicationError("the transfer is being accepted", ErrTypeEnded)
	}
	return temporal.NewApplicationError("the transfer was already "+string(r.state.Status), ErrTypeEnded)
}

// isRecipient reports whether the actor is who the offer names: the verified owner of the
// email address it was sent to, or an owner or admin of the organization it was sent to.
func (r *run) isRecipient(a Actor) bool {
	if r.in.RecipientOrgID != uuid.Nil {
		return a.OrgID == r.in.RecipientOrgID && a.OrgRoleManages
	}
	return a.Email != "" && strings.EqualFold(a.Email, r.in.RecipientEmail)
}

// answerable refuses an accept or decline once the offer's time is up, even if the expiry
// has not run yet.
func (r *run) answerable(ctx workflow.Context) error {
	if err := r.open(); err != nil {
		return err
	}
	if !workflow.Now(ctx).Before(r.in.ExpiresAt) {
		return temporal.NewApplicationError("the offer has expired", ErrTypeEnded)
	}
	return nil
}

func (r *run) validateAccept(ctx workflow.Context, a Actor) error {
	if err := r.answerable(ctx); err != nil {
		return err
	}
	switch {
	case !r.isRecipient(a):
		return temporal.NewApplicationError("only the recipient of the offer may accept it", ErrTypeRefused)
	case a.OrgID == uuid.Nil || !a.OrgRoleManages:
		return temporal.NewApplicationError("the receiving organization must be one the recipient owns or administers", ErrTypeRefused)
	case a.OrgID == r.in.OrgID:
		return temporal.NewApplicationError("the animal already belongs to that organization", ErrTypeRefused)
	}
	return nil
}

func (r *run) validateDecline(ctx workflow.Context, in DeclineInput) error {
	if err := r.answerable(ctx); err != nil {
		return err
	}
	if !r.isRecipient(in.Actor) {
		return temporal.NewApplicationError("only the recipient of the offer may decline it", ErrTypeRefused)
	}
	return nil
}

func (r *run) validateCancel(_ workflow.Context, a Actor) error {
	if err := r.open(); err != nil {
		return err
	}
	if a.OrgID != r.in.OrgID || !a.OrgRoleManages {
		return temporal.NewApplicationError("only an owner or admin of the offering organization may cancel", ErrTypeRefused)
	}
	return nil
}

// accept moves the animal to the receiving organization and ends the transfer. If the move
// is refused, or keeps failing for giveUp, the offer stands again and the caller is told
// why.
func (r *run) accept(ctx workflow.Context, a Actor) (Result, error) {
	r.state.Status = Accepting
	move := MoveInput{TransferID: r.in.TransferID, AnimalID: r.in.AnimalID, FromOrgID: r.in.OrgID, ToOrgID: a.OrgID, UserID: a.UserID}
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), MoveActivity, move).Get(ctx, nil); err != nil {
		r.state.Status = Offered
		return Result{}, err
	}
	r.state.Status, r.state.ToOrgID = Accepted, a.OrgID
	if err := r.finish(ctx, FinishInput{Status: Accepted, UserID: a.UserID, ToOrgID: a.OrgID}); err != nil {
		return Result{}, err
	}
	return Result{Status: Accepted, ToOrgID: a.OrgID}, nil
}

func (r *run) decline(ctx workflow.Context, in DeclineInput) (Result, error) {
	r.state.Status, r.state.Reason = Declined, in.Reason
	if err := r.finish(ctx, FinishInput{Status: Declined, Reason: in.Reason, UserID: in.Actor.UserID}); err != nil {
		return Result{}, err
	}
	return Result{Status: Declined, Reason: r.state.Reason}, nil
}

func (r *run) cancel(ctx workflow.Context, a Actor) (Result, error) {
	r.state.Status = Cancelled
	err := r.finish(ctx, FinishInput{Status: Cancelled, UserID: a.UserID})
	r.stopOffers()
	if err != nil {
		return Result{}, err
	}
	return Result{Status: Cancelled}, nil
}

// expire ends an offer nobody answered in time.
func (r *run) expire(ctx workflow.Context) error {
	r.state.Status = Expired
	err := r.finish(ctx, FinishInput{Status: Expired})
	r.stopOffers()
	return err
}

// finish records the ending in the database (status, timeline, the animal's hold released,
// the offers marked acted on). A decline, cancel or expiry that cannot be recorded as given
// (the database refuses its reason, or keeps failing for giveUp) is released instead: the
// same ending without the reason, so that no input leaves the animal held. An ending the
// database holds otherwise, and an acceptance (the move released the animal), are not: as
// is a release that fails too, they fail the workflow once its handlers are done rather
// than announce what did not happen; the sweep then ends the offer after its expiry.
func (r *run) finish(ctx workflow.Context, f FinishInput) error {
	ctx = withActivityOptions(ctx)
	f.TransferID, f.OrgID = r.in.TransferID, r.in.OrgID
	err := workflow.ExecuteActivity(ctx, FinishActivity, f).Get(ctx, nil)
	if err != nil && f.Status != Accepted && !process.IsErrorType(err, ErrTypeEndedOtherwise) && r.carriesOn(ctx, err) {
		workflow.GetLogger(ctx).Error("the transfer's ending could not be recorded as given; it is released without the reason",
			"transfer", r.in.PublicID, "status", f.Status, "error", err)
		err = workflow.ExecuteActivity(ctx, ReleaseActivity,
			ReleaseInput{TransferID: f.TransferID, OrgID: f.OrgID, Status: f.Status, UserID: f.UserID}).Get(ctx, nil)
		if err == nil {
			r.state.Reason = ""
		}
	}
	if err != nil && r.failed == nil {
		r.failed = err
	}
	return err
}

// offer tells each recipient not yet told through an escalation of its own, a child of
// this workflow started on offers: it ends when they act, or is cancelled when the
// transfer ends otherwise. It stops as soon as the offer is no longer open. An escalation
// that cannot start is logged and passed over: the recipient still finds the transfer
// among their incoming ones.
func (r *run) offer(ctx, offers workflow.Context) {
	for ; r.offered < len(r.recipients) && r.state.Status == Offered; r.offered++ {
		req := offerMessage(r.in, r.recipients[r.offered], r.state.ExpiresAt)
		child := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(offers, escalation.ChildOptions(req.DedupKey)),
			escalation.WorkflowName, escalation.Input{Notification: req, EmailAfter: r.in.EmailAfter, SMSAfter: r.in.SMSAfter})
		if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("the offer's escalation did not start; the transfer carries on without it",
				"transfer", r.in.PublicID, "dedup_key", req.DedupKey, "error", err)
			continue
		}
		r.escalations = append(r.escalations, child)
	}
}

// actioned tells the offer escalations that the recipient acted, and gives them
// actionedWait to record it before the transfer ends (which cancels them).
func (r *run) actioned(ctx workflow.Context) {
	for _, child := range r.escalations {
		// An escalation that already ended needs no telling.
		_ = child.SignalChildWorkflow(ctx, escalation.ActionedSignal, nil).Get(ctx, nil)
	}
	done, err := workflow.AwaitWithTimeout(ctx, actionedWait, func() bool {
		for _, child := range r.escalations {
			if !child.IsReady() {
				return false
			}
		}
		return true
	})
	if err != nil {
		return // the workflow itself is being cancelled
	}
	if !done {
		workflow.GetLogger(ctx).Warn("an offer's escalation did not record the answer in time; the transfer ends without waiting",
			"transfer", r.in.PublicID, "waited", actionedWait)
		return
	}
	for _, child := range r.escalations {
		if err := child.Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("an offer's escalation failed; the transfer carries on without it",
				"transfer", r.in.PublicID, "error", err)
		}
	}
}

// remind sends each recipient a reminder of the open offer, stopping as soon as the offer
// is no longer open.
func (r *run) remind(ctx workflow.Context) error {
	r.state.Reminded, r.state.RemindedAt = true, workflow.Now(ctx)
	for _, rc := range r.recipients {
		if r.state.Status != Offered {
			return nil
		}
		r.notify(ctx, reminderMessage(r.in, rc))
	}
	if r.state.Status != Offered {
		return nil
	}
	err := workflow.ExecuteActivity(ctx, NoteActivity, NoteInput{TransferID: r.in.TransferID, OrgID: r.in.OrgID,
		Kind: "reminded", Detail: "the recipient was reminded"}).Get(ctx, nil)
	if err != nil && r.carriesOn(ctx, err) {
		workflow.GetLogger(ctx).Warn("the reminder was not noted on the timeline; the transfer carries on without it",
			"transfer", r.in.PublicID, "error", err)
		return nil
	}
	return err
}

// announce tells both sides how the transfer ended.
func (r *run) announce(ctx workflow.Context) {
	st := r.state
	parties := append([]Recipient{{UserID: r.in.OfferedBy}}, r.recipients...)
	for _, p := range parties {
		r.notify(ctx, outcomeMessage(r.in, st, p))
	}
}

// notify records a notification, best effort: one that cannot be recorded (refused, or
// failing for giveUp) is logged, and the transfer carries on without it.
func (r *run) notify(ctx workflow.Context, req notify.Request) {
	var id uuid.UUID
	if err := workflow.ExecuteActivity(withActivityOptions(ctx), escalation.RecordActivity, req).Get(ctx, &id); err != nil {
		workflow.GetLogger(ctx).Warn("a transfer notification was not recorded; the transfer carries on without it",
			"transfer", r.in.PublicID, "dedup_key", req.DedupKey, "error", err)
	}
}
