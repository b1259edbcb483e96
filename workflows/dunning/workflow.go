package dunning

import (
	"slices"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/reptidex/reptidex/workflows/process"
)

// How long each activity is tried before the workflow goes on without it.
const (
	// A notice is one short transaction; one failing for an hour meets an outage, and the
	// dunning goes on without it (the next reminder or the outcome still comes).
	noticeGiveUp = time.Hour
	// A retry after a new payment method is worth making only soon after it was added;
	// Stripe's own retries go on regardless.
	retryGiveUp = 15 * time.Minute
	// Ending the grace asks Stripe whether an invoice was paid meanwhile and moves the
	// organization to Free; it has six hours, after which the workflow fails with the
	// organization still on its plan, for support to look at.
	endGraceGiveUp = 6 * time.Hour
)

// run is the state of one dunning.
type run struct {
	in    Input
	state State
	// paid are invoices paid, so that a late failure of one is not taken for a new one;
	// actionTold are invoices whose authentication request owners were told of.
	paid       []string
	actionTold []string
	notices    []Notice
	retries    []Retry
	// late are failures told after the run ended paid: a new run follows them.
	late []Failure
	// drainFailures takes the failures signalled and not yet received.
	drainFailures func()
}

// Workflow follows one subscription's failed payments until they are paid, the subscription
// ends, or the grace ends.
func Workflow(ctx workflow.Context, in Input) (Result, error) {
	if in.OrgID == uuid.Nil || in.SubscriptionID == "" || in.Schedule.Grace <= 0 {
		return Result{}, temporal.NewNonRetryableApplicationError("a dunning needs an organization, a subscription and a grace period", "InvalidInput", nil)
	}
	start := workflow.Now(ctx)
	r := &run{in: in, state: State{Open: []string{}, Started: start, GraceEnds: start.Add(in.Schedule.Grace)}}
	if err := workflow.SetQueryHandler(ctx, StateQuery, func() (State, error) { return r.state, nil }); err != nil {
		return Result{}, err
	}
	r.listen(ctx)
	for _, f := range in.Failures {
		r.failed(f)
	}

	for r.state.Outcome == "" {
		r.sendNotices(ctx)
		r.sendRetries(ctx)
		if r.state.Outcome != "" {
			break
		}
		now := workflow.Now(ctx)
		next, reminding := r.state.GraceEnds, false
		if r.state.Reminded < len(in.Schedule.Reminders) {
			if at := start.Add(in.Schedule.Reminders[r.state.Reminded]); at.Before(next) {
				next, reminding = at, true
			}
		}
		wait := max(next.Sub(now), time.Millisecond) // a time already past fires at once
		woken, err := workflow.AwaitWithTimeout(ctx, wait, func() bool {
			return r.state.Outcome != "" || len(r.notices) > 0 || len(r.retries) > 0
		})
		if err != nil {
			return Result{}, err
		}
		switch {
		case woken:
			continue
		case reminding:
			r.state.Reminded++
			left := int(r.state.GraceEnds.Sub(workflow.Now(ctx)).Round(Day) / Day)
			r.notices = append(r.notices, r.notice(NoticeReminder, "", func(n *Notice) { n.Reminder, n.DaysLeft = r.state.Reminded, left }))
		default:
			if err := r.endGrace(ctx); err != nil {
				return Result{}, err
			}
		}
	}
	if r.state.Outcome == OutcomePaid {
		r.notices = append(r.notices, r.notice(NoticePaid, "", nil))
	}
	r.sendNotices(ctx)
	// A renewal failing as the last invoice was paid is not lost with this run: the next
	// run, under the same ID, follows it from the start.
	r.drainFailures()
	if len(r.late) > 0 {
		next := in
		next.Failures = r.late
		return Result{}, workflow.NewContinueAsNewError(ctx, WorkflowName, next)
	}
	return Result{Outcome: r.state.Outcome}, nil
}

// failed takes a failed payment into the run's state: a new invoice is opened and told
// at once (an authentication request with its own notice, once per invoice); a late
// failure of an invoice already paid is ignored. One told after the run ended paid is kept
// for the next run; after it ended otherwise (the subscription ended, or the grace), it is
// not chased.
func (r *run) failed(f Failure) {
	switch {
	case f.InvoiceID == "" || slices.Contains(r.paid, f.InvoiceID):
		return // a late failure of an invoice already paid
	case r.state.Outcome == OutcomePaid:
		r.late = append(r.late, f)
		return
	case r.state.Outcome != "":
		return
	case !slices.Contains(r.state.Open, f.InvoiceID):
		r.state.Open = append(r.state.Open, f.InvoiceID)
		if !f.ActionRequired {
			r.notices = append(r.notices, r.notice(NoticeFailed, f.InvoiceID, nil))
		}
	}
	if f.ActionRequired && !slices.Contains(r.actionTold, f.InvoiceID) {
		r.actionTold = append(r.actionTold, f.InvoiceID)
		r.notices = append(r.notices, r.notice(NoticeAction, f.InvoiceID, nil))
	}
}

