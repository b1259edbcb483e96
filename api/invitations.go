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
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
)

// acceptInvitationPath is the API path that accepts an invitation; the emailed link adds
// ?token= and opens a page that explains how.
const acceptInvitationPath = "/api/v1/invitations/accept"

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

// invite reads an invitation request and makes the invitation. Whether the address has an
// account changes nothing in the answer, nor in the work done before it: the person becomes
// a member only by accepting.
func (s *Server) invite(r *http.Request) (invitationResponse, error) {
	var req createInvitationRequest
	if err := decodeJSON(r, &req); err != nil {
		return invitationResponse{}, err
	}
	email, role, err := emailAndRole(req.Email, req.Role)
	if err != nil {
		return invitationResponse{}, err
	}
	req.Email = email
	var out invitationResponse
	err = s.withAccess(r, chi.URLParam(r, "orgID"), func(tx pgx.Tx, a access) error {
		ctx := r.Context()
		if err := membershipRefusal(membership.CheckAdd(a.Role, role)); err != nil {
			return err
		}
		if err := requireVerifiedOwner(ctx, tx); err != nil {
			return err
		}
		if err := hourlyLimit(ctx, tx, a, s.invitations(), toAddress(s.invitations(), req.Email)); err != nil {
			return err
		}
		member, err := store.IsMemberEmail(ctx, tx, req.Email)
		if err != nil {
			return err
		}
		if member {
			return newProblem(kindConflict, "This person is already a member; change their role instead.")
		}
		if err := store.CloseExpiredInvitation(ctx, tx, req.Email); err != nil {
			return err
		}
		token, hash := store.NewLinkToken()
		inv, err := store.InsertInvitation(ctx, tx, store.Invitation{ID: uuid.New(), PublicID: store.NewPublicID(),
			Email: req.Email, Role: role, TokenHash: hash, InvitedBy: a.UserID,
			ExpiresAt: time.Now().Add(s.cfg.Notify.InvitationTTL).UTC().Truncate(time.Second)})
		if errors.Is(err, store.ErrConflict) {
			return newProblem(kindConflict, "An invitation to this address is already open; revoke it to send a new one.")
		}
		if err != nil {
			return err
		}
		if err := s.sendInvitation(ctx, tx, a, inv, token); err != nil {
			return err
		}
		if err := store.AppendEvent(ctx, tx, "invitation.sent", "organization", a.OrgPublicID,
			map[string]string{"invitation_id": inv.PublicID, "email": inv.Email, "role": string(role),
				"recipient": recipientOfEmail(inv.Email)}); err != nil {
			return err
		}
		out = toInvitation(inv)
		return nil
	})
	return out, err
}

// sendInvitation records the email that carries an invitation's link. A person who already
// has an account with the address also finds it in their inbox.
func (s *Server) sendInvitation(ctx context.Context, tx pgx.Tx, a access, inv store.Invitation, token string) error {
	org, err := store.OrganizationByID(ctx, tx, a.OrgID)
	if err != nil {
		return err
	}
	req := notify.Request{
		DedupKey: "invitation/" + inv.PublicID,
		Type:     "organization.invitation",
		OrgID:    a.OrgID,
		Email:    inv.Email,
		Title:    "Join " + org.Name + " on ReptiDex",
		Body: fmt.Sprintf("%s invited you to join %s on ReptiDex as %s.\n\n"+
			"To accept, log in to ReptiDex with this address (or register with it if you have no account yet), "+
			"then accept the invitation; the link below shows how. It works until %s.",
			inv.InvitedByName, org.Name, roleWithArticle(inv.Role), inv.ExpiresAt.UTC().Format(pageTime)),
		Link:        acceptInvitationPath + "?token=" + token,
		ActionLabel: "See the invitation",
		Data:        map[string]any{"invitation_id": inv.PublicID, "organization_id": org.PublicID, "role": string(inv.Role)},
	}
	recipient, err := store.UserByEmail(ctx, tx, inv.Email)
	// Only a verified account stands for the address; anyone may register an address
	// unverified, and must not receive — or silence — what is meant for its owner.
	switch {
	case err == nil && recipient.EmailVerifiedAt != nil:
		req.UserID = recipient.ID
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return err
	default:
		// Recording for an account reads its channel preferences, which an address alone
		// has not: read as much here, so that the inviter cannot time the difference (as
		// login verifies a dummy password for an unknown email).
		if _, _, err := store.ChannelPreference(ctx, tx, uuid.Nil, req.Type); err != nil {
			return err
		}
	}
	if _, err := s.notifier.Record(ctx, tx, req); err != nil {
		return fmt.Errorf("record invitation email: %w", err)
	}
	return nil
}

