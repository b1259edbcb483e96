package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/transfers"
	"github.com/reptidex/reptidex/workflows/transfer"
)

// updateTimeout bounds how long an accept, decline or cancel waits for the workflow; it is
// shorter than the deadline of those requests (HTTP.WorkflowRequestTimeout, 25 s by default),
// which leaves time to read the transfer as it then stands.
const updateTimeout = 20 * time.Second

type transferAnimal struct {
	ID       string `json:"id"`
	Name     string `json:"name,omitempty"`
	Species  string `json:"species"`
	Genetics string `json:"genetics,omitempty"`
}

type timelineEntry struct {
	// offered, reminded, accepted, declined, cancelled or expired.
	Kind string `json:"kind"`
	// Public ID of the user who acted.
	ActorID string    `json:"actor_id,omitempty"`
	Detail  string    `json:"detail,omitempty"`
	At      time.Time `json:"at"`
}

type transferView struct {
	ID     string         `json:"id"`
	Status string         `json:"status" jsonschema:"enum=offered,enum=accepted,enum=declined,enum=cancelled,enum=expired"`
	Animal transferAnimal `json:"animal"`
	From   orgView        `json:"from"`
	// Public ID of the user who offered.
	OfferedBy             string   `json:"offered_by"`
	RecipientEmail        string   `json:"recipient_email,omitempty" jsonschema:"format=email"`
	RecipientOrganization *orgView `json:"recipient_organization,omitempty"`
	// Accepted: the organization that received the animal.
	ToOrganizationID string `json:"to_organization_id,omitempty"`
	Message          string `json:"message,omitempty"`
	// Declined: the recipient's reason.
	Reason    string     `json:"reason,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	RemindAt  *time.Time `json:"remind_at,omitempty"`
	ExpiresAt time.Time  `json:"expires_at"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
	// On GET /transfers/{id} and the answers to accept, decline and cancel.
	Timeline []timelineEntry `json:"timeline,omitempty"`
}

func viewTransfer(t store.Transfer, timeline []store.TransferEntry) transferView {
	v := transferView{ID: t.PublicID, Status: t.Status,
		Animal: transferAnimal{ID: t.AnimalPublicID, Name: t.AnimalName, Species: t.SpeciesKey, Genetics: t.GeneticsText},
		From:   orgView{t.OrgPublicID, t.OrgName}, OfferedBy: t.OfferedByPublicID, RecipientEmail: t.RecipientEmail,
		ToOrganizationID: t.ToOrgPublicID, Message: t.Message, Reason: t.Reason, CreatedAt: t.CreatedAt,
		RemindAt: t.RemindAt, ExpiresAt: t.ExpiresAt, EndedAt: t.EndedAt}
	if t.RecipientOrgPublicID != "" {
		v.RecipientOrganization = &orgView{t.RecipientOrgPublicID, t.RecipientOrgName}
	}
	for _, e := range timeline {
		v.Timeline = append(v.Timeline, timelineEntry{Kind: e.Kind, ActorID: e.ActorPublicID, Detail: e.Detail, At: e.At})
	}
	return v
}

type createTransferRequest struct {
	AnimalID string `json:"animal_id" jsonschema:"required"`
	// Exactly one of recipient_email and recipient_organization_id.
	RecipientEmail          string `json:"recipient_email,omitempty" jsonschema:"format=email"`
	RecipientOrganizationID string `json:"recipient_organization_id,omitempty"`
	Message                 string `json:"message,omitempty" text:"multiline,max=2000"`
}

// createTransfer offers one of the caller's organization's animals to an email address or
// another organization. The animal is held until the transfer ends. Idempotency-Key is
// required (idempotent).
func (s *Server) createTransfer(w http.ResponseWriter, r *http.Request) error {
	var in createTransferRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var errs []FieldError
	if in.AnimalID == "" {
		errs = append(errs, FieldError{"animal_id", "is required"})
	}
	in.RecipientEmail = strings.TrimSpace(in.RecipientEmail)
	switch {
	case (in.RecipientEmail == "") == (in.RecipientOrganizationID == ""):
		errs = append(errs, FieldError{"recipient_email", "give exactly one of recipient_email and recipient_organization_id"})
	case in.RecipientEmail != "":
		if err := validEmail(in.RecipientEmail); err != nil {
			errs = append(errs, FieldError{"recipient_email", err.Error()})
		}
	}
	if len(errs) > 0 {
		return invalid(errs...)
	}
	op := idempotentOp{Name: "transfer.offer", Required: true, Request: in}
	return s.idempotent(w, r, op, func(r *http.Request, k *keyed) (response, error) { return s.offer(r, k, in) })
}

