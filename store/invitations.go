package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/membership"
)

// Invitation asks a person, by email address, into an organization with a role.
type Invitation struct {
	ID                uuid.UUID
	PublicID          string
	OrgID             uuid.UUID
	Email             string
	Role              membership.Role
	TokenHash         []byte
	InvitedBy         uuid.UUID
	InvitedByPublicID string
	InvitedByName     string
	CreatedAt         time.Time
	ExpiresAt         time.Time
	AcceptedAt        *time.Time
	AcceptedBy        *uuid.UUID
	RevokedAt         *time.Time
	Status            string // one of the states, when it was read
}

// The states of an invitation.
const (
	InvitationPending  = "pending"
	InvitationAccepted = "accepted"
	InvitationRevoked  = "revoked"
	InvitationExpired  = "expired"
)

// invitationStatus is an invitation's state, by the database's clock: accepted, revoked
// (while it could still be accepted), expired, or pending. One revoked after it expired
// counts as expired: that is what ended it.
const invitationStatus = `CASE
		WHEN i.accepted_at IS NOT NULL THEN 'accepted'
		WHEN i.revoked_at < i.expires_at THEN 'revoked'
		WHEN i.expires_at <= now() THEN 'expired'
		WHEN i.revoked_at IS NOT NULL THEN 'revoked'
		ELSE 'pending' END`

const invitationSelect = `SELECT i.id, i.public_id, i.org_id, i.email, i.role, i.token_hash, i.invited_by, u.public_id,
		u.display_name, i.created_at, i.expires_at, i.accepted_at, i.accepted_by, i.revoked_at, ` + invitationStatus + `
	FROM invitations i JOIN users u ON u.id = i.invited_by WHERE i.org_id = app_org_id()`

func scanInvitation(row pgx.Row) (Invitation, error) {
	var i Invitation
	err := row.Scan(&i.ID, &i.PublicID, &i.OrgID, &i.Email, &i.Role, &i.TokenHash, &i.InvitedBy, &i.InvitedByPublicID,
		&i.InvitedByName, &i.CreatedAt, &i.ExpiresAt, &i.AcceptedAt, &i.AcceptedBy, &i.RevokedAt, &i.Status)
	return i, notFound(err)
}

// InsertInvitation stores an invitation into the transaction's organization and returns it
// as stored. An open invitation to the same address (case-insensitive) is ErrConflict.
func InsertInvitation(ctx context.Context, tx pgx.Tx, i Invitation) (Invitation, error) {
	_, err := tx.Exec(ctx, `INSERT INTO invitations (id, public_id, org_id, email, role, token_hash, invited_by, expires_at)
		VALUES ($1, $2, app_org_id(), $3, $4, $5, $6, $7)`, i.ID, i.PublicID, i.Email, i.Role, i.TokenHash, i.InvitedBy, i.ExpiresAt)
	if isUniqueViolation(err) {
		return Invitation{}, fmt.Errorf("invitation to %s: %w", i.Email, ErrConflict)
	}
	if err != nil {
		return Invitation{}, fmt.Errorf("insert invitation: %w", err)
	}
	return scanInvitation(tx.QueryRow(ctx, invitationSelect+` AND i.id = $1`, i.ID))
}

// CloseExpiredInvitation revokes the expired, unanswered invitation to an address in the
// transaction's organization, if there is one, so that a new one can be sent. It still
// counts as expired.
func CloseExpiredInvitation(ctx context.Context, tx pgx.Tx, email string) error {
	_, err := tx.Exec(ctx, `UPDATE invitations SET revoked_at = now()
		WHERE org_id = app_org_id() AND lower(email) = lower($1) AND accepted_at IS NULL AND revoked_at IS NULL
			AND expires_at <= now()`, email)
	if err != nil {
		return fmt.Errorf("close expired invitation: %w", err)
	}
	return nil
}