func roleWithArticle(r membership.Role) string {
	if r == membership.Owner || r == membership.Admin {
		return "an " + string(r)
	}
	return "a " + string(r)
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

// revokeInvitation withdraws an invitation that was not accepted; its link stops working.
// Owners and admins only; only an owner revokes an invitation to be an owner.
func (s *Server) revokeInvitation(w http.ResponseWriter, r *http.Request) error {
	err := s.withAccess(r, chi.URLParam(r, "orgID"), func(tx pgx.Tx, a access) error {
		ctx := r.Context()
		inv, err := store.LockInvitation(ctx, tx, chi.URLParam(r, "invitationID"))
		if errors.Is(err, store.ErrNotFound) {
			return notFound("invitation")
		}
		if err != nil {
			return err
		}
		if err := membershipRefusal(membership.CheckAdd(a.Role, inv.Role)); err != nil {
			return err
		}
		if inv.AcceptedAt != nil {
			return newProblem(kindConflict, "This invitation was accepted; remove the member instead.")
		}
		if inv.RevokedAt != nil {
			return nil
		}
		if err := store.RevokeInvitation(ctx, tx, inv.ID); err != nil {
			return err
		}
		return store.AppendEvent(ctx, tx, "invitation.revoked", "organization", a.OrgPublicID,
			map[string]string{"invitation_id": inv.PublicID, "email": inv.Email, "role": string(inv.Role)})
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
// its role. The caller's address must be the one invited; accepting proves they read it, so
// it also verifies it. The token is the only way in: the caller need not belong to the
// organization, and acts for it only inside this transaction.
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
		ctx := r.Context()
		found, err := store.InvitationByToken(ctx, tx, hash)
		if errors.Is(err, store.ErrNotFound) {
			return errBadInvitationLink
		}
		if err != nil {
			return err
		}
		if err := store.SetTenant(ctx, tx, store.Tenant{OrgID: found.OrgID, UserID: a.UserID}); err != nil {
			return err
		}
		inv, err := store.LockInvitation(ctx, tx, found.PublicID)
		if err != nil {
			return err
		}
		org, err := store.OrganizationByID(ctx, tx, inv.OrgID)
		if err != nil {
			return err
		}
		out = orgMembership{ID: org.PublicID, Name: org.Name, Role: string(inv.Role)}
		if err := invitationRefusal(inv, a.UserID); err != nil {
			return err
		}
		if inv.Status == store.InvitationAccepted {
			return nil // this caller accepted it before: nothing changes
		}
		u, err := store.UserByID(ctx, tx, a.UserID)
		if err != nil {
			return err
		}
		if !strings.EqualFold(u.Email, inv.Email) {
			return newProblem(kindForbidden, "This invitation was sent to "+inv.Email+
				"; log in with the account of that address (or register with it) to accept it.")
		}
		if err := store.InsertMember(ctx, tx, u.ID, inv.Role); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return newProblem(kindConflict, "You are already a member of "+org.Name+".")
			}
			return err
		}
		if err := store.AcceptInvitation(ctx, tx, inv.ID, u.ID); err != nil {
			return err
		}
		if err := store.AppendEvent(ctx, tx, "member.added", "organization", org.PublicID,
			map[string]string{"user_id": u.PublicID, "role": string(inv.Role), "invitation_id": inv.PublicID}); err != nil {
			return err
		}
		_, err = store.MarkEmailVerified(ctx, tx, u.ID, inv.Email)
		return err
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// invitationRefusal says why an invitation cannot be accepted by userID now, or nil. An
// invitation this user accepted already is no refusal: accepting again changes nothing.
func invitationRefusal(inv store.Invitation, userID uuid.UUID) error {
	switch inv.Status {
	case store.InvitationAccepted:
		if inv.AcceptedBy != nil && *inv.AcceptedBy == userID {
			return nil
		}
		return newProblem(kindConflict, "This invitation was already accepted by someone else.")
	case store.InvitationRevoked:
		return newProblem(kindGone, "This invitation was revoked by the organization; ask "+inv.InvitedByName+" for a new one.")
	case store.InvitationExpired:
		return newProblem(kindGone, "This invitation expired on "+inv.ExpiresAt.UTC().Format(pageTime)+
			"; ask "+inv.InvitedByName+" for a new one.")
	}
	return nil
}

// invitationPage is what the emailed invitation link opens: who invited whom into which
// organization with which role, and how to accept.
func (s *Server) invitationPage(w http.ResponseWriter, r *http.Request) error {
	const failed = "This invitation cannot be accepted"
	token := strings.TrimSpace(r.URL.Query().Get("token"))
	hash, ok := store.ParseLinkToken(token)
	if !ok {
		return s.writeProblemPage(w, r, failed, errBadInvitationLink)
	}
	var inv store.TokenInvitation
	err := s.db.InTx(r.Context(), func(tx pgx.Tx) error {
		var err error
		inv, err = store.InvitationByToken(r.Context(), tx, hash)
		if errors.Is(err, store.ErrNotFound) {
			return errBadInvitationLink
		}
		return err
	})
	if err != nil {
		return s.writeProblemPage(w, r, failed, err)
	}
	invited := fmt.Sprintf("%s invited %s to join %s on ReptiDex as %s.", inv.InvitedByName, inv.Email, inv.OrgName, roleWithArticle(inv.Role))
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
		Code: "POST " + acceptInvitationPath + "\nAuthorization: Bearer <your access token>\nContent-Type: application/json\n\n" +
			`{"token": "` + token + `"}`,
	})
}