// offer records the offer in one transaction with its answer (transfers.Offer).
func (s *Server) offer(r *http.Request, k *keyed, in createTransferRequest) (response, error) {
	var resp response
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		ctx := r.Context()
		if !a.Role.CanManageMembers() {
			return newProblem(kindForbidden, "Only owners and admins offer an organization's animals.")
		}
		if err := s.offerAllowed(ctx, tx, a, in); err != nil {
			return err
		}
		o := transfers.NewOffer{AnimalPublicID: in.AnimalID, RecipientEmail: strings.ToLower(in.RecipientEmail),
			RecipientOrgPublicID: in.RecipientOrganizationID, Message: in.Message, OfferedBy: a.UserID, OrgID: a.OrgID}
		t, err := transfers.Offer(ctx, tx, s.river, o)
		if err != nil {
			return offerProblem(err)
		}
		resp = response{Status: http.StatusCreated, Body: viewTransfer(t, nil), Location: "/api/v1/transfers/" + t.PublicID}
		return k.save(ctx, tx, resp)
	})
	return resp, err
}

// offerProblem answers an offer transfers.Offer refused; other errors pass as they are.
func offerProblem(err error) error {
	switch {
	case errors.Is(err, transfers.ErrAnimalNotFound):
		return notFound("animal")
	case errors.Is(err, transfers.ErrRecipientNotFound):
		return invalid(FieldError{"recipient_organization_id", err.Error()})
	case errors.Is(err, transfers.ErrReferenceAnimal):
		return invalid(FieldError{"animal_id", err.Error()})
	case errors.Is(err, transfers.ErrSameOrganization):
		return invalid(FieldError{"recipient_organization_id", err.Error()})
	case errors.Is(err, transfers.ErrArchivedAnimal):
		return newProblem(kindConflict, "The animal is archived; an archived animal cannot be transferred.")
	case errors.Is(err, store.ErrOnHold):
		return newProblem(kindConflict, "The animal is on hold for another transfer or a listing until it ends (a listing ends when withdrawn).")
	}
	return err
}

// offerAllowed refuses an offer the organization may not send now: to anyone outside it
// while no owner has verified their email (an address of one of its own members is
// inside), or beyond the hourly limits of offers. An email address, whose owner may be a
// stranger, takes few offers; an organization many, since a whole collection may go to
// one organization at once.
func (s *Server) offerAllowed(ctx context.Context, tx pgx.Tx, a access, in createTransferRequest) error {
	to, inside := s.toOrganization(in.RecipientOrganizationID), false
	if in.RecipientEmail != "" {
		to = toAddress(s.offers(), in.RecipientEmail)
		var err error
		if inside, err = store.IsMemberEmail(ctx, tx, in.RecipientEmail); err != nil {
			return err
		}
	}
	if !inside {
		if err := requireVerifiedOwner(ctx, tx); err != nil {
			return err
		}
	}
	return hourlyLimit(ctx, tx, a, s.offers(), to)
}

type transferList struct {
	Items      []transferView `json:"items"`
	NextCursor string         `json:"next_cursor,omitempty"`
}

