package invitations_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/invitations"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

// revoke revokes the invitation with the public ID in the owner's organization, as a member
// with role by.
func (b bundle) revoke(t *testing.T, publicID string, by membership.Role) error {
	t.Helper()
	ctx := context.Background()
	return b.db.InTenant(ctx, store.Tenant{OrgID: b.org.ID, UserID: b.owner.ID}, func(tx pgx.Tx) error {
		return invitations.Revoke(ctx, tx, invitations.Revocation{InvitationPublicID: publicID, OrgPublicID: b.org.PublicID, By: by})
	})
}

func TestRevoke_WithdrawsTheInvitationOnceWithItsEvent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	invitee, _ := b.register(t, "withdrawn")
	inv, err := b.send(t, invitee.Email)
	require.NoError(t, err)

	require.NoError(t, b.revoke(t, inv.PublicID, membership.Admin))
	evs := b.events(t)
	last := evs[len(evs)-1]
	require.Equal(t, "invitation.revoked", last.Type)
	require.JSONEq(t, `{"invitation_id": "`+inv.PublicID+`", "email": "`+inv.Email+`", "role": "keeper"}`, string(last.Payload))

	require.NoError(t, b.revoke(t, inv.PublicID, membership.Admin), "revoking again changes nothing")
	require.Len(t, b.events(t), len(evs))
	_, err = b.accept(t, inv, invitee.ID)
	require.ErrorIs(t, err, invitations.ErrRevoked)
}

func TestRevoke_RefusesWhomTheRoleForbidsAnAcceptedAndAnUnknownInvitation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	invitee, _ := b.register(t, "accepted")
	inv, err := b.send(t, invitee.Email)
	require.NoError(t, err)

	require.ErrorIs(t, b.revoke(t, inv.PublicID, membership.Keeper), membership.ErrForbidden)
	require.ErrorIs(t, b.revoke(t, "NoSuchInvitation", membership.Owner), invitations.ErrNotFound)

	_, err = b.accept(t, inv, invitee.ID)
	require.NoError(t, err)
	require.ErrorIs(t, b.revoke(t, inv.PublicID, membership.Owner), invitations.ErrAccepted)
}

func TestRevoke_OnlyAnOwnerRevokesAnInvitationToBeAnOwner(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	var inv store.Invitation
	email := testkit.UniqueEmail("owner")
	require.NoError(t, b.db.InTenant(ctx, store.Tenant{OrgID: b.org.ID, UserID: b.owner.ID}, func(tx pgx.Tx) error {
		var err error
		inv, err = invitations.Send(ctx, tx, b.notifier, invitations.NewInvitation{Email: email, Role: membership.Owner,
			InvitedBy: b.owner.ID, OrgID: b.org.ID, TTL: time.Hour, Recipient: "email:" + email})
		return err
	}))

	require.ErrorIs(t, b.revoke(t, inv.PublicID, membership.Admin), membership.ErrOwnerOnly)
	require.NoError(t, b.revoke(t, inv.PublicID, membership.Owner))
}
