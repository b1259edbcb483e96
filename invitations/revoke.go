package invitations

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/store"
)

// Refusals of a revocation.
var (
	ErrNotFound = errors.New("invitation not found")
	ErrAccepted = errors.New("the invitation was accepted; the member is removed instead")
)

// Revocation is a member's withdrawal of an invitation into the transaction's organization.
type Revocation struct {
	InvitationPublicID string
	OrgPublicID        string          // the transaction's tenant, which the event names
	By                 membership.Role // the revoking member's role
}

// Revoke withdraws an invitation that was not accepted, in tx, with its event: its link
// stops working. Whoever may send an invitation with its role may revoke it
// (membership.CheckAdd, whose refusal is returned as it is). An invitation the
// organization does not have is ErrNotFound, one accepted ErrAccepted; one revoked already
// stays as it is.
func Revoke(ctx context.Context, tx pgx.Tx, rv Revocation) error {
	inv, err := store.LockInvitation(ctx, tx, rv.InvitationPublicID)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if err := membership.CheckAdd(rv.By, inv.Role); err != nil {
		return err
	}
	switch {
	case inv.AcceptedAt != nil:
		return ErrAccepted
	case inv.RevokedAt != nil:
		return nil
	}
	if err := store.RevokeInvitation(ctx, tx, inv.ID); err != nil {
		return err
	}
	return store.AppendEvent(ctx, tx, "invitation.revoked", "organization", rv.OrgPublicID,
		map[string]string{"invitation_id": inv.PublicID, "email": inv.Email, "role": string(inv.Role)})
}
