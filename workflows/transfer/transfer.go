// Package transfer is the two-party handshake that hands an animal to another breeder: the
// recipient is told and reminded, and accepts (choosing the receiving organization) or
// declines; the offering organization may cancel; unanswered, the offer expires. Accepted,
// the animal's record moves to the recipient's organization in one idempotent step.
package transfer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/workflows/escalation"
)

// WorkflowName is the registered name of the transfer workflow.
const WorkflowName = "transfer"

// The updates a transfer answers, and its query.
const (
	AcceptUpdate  = "accept"
	DeclineUpdate = "decline"
	CancelUpdate  = "cancel"
	StateQuery    = "state"
)

// Registered activity names.
const (
	RecipientsActivity = "transfer.recipients"
	MoveActivity       = "transfer.move"
	FinishActivity     = "transfer.finish"
	ReleaseActivity    = "transfer.release"
	NoteActivity       = "transfer.note"
)

// Status is where a transfer stands.
type Status string

// The statuses: offered (open), accepting (the move is under way), and the four endings.
const (
	Offered   Status = "offered"
	Accepting Status = "accepting"
	Accepted  Status = "accepted"
	Declined  Status = "declined"
	Cancelled Status = "cancelled"
	Expired   Status = "expired"
)

// Ended reports whether the transfer is over.
func (s Status) Ended() bool { return s == Accepted || s == Declined || s == Cancelled || s == Expired }

// ErrTypeEnded is the application error type of an update refused because the transfer is
// over (or, for accept, already being accepted); the API answers 409.
const ErrTypeEnded = "TransferEnded"

// ErrTypeRefused is the application error type of an update from someone the transfer does
// not let act; the API answers 403.
const ErrTypeRefused = "TransferRefused"

// ErrTypeMoveRefused is the application error type of an ownership move that cannot happen
// (the animal is gone from the offering organization or no longer held by this transfer).
const ErrTypeMoveRefused = "MoveRefused"

// ErrTypeEndedOtherwise is the application error type of an ending the database cannot
// record because it holds a different one (say, expired where the workflow accepted).
const ErrTypeEndedOtherwise = "TransferEndedOtherwise"

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
	// Names in notification titles are cut to that many characters, so that every title
	// fits notify.MaxTitleRunes.
	titleNameRunes = 80
)

// failureOutcomes is the change that gave each activity's final failure a defined
// outcome (a release, or carrying on without it) where the workflow used to fail or wait:
// histories recorded before it replay as they ran.
const failureOutcomes = "failure-outcomes"

// Input is the offer, as the API recorded it.
type Input struct {
	TransferID uuid.UUID
	PublicID   string
	OrgID      uuid.UUID // the offering organization
	OrgName    string
	OfferedBy  uuid.UUID // the user who offered
	AnimalID   uuid.UUID
	AnimalName string
	// The recipient: an email address, or an organization.
	RecipientEmail string
	RecipientOrgID uuid.UUID
	Message        string
	// When the offer was made, when its reminder is due (zero: none) and when it expires,
	// as the organization's settings made them.
	OfferedAt time.Time
	RemindAt  time.Time
	ExpiresAt time.Time
	// Escalation of the offer notification: in-app, then email, then SMS.
	EmailAfter time.Duration
	SMSAfter   time.Duration
}

// Recipient is one person the offer is addressed to: an account, or an address without one.
type Recipient struct {
	UserID uuid.UUID
	Email  string
}

func (r Recipient) key() string {
	if r.UserID != uuid.Nil {
		return r.UserID.String()
	}
	return strings.ToLower(r.Email)
}

// Actor is who asks for an update, as the API authenticated them.
type Actor struct {
	UserID uuid.UUID
	Email  string    // the actor's verified email address
	OrgID  uuid.UUID // accept: the receiving organization; cancel: the actor's organization
	// OrgRoleManages is true when the actor is an owner or admin of OrgID.
	OrgRoleManages bool
}