// InvitationFilter selects a page of the transaction's organization's invitations, newest
// first.
type InvitationFilter struct {
	Status string // one of the states, or empty for all
	After  string // public ID of the last invitation of the previous page
	Limit  int
}

// ListInvitations lists the transaction's organization's invitations, newest first.
func ListInvitations(ctx context.Context, q Querier, f InvitationFilter) ([]Invitation, error) {
	rows, err := q.Query(ctx, invitationSelect+`
			AND ($1 = '' OR $1 = `+invitationStatus+`)
			AND ($2 = '' OR (i.created_at, i.id) < (SELECT p.created_at, p.id FROM invitations p WHERE p.public_id = $2))
		ORDER BY i.created_at DESC, i.id DESC LIMIT $3`, f.Status, f.After, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list invitations: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Invitation, error) { return scanInvitation(r) })
}

// LockInvitation finds an invitation of the transaction's organization by public ID and
// locks it until the transaction ends.
func LockInvitation(ctx context.Context, tx pgx.Tx, publicID string) (Invitation, error) {
	return scanInvitation(tx.QueryRow(ctx, invitationSelect+` AND i.public_id = $1 FOR UPDATE OF i`, publicID))
}

// RevokeInvitation withdraws an invitation of the transaction's organization.
func RevokeInvitation(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
	_, err := tx.Exec(ctx, `UPDATE invitations SET revoked_at = now() WHERE id = $1 AND org_id = app_org_id() AND revoked_at IS NULL`, id)
	if err != nil {
		return fmt.Errorf("revoke invitation: %w", err)
	}
	return nil
}

// AcceptInvitation records that a user accepted an invitation of the transaction's
// organization.
func AcceptInvitation(ctx context.Context, tx pgx.Tx, id, userID uuid.UUID) error {
	_, err := tx.Exec(ctx, `UPDATE invitations SET accepted_at = now(), accepted_by = $2
		WHERE id = $1 AND org_id = app_org_id() AND accepted_at IS NULL`, id, userID)
	if err != nil {
		return fmt.Errorf("accept invitation: %w", err)
	}
	return nil
}

// TokenInvitation is what an invitation's token reveals before the holder acts for its
// organization: the invitation, its organization's name and who sent it.
type TokenInvitation struct {
	ID            uuid.UUID
	PublicID      string
	OrgID         uuid.UUID
	OrgName       string
	Email         string
	Role          membership.Role
	InvitedByName string
	ExpiresAt     time.Time
	AcceptedAt    *time.Time
	RevokedAt     *time.Time
	Status        string // one of the states, when it was read
}

// InvitationByToken finds the invitation a token's hash belongs to, whatever the tenant.
func InvitationByToken(ctx context.Context, q Querier, hash []byte) (TokenInvitation, error) {
	var i TokenInvitation
	err := q.QueryRow(ctx, `SELECT i.id, i.public_id, i.org_id, i.org_name, i.email, i.role, i.invited_by_name, i.expires_at,
			i.accepted_at, i.revoked_at, `+invitationStatus+`
		FROM invitation_by_token($1) i`, hash).
		Scan(&i.ID, &i.PublicID, &i.OrgID, &i.OrgName, &i.Email, &i.Role, &i.InvitedByName, &i.ExpiresAt, &i.AcceptedAt, &i.RevokedAt, &i.Status)
	return i, notFound(err)
}

// IsMemberEmail reports whether the user with an address (case-insensitive) belongs to the
// transaction's organization.
func IsMemberEmail(ctx context.Context, q Querier, email string) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.org_id = app_org_id() AND lower(u.email) = lower($1))`, email).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("check membership of %s: %w", email, err)
	}
	return ok, nil
}

// HasVerifiedOwner reports whether an owner of the tenant organization has verified their
// email address: until one has, the organization writes to no one outside it.
func HasVerifiedOwner(ctx context.Context, q Querier) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.org_id = app_org_id() AND m.role = 'owner' AND u.email_verified_at IS NOT NULL)`).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("check the owners' verification: %w", err)
	}
	return ok, nil
}