// listen takes the webhook's signals, each on its own coroutine, into the run's state.
func (r *run) listen(ctx workflow.Context) {
	r.drainFailures = receive(ctx, FailedSignal, r.failed)
	receive(ctx, PaidSignal, func(p Paid) {
		if p.InvoiceID == "" || slices.Contains(r.paid, p.InvoiceID) {
			return
		}
		r.paid = append(r.paid, p.InvoiceID)
		if i := slices.Index(r.state.Open, p.InvoiceID); i >= 0 {
			r.state.Open = slices.Delete(r.state.Open, i, i+1)
			if len(r.state.Open) == 0 && r.state.Outcome == "" {
				r.state.Outcome = OutcomePaid
			}
		}
	})
	receive(ctx, PaymentMethodSignal, func(m MethodAdded) {
		for _, invoice := range r.state.Open {
			r.retries = append(r.retries, Retry{OrgID: r.in.OrgID, SubscriptionID: r.in.SubscriptionID,
				InvoiceID: invoice, EventID: m.EventID})
		}
	})
	receive(ctx, EndedSignal, func(Ended) {
		if r.state.Outcome == "" {
			r.state.Outcome = OutcomeEnded
		}
	})
}

// receive hands each signal named name to handle, in order, for the life of the run; drain
// hands it those signalled and not yet handed, at once, for the run to see before it ends.
func receive[T any](ctx workflow.Context, name string, handle func(T)) (drain func()) {
	ch := workflow.GetSignalChannel(ctx, name)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			var v T
			ch.Receive(ctx, &v)
			handle(v)
		}
	})
	return func() {
		var v T
		for ch.ReceiveAsync(&v) {
			handle(v)
			v = *new(T)
		}
	}
}

// notice is a notice of kind about invoice, adjusted by set.
func (r *run) notice(kind, invoice string, set func(*Notice)) Notice {
	n := Notice{OrgID: r.in.OrgID, SubscriptionID: r.in.SubscriptionID, Kind: kind, InvoiceID: invoice,
		GraceEnds: r.state.GraceEnds}
	if set != nil {
		set(&n)
	}
	return n
}

// sendNotices tells the owners what is pending; a notice that cannot be sent is logged and
// dropped, and the dunning goes on.
func (r *run) sendNotices(ctx workflow.Context) {
	actx := workflow.WithActivityOptions(ctx, process.DatabaseActivity(noticeGiveUp))
	for len(r.notices) > 0 {
		n := r.notices[0]
		r.notices = r.notices[1:]
		if err := workflow.ExecuteActivity(actx, NoticeActivity, n).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Error("a dunning notice could not be sent", "subscription", r.in.SubscriptionID,
				"kind", n.Kind, "error", err)
		}
	}
}

// sendRetries asks Stripe to collect each open invoice again after a new payment method.
// Whatever the answer, the webhook tells the outcome (paid, or failed again); a retry
// Stripe refuses or cannot take is logged, and the schedule holds.
func (r *run) sendRetries(ctx workflow.Context) {
	actx := workflow.WithActivityOptions(ctx, process.StripeActivity(retryGiveUp, ErrTypePaymentRefused))
	for len(r.retries) > 0 {
		rt := r.retries[0]
		r.retries = r.retries[1:]
		if !slices.Contains(r.state.Open, rt.InvoiceID) {
			continue // paid meanwhile
		}
		r.state.Retries++
		if err := workflow.ExecuteActivity(actx, RetryActivity, rt).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("an open invoice could not be retried", "subscription", r.in.SubscriptionID,
				"invoice", rt.InvoiceID, "error", err)
		}
	}
}

// endGrace moves the organization to Free, unless Stripe has the invoices paid meanwhile.
func (r *run) endGrace(ctx workflow.Context) error {
	actx := workflow.WithActivityOptions(ctx, process.StripeActivity(endGraceGiveUp))
	var out GraceOutcome
	err := workflow.ExecuteActivity(actx, EndGraceActivity,
		GraceEnd{OrgID: r.in.OrgID, SubscriptionID: r.in.SubscriptionID, Open: r.state.Open}).Get(ctx, &out)
	if err != nil {
		return err
	}
	if out.Paid {
		r.state.Outcome = OutcomePaid
		return nil
	}
	r.state.Outcome = OutcomeDowngraded
	return nil
}
