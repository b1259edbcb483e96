package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/invitations"
	"github.com/reptidex/reptidex/store"
)

var errBadInvitationLink = newProblem(kindMalformed,
	"This invitation link is not valid: check that it was copied whole, or ask the organization for a new invitation.")

type createInvitationRequest struct {
	// An email address such as keeper@example.com: a bare address (no display name), at most 254
	// characters, whose domain contains a dot. Surrounding whitespace is trimmed. It need not
	// belong to a ReptiDex account.
	Email string `json:"email" jsonschema:"required,format=email,maxLength=254"`
	Role  string `json:"role" jsonschema:"required" schema:"Role"`
}

type invitationResponse struct {
	// Public ID of the invitation.
	ID string `json:"id" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	// The invited address, as it was given.
	Email     string         `json:"email" jsonschema:"format=email"`
	Role      string         `json:"role" schema:"Role"`
	Status    string         `json:"status" schema:"InvitationStatus"`
	InvitedBy invitationUser `json:"invited_by"`
	CreatedAt time.Time      `json:"created_at"`
	// When the link stops working unless accepted.
	ExpiresAt time.Time `json:"expires_at"`
}

// invitationUser is the member who sent an invitation.
type invitationUser struct {
	// Public ID of the member who sent the invitation.
	UserID      string `json:"user_id" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	DisplayName string `json:"display_name"`
}

func toInvitation(i store.Invitation) invitationResponse {
	return invitationResponse{ID: i.PublicID, Email: i.Email, Role: string(i.Role), Status: i.Status,
		InvitedBy: invitationUser{UserID: i.InvitedByPublicID, DisplayName: i.InvitedByName},
		CreatedAt: i.CreatedAt, ExpiresAt: i.ExpiresAt}
}

type invitationList struct {
	// Up to limit invitations, newest first.
	Items []invitationResponse `json:"items"`
	// Present only when more invitations follow: pass it as cursor for the next page.
	NextCursor string `json:"next_cursor,omitempty"`
}

// createInvitation invites a person by email address into an organization with a role, and
// emails them the link that accepts it. Owners and admins only; only an owner invites owners.
func (s *Server) createInvitation(w http.ResponseWriter, r *http.Request) error {
	inv, err := s.invite(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, inv)
}

// invite reads an invitation request and makes the invitation (invitations.Send). Whether
// the address has an account changes nothing in the answer, nor in the work done before it:
// the person becomes a member only by accepting.
func (s *Server) invite(r *http.Request) (invitationResponse, error) {
	var req createInvitationRequest
	if err := decodeJSON(r, &req); err != nil {
		return invitationResponse{}, err
	}
	email, role, err := emailAndRole(req.Email, req.Role)
	if err != nil {
		return invitationResponse{}, err
	}
	var out invitationResponse
	err = s.withAccess(r, chi.URLParam(r, "orgID"), func(tx pgx.Tx, a access) error {
		ctx := r.Context()
		if err := s.inviteAllowed(ctx, tx, a, email, role); err != nil {
			return err
		}
		inv, err := invitations.Send(ctx, tx, s.notifier, invitations.NewInvitation{Email: email, Role: role,
			InvitedBy: a.UserID, OrgID: a.OrgID, TTL: s.cfg.Notify.InvitationTTL, Recipient: recipientOfEmail(email)})
		switch {
		case errors.Is(err, invitations.ErrAlreadyMember):
			return newProblem(kindConflict, "This person is already a member; change their role instead.")
		case errors.Is(err, invitations.ErrAlreadyInvited):
			return newProblem(kindConflict, "An invitation to this address is already open; revoke it to send a new one.")
		case err != nil:
			return err
		}
		out = toInvitation(inv)
		return nil
	})
	return out, err
}

// inviteAllowed refuses an invitation the caller may not send now: a role they may not give
// (membership.CheckAdd), none of the organization's owners verified, or beyond the hourly
// limits of invitations.
func (s *Server) inviteAllowed(ctx context.Context, tx pgx.Tx, a access, email string, role membership.Role) error {
	if err := membershipRefusal(membership.CheckAdd(a.Role, role)); err != nil {
		return err
	}
	if err := requireVerifiedOwner(ctx, tx); err != nil {
		return err
	}
	return hourlyLimit(ctx, tx, a, s.invitations(), toAddress(s.invitations(), email))
}

var invitationStatuses = []string{store.InvitationPending, store.InvitationAccepted, store.InvitationRevoked, store.InvitationExpired}