// DeclineInput is a decline with its reason.
type DeclineInput struct {
	Actor  Actor
	Reason string
}

// State is what the transfer's query answers.
type State struct {
	Status     Status
	ToOrgID    uuid.UUID `json:",omitempty"`
	Reason     string    `json:",omitempty"`
	Reminded   bool
	OfferedAt  time.Time
	ExpiresAt  time.Time
	RemindedAt time.Time `json:",omitempty"`
}

// MoveInput is the ownership move of an accepted transfer.
type MoveInput struct {
	TransferID uuid.UUID
	AnimalID   uuid.UUID
	FromOrgID  uuid.UUID
	ToOrgID    uuid.UUID
	UserID     uuid.UUID // who accepted
}

// FinishInput records how a transfer ended.
type FinishInput struct {
	TransferID uuid.UUID
	OrgID      uuid.UUID // the offering organization
	Status     Status
	Reason     string
	UserID     uuid.UUID // who ended it; zero for expiry
	ToOrgID    uuid.UUID // accepted: the receiving organization
}

// ReleaseInput ends a transfer whose FinishInput could not be recorded: the same status,
// without what the person gave, and the animal released.
type ReleaseInput struct {
	TransferID uuid.UUID
	OrgID      uuid.UUID // the offering organization
	Status     Status    // declined, cancelled or expired
	UserID     uuid.UUID // who ended it; zero for expiry
}

// NoteInput adds an entry to a transfer's timeline.
type NoteInput struct {
	TransferID uuid.UUID
	OrgID      uuid.UUID
	Kind       string
	Detail     string
}

// Result is how the transfer ended.
type Result struct {
	Status  Status
	ToOrgID uuid.UUID `json:",omitempty"`
	Reason  string    `json:",omitempty"`
}

// WorkflowID derives the workflow ID from the transfer.
func WorkflowID(transferID uuid.UUID) string { return "transfer/" + transferID.String() }

// Start starts the transfer's workflow, or finds the one already running; a transfer whose
// workflow has finished is not started again.
func Start(ctx context.Context, c client.Client, taskQueue string, in Input) (client.WorkflowRun, error) {
	run, err := c.ExecuteWorkflow(ctx, startOptions(taskQueue, in), WorkflowName, in)
	if err != nil && !temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		return nil, fmt.Errorf("start transfer %s: %w", in.PublicID, err)
	}
	return run, nil
}

func startOptions(taskQueue string, in Input) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       WorkflowID(in.TransferID),
		TaskQueue:                taskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}
}

