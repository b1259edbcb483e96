package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Ownership is one organization's time as an animal's owner.
type Ownership struct {
	OrgPublicID string
	OrgName     string
	Since       time.Time
	Until       *time.Time
	TransferID  string // the transfer that brought it; empty for the first owner
}

// OwnershipHistory lists an animal's owners, first to current. createdAt is when the
// animal was recorded and currentOrg its owner now.
func OwnershipHistory(ctx context.Context, q Querier, animalID uuid.UUID, createdAt time.Time, currentOrg uuid.UUID) ([]Ownership, error) {
	rows, err := q.Query(ctx, `SELECT h.from_org_id, h.to_org_id, h.at, h.transfer_public_id
		FROM ownership_history h WHERE h.animal_id = $1 ORDER BY h.id`, animalID)
	if err != nil {
		return nil, fmt.Errorf("read ownership history: %w", err)
	}
	type move struct {
		from, to uuid.UUID
		at       time.Time
		transfer string
	}
	var moves []move
	var m move
	if _, err := pgx.ForEachRow(rows, []any{&m.from, &m.to, &m.at, &m.transfer}, func() error {
		moves = append(moves, m)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read ownership history: %w", err)
	}
	first := currentOrg
	if len(moves) > 0 {
		first = moves[0].from
	}
	out := []Ownership{{Since: createdAt}}
	ids := []uuid.UUID{first}
	for _, mv := range moves {
		at := mv.at
		out[len(out)-1].Until = &at
		out = append(out, Ownership{Since: mv.at, TransferID: mv.transfer})
		ids = append(ids, mv.to)
	}
	refs, err := OrganizationRefs(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		out[i].OrgPublicID, out[i].OrgName = refs[id].PublicID, refs[id].Name
	}
	return out, nil
}