// listInvitations lists an organization's invitations, newest first, a page at a time,
// optionally only those in one state. Any member may look.
func (s *Server) listInvitations(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	status := r.URL.Query().Get("status")
	if status != "" && !slices.Contains(invitationStatuses, status) {
		return badParam("status", "must be one of pending, accepted, revoked, expired")
	}
	out := invitationList{Items: []invitationResponse{}}
	err = s.withAccess(r, chi.URLParam(r, "orgID"), func(tx pgx.Tx, _ access) error {
		invs, err := store.ListInvitations(r.Context(), tx, store.InvitationFilter{Status: status, After: after, Limit: limit + 1})
		if err != nil {
			return err
		}
		if len(invs) > limit {
			invs = invs[:limit]
			out.NextCursor = cursorOf(invs[limit-1].PublicID)
		}
		for _, i := range invs {
			out.Items = append(out.Items, toInvitation(i))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// revokeInvitation withdraws an invitation that was not accepted (invitations.Revoke); its
// link stops working. Owners and admins only; only an owner revokes an invitation to be an
// owner.
func (s *Server) revokeInvitation(w http.ResponseWriter, r *http.Request) error {
	err := s.withAccess(r, chi.URLParam(r, "orgID"), func(tx pgx.Tx, a access) error {
		err := invitations.Revoke(r.Context(), tx, invitations.Revocation{
			InvitationPublicID: chi.URLParam(r, "invitationID"), OrgPublicID: a.OrgPublicID, By: a.Role})
		switch {
		case errors.Is(err, invitations.ErrNotFound):
			return notFound("invitation")
		case errors.Is(err, invitations.ErrAccepted):
			return newProblem(kindConflict, "This invitation was accepted; remove the member instead.")
		}
		return membershipRefusal(err)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type acceptInvitationRequest struct {
	// The token from the emailed invitation link (its token query parameter).
	Token string `json:"token" jsonschema:"required"`
}

// acceptInvitation makes the caller a member of the organization an invitation is for, with
// its role (invitations.Accept). The token is the only way in: the caller need not belong to
// the organization, and acts for it only inside this transaction.
func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request) error {
	var req acceptInvitationRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	hash, ok := store.ParseLinkToken(strings.TrimSpace(req.Token))
	if !ok {
		return errBadInvitationLink
	}
	var out orgMembership
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		m, err := invitations.Accept(r.Context(), tx, hash, a.UserID)
		if err != nil {
			return acceptProblem(err)
		}
		out = orgMembership{ID: m.OrgPublicID, Name: m.OrgName, Role: string(m.Role)}
		return nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// acceptProblem answers an acceptance invitations.Accept refused; other errors pass as they
// are.
func acceptProblem(err error) error {
	var refused *invitations.Refusal
	if errors.Is(err, invitations.ErrUnknownToken) {
		return errBadInvitationLink
	}
	if !errors.As(err, &refused) {
		return err
	}
	inv := refused.Invitation
	switch refused.Err {
	case invitations.ErrAcceptedByAnother:
		return newProblem(kindConflict, "This invitation was already accepted by someone else.")
	case invitations.ErrRevoked:
		return newProblem(kindGone, "This invitation was revoked by the organization; ask "+inv.InvitedByName+" for a new one.")
	case invitations.ErrExpired:
		return newProblem(kindGone, "This invitation expired on "+inv.ExpiresAt.UTC().Format(pageTime)+
			"; ask "+inv.InvitedByName+" for a new one.")
	case invitations.ErrOtherAddress:
		return newProblem(kindForbidden, "This invitation was sent to "+inv.Email+
			"; log in with the account of that address (or register with it) to accept it.")
	case invitations.ErrAlreadyMember:
		return newProblem(kindConflict, "You are already a member of "+refused.OrgName+".")
	}
	return err
}

// invitationPage is what the emailed invitation link opens: who invited whom into which
// organization with which role, and how to accept.
func (s *Server) invitationPage(w http.ResponseWriter, r *http.Request) error {
	const failed = "This invitation cannot be accepted"
	token := strings.TrimSpace(r.URL.Query().Get("token"))
	inv, err := s.invitationOfLink(r.Context(), token)
	if err != nil {
		return s.writeProblemPage(w, r, failed, err)
	}
	invited := fmt.Sprintf("%s invited %s to join %s on ReptiDex as %s.", inv.InvitedByName, inv.Email, inv.OrgName, invitations.RoleWithArticle(inv.Role))
	switch inv.Status {
	case store.InvitationAccepted:
		return writePage(w, http.StatusOK, page{Title: "This invitation was accepted", Paragraphs: []string{invited,
			"It has been accepted: log in to ReptiDex and choose " + inv.OrgName + " to work in it."}})
	case store.InvitationRevoked:
		return writePage(w, http.StatusGone, page{Title: failed, Paragraphs: []string{invited,
			"The organization revoked it; ask " + inv.InvitedByName + " for a new one."}})
	case store.InvitationExpired:
		return writePage(w, http.StatusGone, page{Title: failed, Paragraphs: []string{invited,
			"It expired on " + inv.ExpiresAt.UTC().Format(pageTime) + "; ask " + inv.InvitedByName + " for a new one."}})
	}
	return writePage(w, http.StatusOK, page{
		Title: "Join " + inv.OrgName + " on ReptiDex",
		Paragraphs: []string{invited,
			"To accept, log in to ReptiDex as " + inv.Email + " (or register with that address if you have no account yet), " +
				"then accept with this request; afterwards, log in to " + inv.OrgName + " to work in it. " +
				"The invitation works until " + inv.ExpiresAt.UTC().Format(pageTime) + "."},
		Code: "POST " + invitations.AcceptPath + "\nAuthorization: Bearer <your access token>\nContent-Type: application/json\n\n" +
			`{"token": "` + token + `"}`,
	})
}

// invitationOfLink reads the invitation an emailed link's token names, whatever the tenant:
// the token is the proof. A token that is malformed or names none is errBadInvitationLink.
func (s *Server) invitationOfLink(ctx context.Context, token string) (inv store.TokenInvitation, err error) {
	hash, ok := store.ParseLinkToken(token)
	if !ok {
		return inv, errBadInvitationLink
	}
	err = s.db.InTx(ctx, func(tx pgx.Tx) error {
		inv, err = store.InvitationByToken(ctx, tx, hash)
		if errors.Is(err, store.ErrNotFound) {
			return errBadInvitationLink
		}
		return err
	})
	return inv, err
}
