package invitations

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/store"
)

// ErrUnknownToken is a link token no invitation has.
var ErrUnknownToken = errors.New("no invitation has this token")

// Why Accept refuses, each inside a *Refusal.
var (
	ErrAcceptedByAnother = errors.New("the invitation was accepted by someone else")
	ErrRevoked           = errors.New("the invitation was revoked")
	ErrExpired           = errors.New("the invitation expired")
	ErrOtherAddress      = errors.New("the invitation was sent to another address")
)

// Refusal is why an invitation cannot be accepted — Err is one of the errors above, or
// ErrAlreadyMember — with what an answer names.
type Refusal struct {
	Err        error
	Invitation store.Invitation
	OrgName    string
}

func (r *Refusal) Error() string { return r.Err.Error() }
func (r *Refusal) Unwrap() error { return r.Err }

// Accepted is the membership an accepted invitation gives.
type Accepted struct {
	OrgPublicID string
	OrgName     string
	Role        membership.Role
}

// Accept makes the user a member of the organization the invitation with this token hash
// is for, with its role, in tx, which it leaves acting as the user in that organization. The
// user's address must be the one invited; accepting proves they read it, so it also verifies
// it. An invitation this user accepted before is accepted again without change. A token no
// invitation has is ErrUnknownToken; any other refusal is a *Refusal.
func Accept(ctx context.Context, tx pgx.Tx, tokenHash []byte, userID uuid.UUID) (Accepted, error) {
	inv, org, err := lock(ctx, tx, tokenHash, userID)
	if err != nil {
		return Accepted{}, err
	}
	refuse := func(err error) (Accepted, error) {
		return Accepted{}, &Refusal{Err: err, Invitation: inv, OrgName: org.Name}
	}
	out := Accepted{OrgPublicID: org.PublicID, OrgName: org.Name, Role: inv.Role}
	switch err := refusal(inv, userID); {
	case err != nil:
		return refuse(err)
	case inv.Status == store.InvitationAccepted:
		return out, nil // this user accepted it before: nothing changes
	}
	u, err := store.UserByID(ctx, tx, userID)
	if err != nil {
		return Accepted{}, err
	}
	if !strings.EqualFold(u.Email, inv.Email) {
		return refuse(ErrOtherAddress)
	}
	// The invitation counted as a member when it was sent; a plan that fell since may still
	// have no room for it (a *billing.LimitError: an owner upgrades, and the link still works).
	if err := billing.CheckMembersOnly(ctx, tx); err != nil {
		return Accepted{}, err
	}
	err = store.InsertMember(ctx, tx, u.ID, inv.Role)
	if errors.Is(err, store.ErrConflict) {
		return refuse(ErrAlreadyMember)
	}
	if err != nil {
		return Accepted{}, err
	}
	if err := store.AcceptInvitation(ctx, tx, inv.ID, u.ID); err != nil {
		return Accepted{}, err
	}
	if err := store.AppendEvent(ctx, tx, "member.added", "organization", org.PublicID,
		map[string]string{"user_id": u.PublicID, "role": string(inv.Role), "invitation_id": inv.PublicID}); err != nil {
		return Accepted{}, err
	}
	if _, err := store.MarkEmailVerified(ctx, tx, u.ID, inv.Email); err != nil {
		return Accepted{}, err
	}
	return out, nil
}

// lock finds the invitation with the token hash and locks it, with tx acting as the user in
// its organization.
func lock(ctx context.Context, tx pgx.Tx, tokenHash []byte, userID uuid.UUID) (store.Invitation, store.Organization, error) {
	found, err := store.InvitationByToken(ctx, tx, tokenHash)
	if errors.Is(err, store.ErrNotFound) {
		return store.Invitation{}, store.Organization{}, ErrUnknownToken
	}
	if err != nil {
		return store.Invitation{}, store.Organization{}, err
	}
	if err := store.SetTenant(ctx, tx, store.Tenant{OrgID: found.OrgID, UserID: userID}); err != nil {
		return store.Invitation{}, store.Organization{}, err
	}
	inv, err := store.LockInvitation(ctx, tx, found.PublicID)
	if err != nil {
		return store.Invitation{}, store.Organization{}, err
	}
	org, err := store.OrganizationByID(ctx, tx, inv.OrgID)
	return inv, org, err
}

// refusal says why an invitation's state keeps userID from accepting it, or nil. An
// invitation this user accepted already is no refusal: accepting again changes nothing.
func refusal(inv store.Invitation, userID uuid.UUID) error {
	switch inv.Status {
	case store.InvitationAccepted:
		if inv.AcceptedBy != nil && *inv.AcceptedBy == userID {
			return nil
		}
		return ErrAcceptedByAnother
	case store.InvitationRevoked:
		return ErrRevoked
	case store.InvitationExpired:
		return ErrExpired
	}
	return nil
}