// listTransfers lists the transfers the caller's organization offered (outgoing) and
// those offered to it or to the caller's verified email address (incoming).
func (s *Server) listTransfers(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	f := store.TransferFilter{After: after, Limit: limit + 1}
	switch r.URL.Query().Get("direction") {
	case "":
		f.Incoming, f.Outgoing = true, true
	case "incoming":
		f.Incoming = true
	case "outgoing":
		f.Outgoing = true
	default:
		return badParam("direction", "must be incoming or outgoing")
	}
	out := transferList{Items: []transferView{}}
	err = s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		ts, err := store.ListTransfers(r.Context(), tx, f)
		if err != nil {
			return err
		}
		if len(ts) > limit {
			ts = ts[:limit]
			out.NextCursor = cursorOf(ts[limit-1].PublicID)
		}
		for _, t := range ts {
			out.Items = append(out.Items, viewTransfer(t, nil))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// getTransfer shows a transfer with its timeline, to its parties only.
func (s *Server) getTransfer(w http.ResponseWriter, r *http.Request) error {
	var view transferView
	err := s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		var err error
		view, err = s.readTransfer(r.Context(), tx, chi.URLParam(r, "transferID"))
		return err
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, view)
}

func (s *Server) readTransfer(ctx context.Context, tx pgx.Tx, publicID string) (transferView, error) {
	t, err := store.TransferByPublicID(ctx, tx, publicID)
	if errors.Is(err, store.ErrNotFound) {
		return transferView{}, notFound("transfer")
	}
	if err != nil {
		return transferView{}, err
	}
	timeline, err := store.TransferTimeline(ctx, tx, t.ID)
	if err != nil {
		return transferView{}, err
	}
	return viewTransfer(t, timeline), nil
}

type acceptTransferRequest struct {
	// The organization that receives the animal; the caller must be an owner or admin of it.
	OrganizationID string `json:"organization_id" jsonschema:"required"`
}

type declineTransferRequest struct {
	Reason string `json:"reason" text:"multiline,max=1000"`
	// For an offer to an organization: that organization, if the token acts for another.
	OrganizationID string `json:"organization_id,omitempty"`
}

// acceptTransfer accepts an offer into one of the caller's organizations (where they are an
// owner or admin); the animal moves before the answer.
func (s *Server) acceptTransfer(w http.ResponseWriter, r *http.Request) error {
	var in acceptTransferRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.OrganizationID == "" {
		return invalid(FieldError{"organization_id", "is required: the organization that receives the animal"})
	}
	return s.answerTransfer(w, r, in.OrganizationID, in, transfer.Reply{Update: transfer.AcceptUpdate})
}

// declineTransfer declines an offer, with a reason the offering organization is told.
func (s *Server) declineTransfer(w http.ResponseWriter, r *http.Request) error {
	var in declineTransferRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	return s.answerTransfer(w, r, in.OrganizationID, in, transfer.Reply{Update: transfer.DeclineUpdate, Reason: in.Reason})
}

// cancelTransfer withdraws an offer of the caller's organization.
func (s *Server) cancelTransfer(w http.ResponseWriter, r *http.Request) error {
	return s.answerTransfer(w, r, "", nil, transfer.Reply{Update: transfer.CancelUpdate})
}

// answerTransfer sends an answer under its optional Idempotency-Key (idempotent). The key's
// operation is the answer to this transfer, whichever it is: a key names one answer.
func (s *Server) answerTransfer(w http.ResponseWriter, r *http.Request, orgPublicID string, in any, reply transfer.Reply) error {
	op := idempotentOp{Name: "transfer.answer/" + chi.URLParam(r, "transferID"), Org: orgPublicID,
		Request: struct {
			Update string `json:"update"`
			Body   any    `json:"body"`
		}{reply.Update, in}}
	return s.idempotent(w, r, op, func(r *http.Request, k *keyed) (response, error) {
		reply.Key, reply.Retried = k.Key, k.Retried
		return s.answer(r, orgPublicID, reply)
	})
}

// answer authorizes the caller in orgPublicID (the token's organization when empty), sends
// the reply to the transfer's workflow (transfer.AnswerOffer) and answers with the transfer
// as it then stands. The workflow decides who may act and whether the transfer is still
// open.
func (s *Server) answer(r *http.Request, orgPublicID string, reply transfer.Reply) (response, error) {
	ctx := r.Context()
	var t store.Transfer
	err := s.withAccess(r, orgPublicID, func(tx pgx.Tx, a access) error {
		var err error
		t, reply.Actor, err = answering(ctx, tx, a, chi.URLParam(r, "transferID"))
		return err
	})
	if err != nil {
		return response{}, err
	}
	if err := s.sendTransferUpdate(ctx, t, reply); err != nil {
		return response{}, err
	}
	var view transferView
	err = s.db.InTenant(ctx, store.Tenant{OrgID: reply.Actor.OrgID, UserID: reply.Actor.UserID}, func(tx pgx.Tx) error {
		var err error
		view, err = s.readTransfer(ctx, tx, t.PublicID)
		return err
	})
	return response{Status: http.StatusOK, Body: view}, err
}

// answering reads the transfer with the public ID, and the caller as its workflow knows
// them: their verified address, and whether they manage the organization they act for.
func answering(ctx context.Context, tx pgx.Tx, a access, publicID string) (store.Transfer, transfer.Actor, error) {
	t, err := store.TransferByPublicID(ctx, tx, publicID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Transfer{}, transfer.Actor{}, newProblem(kindNotFound,
			"transfer not found (an offer to your email address shows once the address is verified)")
	}
	if err != nil {
		return store.Transfer{}, transfer.Actor{}, err
	}
	u, err := store.UserByID(ctx, tx, a.UserID)
	if err != nil {
		return store.Transfer{}, transfer.Actor{}, err
	}
	actor := transfer.Actor{UserID: a.UserID, OrgID: a.OrgID, OrgRoleManages: a.Role.CanManageMembers()}
	if u.EmailVerifiedAt != nil {
		actor.Email = u.Email
	}
	return t, actor, nil
}

// sendTransferUpdate sends the reply and waits for its outcome (transfer.AnswerOffer),
// starting the workflow with it if the offer's start job has not run yet.
func (s *Server) sendTransferUpdate(ctx context.Context, t store.Transfer, reply transfer.Reply) error {
	ctx, cancel := context.WithTimeout(ctx, updateTimeout)
	defer cancel()
	err := transfer.AnswerOffer(ctx, s.temporal, s.cfg.Temporal.TaskQueue, s.cfg.Notify, t, reply)
	var (
		ended   *transfer.EndedError
		appErr  *temporal.ApplicationError
		timeout *client.WorkflowUpdateServiceTimeoutOrCanceledError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ended):
		return newProblem(kindConflict, "The transfer was already "+ended.Status+".")
	case transfer.IsEnded(err):
		return newProblem(kindConflict, capitalize(appErrMessage(err))+".")
	case transfer.IsRefused(err):
		return newProblem(kindForbidden, capitalize(appErrMessage(err))+".")
	case errors.As(err, &appErr) && appErr.Type() == transfer.ErrTypeMoveRefused:
		return newProblem(kindConflict, "The animal could not move: "+appErr.Error()+".")
	case temporal.IsWorkflowExecutionAlreadyStartedError(err):
		// The workflow has finished; the database is catching up with how.
		return newProblem(kindConflict, "The transfer has already ended.")
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &timeout):
		s.log.WarnContext(ctx, "transfer update did not finish in time", "transfer", t.PublicID, "update", reply.Update, "error", err)
		return newProblem(kindUnavailable, "The transfer did not answer in time; its outcome will show on GET /api/v1/transfers/"+t.PublicID+".")
	}
	return fmt.Errorf("transfer %s %s: %w", t.PublicID, reply.Update, err)
}

func appErrMessage(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Message()
	}
	return err.Error()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

type ownershipView struct {
	Organization orgView    `json:"organization"`
	Since        time.Time  `json:"since"`
	Until        *time.Time `json:"until,omitempty"`
	// The transfer that brought the animal; absent for the first owner.
	TransferID string `json:"transfer_id,omitempty"`
}

type ownershipList struct {
	Items []ownershipView `json:"items"`
}

// animalOwnership lists an animal's owners, first to current.
func (s *Server) animalOwnership(w http.ResponseWriter, r *http.Request) error {
	out := ownershipList{Items: []ownershipView{}}
	err := s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		a, err := animalInPath(r, tx)
		if err != nil {
			return err
		}
		owners, err := store.OwnershipHistory(r.Context(), tx, a.ID, a.CreatedAt, a.OrgID)
		if err != nil {
			return err
		}
		for _, o := range owners {
			out.Items = append(out.Items, ownershipView{Organization: orgView{o.OrgPublicID, o.OrgName}, Since: o.Since,
				Until: o.Until, TransferID: o.TransferID})
		}
		return nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}
