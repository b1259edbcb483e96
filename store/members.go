package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/membership"
)

// Member is one person in the transaction's organization.
type Member struct {
	UserID       uuid.UUID
	UserPublicID string
	Email        string
	DisplayName  string
	Role         membership.Role
	Since        time.Time
}

const memberSelect = `SELECT u.id, u.public_id, u.email, u.display_name, m.role, m.created_at
	FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = app_org_id()`

func scanMember(row pgx.Row) (Member, error) {
	var m Member
	err := row.Scan(&m.UserID, &m.UserPublicID, &m.Email, &m.DisplayName, &m.Role, &m.Since)
	return m, notFound(err)
}

// ListMembers lists the members of the transaction's organization after the given user
// public ID (cursor), in public ID order, at most limit of them.
func ListMembers(ctx context.Context, q Querier, after string, limit int) ([]Member, error) {
	rows, err := q.Query(ctx, memberSelect+` AND u.public_id > $1 ORDER BY u.public_id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Member, error) { return scanMember(r) })
}

// MemberByUserPublicID finds a member of the transaction's organization.
func MemberByUserPublicID(ctx context.Context, q Querier, publicID string) (Member, error) {
	return scanMember(q.QueryRow(ctx, memberSelect+` AND u.public_id = $1`, publicID))
}

// MemberByUserID reads one member of the transaction's organization by user ID.
func MemberByUserID(ctx context.Context, q Querier, userID uuid.UUID) (Member, error) {
	return scanMember(q.QueryRow(ctx, memberSelect+` AND u.id = $1`, userID))
}

// OldestOwner is the owner of the transaction's organization who has been a member longest.
func OldestOwner(ctx context.Context, q Querier) (Member, error) {
	return scanMember(q.QueryRow(ctx, memberSelect+` AND m.role = 'owner' ORDER BY m.created_at, u.id LIMIT 1`))
}

// LockMembers locks every membership of the transaction's organization, in one fixed order
// so concurrent changes queue instead of deadlocking, and returns each member's role. Rules
// that count members (the last owner) are checked against it, so two concurrent changes
// cannot both see an owner that only one of them will leave.
func LockMembers(ctx context.Context, tx pgx.Tx) (map[uuid.UUID]membership.Role, error) {
	rows, err := tx.Query(ctx, `SELECT user_id, role FROM memberships WHERE org_id = app_org_id() ORDER BY user_id FOR UPDATE`)
	if err != nil {
		return nil, fmt.Errorf("lock members: %w", err)
	}
	roles := map[uuid.UUID]membership.Role{}
	var id uuid.UUID
	var role membership.Role
	_, err = pgx.ForEachRow(rows, []any{&id, &role}, func() error {
		roles[id] = role
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lock members: %w", err)
	}
	return roles, nil
}

// CountRole counts the members holding role.
func CountRole(roles map[uuid.UUID]membership.Role, role membership.Role) int {
	n := 0
	for _, r := range roles {
		if r == role {
			n++
		}
	}
	return n
}

// InsertMember adds a user to the transaction's organization; an existing member is ErrConflict.
func InsertMember(ctx context.Context, tx pgx.Tx, userID uuid.UUID, role membership.Role) error {
	_, err := tx.Exec(ctx, `INSERT INTO memberships (org_id, user_id, role) VALUES (app_org_id(), $1, $2)`, userID, role)
	if isUniqueViolation(err) {
		return fmt.Errorf("already a member: %w", ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("insert member: %w", err)
	}
	return nil
}

// UpdateMemberRole changes a member's role in the transaction's organization.
func UpdateMemberRole(ctx context.Context, tx pgx.Tx, userID uuid.UUID, role membership.Role) error {
	tag, err := tx.Exec(ctx, `UPDATE memberships SET role = $2, updated_at = now()
		WHERE org_id = app_org_id() AND user_id = $1`, userID, role)
	if err != nil {
		return fmt.Errorf("update member role: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteMember removes a member from the transaction's organization.
func DeleteMember(ctx context.Context, tx pgx.Tx, userID uuid.UUID) error {
	tag, err := tx.Exec(ctx, `DELETE FROM memberships WHERE org_id = app_org_id() AND user_id = $1`, userID)
	if err != nil {
		return fmt.Errorf("delete member: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// MemberIDs lists the users of the transaction's organization with one of the given roles
// (every member when none are given).
func MemberIDs(ctx context.Context, q Querier, roles []string) ([]uuid.UUID, error) {
	rows, err := q.Query(ctx, `SELECT user_id FROM memberships
		WHERE org_id = app_org_id() AND (cardinality($1::text[]) = 0 OR role::text = ANY($1)) ORDER BY user_id`, roles)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
}