// Answer sends an update (accept, decline or cancel) and waits for its outcome. The
// workflow is started with it if its start job has not run yet (update-with-start), so an
// answer never waits on the job. The same updateID (when not empty) sent again attaches to
// the first update and gets its outcome. A workflow that has finished answers
// IsWorkflowExecutionAlreadyStartedError.
func Answer(ctx context.Context, c client.Client, taskQueue string, in Input, update, updateID string, arg any) (Result, error) {
	h, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: c.NewWithStartWorkflowOperation(startOptions(taskQueue, in), WorkflowName, in),
		UpdateOptions: client.UpdateWorkflowOptions{UpdateName: update, UpdateID: updateID, Args: []any{arg},
			WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	if err != nil {
		return Result{}, err
	}
	var res Result
	err = h.Get(ctx, &res)
	return res, err
}

// offerKey is the dedup key of the offer notification to one recipient.
func offerKey(in Input, r Recipient) string {
	return "transfer/" + in.TransferID.String() + "/offer/" + r.key()
}

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
// one short database transaction, so a lost task is retried soon (10 s), tries are spaced
// up to a minute apart, and after giveUp (about 65 tries) the activity has failed for
// good. Errors that retrying cannot mend (refusals, endings the database holds otherwise,
// invalid notifications, data the database refuses: activities.Classify) fail at once.
func activityOptions() workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: giveUp,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        time.Minute,
			NonRetryableErrorTypes: []string{ErrTypeMoveRefused, ErrTypeEndedOtherwise, escalation.ErrTypeInvalid},
		},
	}
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
	if err != nil && f.Status != Accepted && !hasType(err, ErrTypeEndedOtherwise) && r.carriesOn(ctx, err) {
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
		rc := r.recipients[r.offered]
		req := notify.Request{DedupKey: offerKey(r.in, rc), Type: "transfer.offered", OrgID: r.in.OrgID,
			UserID: rc.UserID, Email: rc.Email,
			Title:       title("%s offers you %s", r.in.OrgName, r.in.AnimalName),
			Body:        clip(offerBody(r.in, r.state.ExpiresAt), notify.MaxBodyRunes),
			Link:        "/api/v1/transfers/" + r.in.PublicID,
			ActionLabel: "Review the offer",
			Data:        map[string]any{"transfer_id": r.in.PublicID},
		}
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

func offerBody(in Input, expires time.Time) string {
	body := fmt.Sprintf("%s would like to transfer %s to you. Its record — genetics, lineage and history — moves to the organization you choose when you accept. The offer expires on %s.",
		in.OrgName, in.AnimalName, expires.UTC().Format("2 January 2006 at 15:04 UTC"))
	if in.Message != "" {
		body += "\n\nTheir message: " + in.Message
	}
	return body
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
		r.notify(ctx, notify.Request{DedupKey: "transfer/" + r.in.TransferID.String() + "/reminder/" + rc.key(), Type: "transfer.reminder",
			OrgID: r.in.OrgID, UserID: rc.UserID, Email: rc.Email,
			Title: title("Reminder: %s offers you %s", r.in.OrgName, r.in.AnimalName),
			Body:  "The offer is still waiting for your answer; unanswered, it expires.",
			Link:  "/api/v1/transfers/" + r.in.PublicID, ActionLabel: "Review the offer"})
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
	heading := title("The transfer of %s was %s", r.in.AnimalName, string(r.state.Status))
	body := map[Status]string{
		Accepted:  "The animal's record now belongs to the receiving organization. Its lineage stays intact on both sides.",
		Declined:  "The recipient declined the offer; the animal stays with its organization.",
		Cancelled: "The offering organization withdrew the offer.",
		Expired:   "Nobody answered the offer in time; the animal stays with its organization.",
	}[r.state.Status]
	if r.state.Status == Declined && r.state.Reason != "" {
		body += "\n\nTheir reason: " + r.state.Reason
	}
	parties := append([]Recipient{{UserID: r.in.OfferedBy}}, r.recipients...)
	for _, p := range parties {
		r.notify(ctx, notify.Request{DedupKey: "transfer/" + r.in.TransferID.String() + "/outcome/" + p.key(), Type: "transfer.outcome",
			OrgID: r.in.OrgID, UserID: p.UserID, Email: p.Email, Title: heading, Body: clip(body, notify.MaxBodyRunes),
			Link: "/api/v1/transfers/" + r.in.PublicID})
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

// title formats a notification title from a format and the names it shows, each cut to
// titleNameRunes characters, so that the title always fits notify.MaxTitleRunes.
func title(format string, names ...string) string {
	args := make([]any, len(names))
	for i, n := range names {
		args[i] = clip(n, titleNameRunes)
	}
	return clip(fmt.Sprintf(format, args...), notify.MaxTitleRunes)
}

// clip cuts s to at most n characters, ending it with "…" when it was cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// IsEnded reports whether err is an update refused because the transfer is over.
func IsEnded(err error) bool { return hasType(err, ErrTypeEnded) }

// IsRefused reports whether err is an update from someone the transfer does not let act.
func IsRefused(err error) bool { return hasType(err, ErrTypeRefused) }

func hasType(err error, typ string) bool {
	var appErr *temporal.ApplicationError
	return errors.As(err, &appErr) && appErr.Type() == typ
}
