// Package invitations holds the commands that bring a person into an organization by email,
// each in the caller's transaction: sending an invitation, accepting it and revoking it. The
// API, jobs and tests call them. Who may invite whom, and how often, the caller decides;
// Revoke applies the same rule itself, since only it reads the invitation's role.
package invitations

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/web"
)

// AcceptPath is the API path that accepts an invitation. The emailed link opens the
// invitation's page instead (web.InvitationPath), where a person accepts it with a button.
const AcceptPath = "/api/v1/invitations/accept"

// emailTime is how an invitation's email writes a moment.
const emailTime = "2 January 2006 at 15:04 UTC"

// NewInvitation is an invitation into the transaction's organization, validated and
// authorized by the caller.
type NewInvitation struct {
	Email     string // checked as an email address
	Role      membership.Role
	InvitedBy uuid.UUID     // the inviting member, the transaction's user
	OrgID     uuid.UUID     // the transaction's tenant
	TTL       time.Duration // how long the link works: config.Notify.InvitationTTL
	// Recipient names the recipient in the invitation's event, under "recipient", as the
	// caller's limits count sends.
	Recipient string
}

// Refusals of an invitation.
var (
	ErrAlreadyMember  = errors.New("the person is already a member of the organization")
	ErrAlreadyInvited = errors.New("an invitation to this address is already open")
)

// Send records an invitation — the invitation, the email that carries its link and the
// event — in tx. Whether the address has an account changes nothing in what is written but
// whose inbox also shows the email: the person becomes a member only by accepting.
//
// Open invitations count as members against the organization's plan (each becomes one when
// accepted), so that a full organization sends none: beyond the limit Send is refused with a
// *billing.LimitError.
func Send(ctx context.Context, tx pgx.Tx, n *notify.Notifier, in NewInvitation) (store.Invitation, error) {
	member, err := store.IsMemberEmail(ctx, tx, in.Email)
	if err != nil {
		return store.Invitation{}, err
	}
	if member {
		return store.Invitation{}, ErrAlreadyMember
	}
	if err := store.CloseExpiredInvitation(ctx, tx, in.Email); err != nil {
		return store.Invitation{}, err
	}
	token, hash := store.NewLinkToken()
	inv, err := store.InsertInvitation(ctx, tx, store.Invitation{ID: uuid.New(), PublicID: store.NewPublicID(),
		Email: in.Email, Role: in.Role, TokenHash: hash, InvitedBy: in.InvitedBy,
		ExpiresAt: time.Now().Add(in.TTL).UTC().Truncate(time.Second)})
	if errors.Is(err, store.ErrConflict) {
		return store.Invitation{}, ErrAlreadyInvited
	}
	if err != nil {
		return store.Invitation{}, err
	}
	// Checked once the invitation is written, so that one already open answers as such:
	// counted under the limit's lock, the others and this one.
	if err := billing.CheckWith(ctx, tx, billing.Members, 1, func(ctx context.Context, tx pgx.Tx) (int, error) {
		n, err := store.PlanUsage(ctx, tx, store.LimitMembers, true)
		return n - 1, err
	}); err != nil {
		return store.Invitation{}, err
	}
	org, err := store.OrganizationByID(ctx, tx, in.OrgID)
	if err != nil {
		return store.Invitation{}, err
	}
	if err := email(ctx, tx, n, org, inv, token); err != nil {
		return store.Invitation{}, err
	}
	if err := store.AppendEvent(ctx, tx, "invitation.sent", "organization", org.PublicID,
		map[string]string{"invitation_id": inv.PublicID, "email": inv.Email, "role": string(inv.Role),
			"recipient": in.Recipient}); err != nil {
		return store.Invitation{}, err
	}
	return inv, nil
}

// email records the email that carries an invitation's link. A person who already has an
// account with the address also finds it in their inbox.
func email(ctx context.Context, tx pgx.Tx, n *notify.Notifier, org store.Organization, inv store.Invitation, token string) error {
	req := notify.Request{
		DedupKey: "invitation/" + inv.PublicID,
		Type:     "organization.invitation",
		OrgID:    org.ID,
		Email:    inv.Email,
		Title:    "Join " + org.Name + " on ReptiDex",
		Body: fmt.Sprintf("%s invited you to join %s on ReptiDex as %s.\n\n"+
			"To accept, log in to ReptiDex with this address (or register with it if you have no account yet), "+
			"then accept the invitation; the link below shows how. It works until %s.",
			inv.InvitedByName, org.Name, RoleWithArticle(inv.Role), inv.ExpiresAt.UTC().Format(emailTime)),
		Link:        web.InvitationPath(token),
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
	if _, err := n.Record(ctx, tx, req); err != nil {
		return fmt.Errorf("record invitation email: %w", err)
	}
	return nil
}

// RoleWithArticle is a role as a sentence names it: "an owner", "a keeper".
func RoleWithArticle(r membership.Role) string {
	if r == membership.Owner || r == membership.Admin {
		return "an " + string(r)
	}
	return "a " + string(r)
}
