package invitations_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/invitations"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/testkit/registered"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// bundle is an organization whose owner invites, in a test's own database.
type bundle struct {
	db       *store.DB
	notifier *notify.Notifier
	owner    store.User
	org      store.Organization
}

func setup(t *testing.T) bundle {
	t.Helper()
	db := testkit.DB(t)
	b := bundle{db: db, notifier: &notify.Notifier{River: registered.Queue(t, db)}}
	b.owner, b.org = b.register(t, "inviter")
	return b
}

func (b bundle) register(t *testing.T, prefix string) (store.User, store.Organization) {
	t.Helper()
	return registered.Organization(t, b.db, b.notifier.River, prefix)
}

// send invites email as a keeper from the owner's organization.
func (b bundle) send(t *testing.T, email string) (store.Invitation, error) {
	t.Helper()
	var inv store.Invitation
	ctx := context.Background()
	err := b.db.InTenant(ctx, store.Tenant{OrgID: b.org.ID, UserID: b.owner.ID}, func(tx pgx.Tx) error {
		var err error
		inv, err = invitations.Send(ctx, tx, b.notifier, invitations.NewInvitation{Email: email, Role: membership.Keeper,
			InvitedBy: b.owner.ID, OrgID: b.org.ID, TTL: time.Hour, Recipient: "email:" + strings.ToLower(email)})
		return err
	})
	return inv, err
}

func (b bundle) accept(t *testing.T, inv store.Invitation, userID uuid.UUID) (invitations.Accepted, error) {
	t.Helper()
	var out invitations.Accepted
	ctx := context.Background()
	err := b.db.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = invitations.Accept(ctx, tx, inv.TokenHash, userID)
		return err
	})
	return out, err
}

func (b bundle) events(t *testing.T) []store.Event {
	t.Helper()
	var evs []store.Event
	ctx := context.Background()
	require.NoError(t, b.db.InTenant(ctx, store.Tenant{OrgID: b.org.ID}, func(tx pgx.Tx) error {
		var err error
		evs, err = store.EventsOfAggregate(ctx, tx, "organization", b.org.PublicID)
		return err
	}))
	return evs
}

func requireRefusal(t *testing.T, err, want error) *invitations.Refusal {
	t.Helper()
	var refused *invitations.Refusal
	require.ErrorAs(t, err, &refused)
	require.ErrorIs(t, err, want)
	return refused
}

func TestSend_RecordsTheInvitationItsEmailAndItsEvent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	email := testkit.UniqueEmail("invitee")

	inv, err := b.send(t, email)
	require.NoError(t, err)
	require.Equal(t, email, inv.Email)
	require.Equal(t, membership.Keeper, inv.Role)
	require.Equal(t, store.InvitationPending, inv.Status)
	require.Equal(t, b.owner.DisplayName, inv.InvitedByName)
	require.WithinDuration(t, time.Now().Add(time.Hour), inv.ExpiresAt, time.Minute)

	var title, link string
	require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(),
		`SELECT title, link FROM notifications WHERE dedup_key = $1`, "invitation/"+inv.PublicID).Scan(&title, &link))
	require.Equal(t, "Join "+b.org.Name+" on ReptiDex", title)
	require.True(t, strings.HasPrefix(link, "/invitations/accept?token="), link)

	evs := b.events(t)
	last := evs[len(evs)-1]
	require.Equal(t, "invitation.sent", last.Type)
	var payload map[string]string
	require.NoError(t, json.Unmarshal(last.Payload, &payload))
	require.Equal(t, map[string]string{"invitation_id": inv.PublicID, "email": email, "role": "keeper", "recipient": "email:" + email}, payload)

	_, err = b.send(t, strings.ToUpper(email))
	require.ErrorIs(t, err, invitations.ErrAlreadyInvited)
}

func TestSend_RefusesAMember(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.send(t, strings.ToUpper(b.owner.Email))
	require.ErrorIs(t, err, invitations.ErrAlreadyMember)
}

func TestAccept_MakesTheInvitedAddressAMemberOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	invitee, _ := b.register(t, "invitee")
	stranger, _ := b.register(t, "stranger")
	inv, err := b.send(t, invitee.Email)
	require.NoError(t, err)

	_, err = b.accept(t, inv, stranger.ID)
	refused := requireRefusal(t, err, invitations.ErrOtherAddress)
	require.Equal(t, invitee.Email, refused.Invitation.Email)

	want := invitations.Accepted{OrgPublicID: b.org.PublicID, OrgName: b.org.Name, Role: membership.Keeper}
	got, err := b.accept(t, inv, invitee.ID)
	require.NoError(t, err)
	require.Equal(t, want, got)
	var verified bool
	require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(),
		`SELECT email_verified_at IS NOT NULL FROM users WHERE id = $1`, invitee.ID).Scan(&verified))
	require.True(t, verified, "accepting proves the address")
	evs := b.events(t)
	require.Equal(t, "member.added", evs[len(evs)-1].Type)

	got, err = b.accept(t, inv, invitee.ID)
	require.NoError(t, err, "accepting again changes nothing")
	require.Equal(t, want, got)
	require.Len(t, b.events(t), len(evs))

	_, err = b.accept(t, inv, stranger.ID)
	_ = requireRefusal(t, err, invitations.ErrAcceptedByAnother)
}

func TestAccept_RefusesARevokedInvitationAndAnUnknownToken(t *testing.T) {
	t.Parallel()
	b := setup(t)
	invitee, _ := b.register(t, "revoked")
	inv, err := b.send(t, invitee.Email)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, b.db.InTenant(ctx, store.Tenant{OrgID: b.org.ID, UserID: b.owner.ID}, func(tx pgx.Tx) error {
		return store.RevokeInvitation(ctx, tx, inv.ID)
	}))

	_, err = b.accept(t, inv, invitee.ID)
	refused := requireRefusal(t, err, invitations.ErrRevoked)
	require.Equal(t, b.owner.DisplayName, refused.Invitation.InvitedByName)

	inv.TokenHash = []byte("no such token")
	_, err = b.accept(t, inv, invitee.ID)
	require.ErrorIs(t, err, invitations.ErrUnknownToken)
}
