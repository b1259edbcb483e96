package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Transfer is an offer of an animal from one organization to a person or organization.
type Transfer struct {
	ID             uuid.UUID
	PublicID       string
	OrgID          uuid.UUID // offering
	AnimalID       uuid.UUID
	AnimalPublicID string // the animal as offered
	AnimalName     string
	SpeciesKey     string
	GeneticsText   string
	OfferedBy      uuid.UUID
	RecipientEmail string
	RecipientOrgID *uuid.UUID
	Message        string
	Status         string // offered, accepted, declined, cancelled, expired
	Reason         string
	ToOrgID        *uuid.UUID
	EndedBy        *uuid.UUID
	RemindAt       *time.Time
	ExpiresAt      time.Time
	CreatedAt      time.Time
	EndedAt        *time.Time

	// Read with the transfer, for showing it.
	OrgPublicID          string
	OrgName              string
	OfferedByPublicID    string
	RecipientOrgPublicID string
	RecipientOrgName     string
	ToOrgPublicID        string
}

// TransferEntry is one line of a transfer's timeline.
type TransferEntry struct {
	Kind          string
	ActorPublicID string
	Detail        string
	At            time.Time
}

// ErrOnHold is an animal already held by an open transfer or sale.
var ErrOnHold = errors.New("animal on hold")

// ErrMoveRefused is an ownership move that cannot happen: the transfer is not open, or the
// animal is no longer with the offering organization under its hold.
var ErrMoveRefused = errors.New("ownership move refused")

const transferSelect = `SELECT t.id, t.public_id, t.org_id, t.animal_id, t.animal_public_id, t.animal_name, t.species_key,
		t.genetics_text, t.offered_by, coalesce(t.recipient_email, ''),
		t.recipient_org_id, coalesce(t.message, ''), t.status::text, coalesce(t.reason, ''), t.to_org_id, t.ended_by,
		t.remind_at, t.expires_at, t.created_at, t.ended_at,
		org.public_id, org.name, u.public_id, coalesce(ro.public_id, ''), coalesce(ro.name, ''), coalesce(tor.public_id, '')
	FROM transfers t
	JOIN organization_name org ON org.id = t.org_id
	JOIN users u ON u.id = t.offered_by
	LEFT JOIN organization_name ro ON ro.id = t.recipient_org_id
	LEFT JOIN organization_name tor ON tor.id = t.to_org_id`

func scanTransfer(row pgx.Row) (Transfer, error) {
	var t Transfer
	err := row.Scan(&t.ID, &t.PublicID, &t.OrgID, &t.AnimalID, &t.AnimalPublicID, &t.AnimalName, &t.SpeciesKey,
		&t.GeneticsText, &t.OfferedBy, &t.RecipientEmail, &t.RecipientOrgID, &t.Message,
		&t.Status, &t.Reason, &t.ToOrgID, &t.EndedBy, &t.RemindAt, &t.ExpiresAt,
		&t.CreatedAt, &t.EndedAt, &t.OrgPublicID, &t.OrgName, &t.OfferedByPublicID, &t.RecipientOrgPublicID, &t.RecipientOrgName, &t.ToOrgPublicID)
	return t, notFound(err)
}

// InsertTransfer records an offer from the transaction's organization, with its reminder
// and expiry, and returns it as TransferByID reads it. A second open transfer of the
// animal is ErrOnHold.
func InsertTransfer(ctx context.Context, tx pgx.Tx, t Transfer) (Transfer, error) {
	_, err := tx.Exec(ctx, `INSERT INTO transfers (id, public_id, org_id, animal_id, animal_public_id, animal_name,
			species_key, genetics_text, offered_by, recipient_email, recipient_org_id, message, remind_at, expires_at)
		VALUES ($1, $2, app_org_id(), $3, $4, $5, $6, $7, $8, nullif($9, ''), $10, nullif($11, ''), $12, $13)`,
		t.ID, t.PublicID, t.AnimalID, t.AnimalPublicID, t.AnimalName, t.SpeciesKey, t.GeneticsText, t.OfferedBy,
		t.RecipientEmail, t.RecipientOrgID, t.Message, t.RemindAt, t.ExpiresAt)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "transfers_open_animal_key" {
		return Transfer{}, ErrOnHold
	}
	if err != nil {
		return Transfer{}, fmt.Errorf("insert transfer: %w", err)
	}
	return TransferByID(ctx, tx, t.ID)
}

// HoldAnimal puts one of the transaction's organization's animals on hold for a transfer or
// a listing (holder). An animal already on hold is ErrOnHold.
func HoldAnimal(ctx context.Context, tx pgx.Tx, animalID, holder uuid.UUID) error {
	tag, err := tx.Exec(ctx, `UPDATE animals SET held_by = $2, version = version + 1, updated_at = now()
		WHERE id = $1 AND held_by IS NULL`, animalID, holder)
	if err != nil {
		return fmt.Errorf("hold animal: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrOnHold
	}
	return nil
}

// TransferByID reads a transfer the tenant may see.
func TransferByID(ctx context.Context, q Querier, id uuid.UUID) (Transfer, error) {
	return scanTransfer(q.QueryRow(ctx, transferSelect+` WHERE t.id = $1`, id))
}

// TransferByPublicID reads a transfer the tenant may see, by public ID.
func TransferByPublicID(ctx context.Context, q Querier, publicID string) (Transfer, error) {
	return scanTransfer(q.QueryRow(ctx, transferSelect+` WHERE t.public_id = $1`, publicID))
}

// TransferFilter selects a page of transfers, newest first.
type TransferFilter struct {
	Incoming, Outgoing bool   // offered to the tenant (organization or verified user), offered by it
	After              string // public ID of the last transfer of the previous page
	Limit              int
}

// ListTransfers lists the transfers the tenant offered or was offered, newest first.
func ListTransfers(ctx context.Context, q Querier, f TransferFilter) ([]Transfer, error) {
	args := []any{f.Outgoing, f.Incoming, f.Limit}
	after := ""
	if f.After != "" {
		after = ` AND (t.created_at, t.id) < (SELECT p.created_at, p.id FROM transfers p WHERE p.public_id = $4)`
		args = append(args, f.After)
	}
	rows, err := q.Query(ctx, transferSelect+`
		WHERE (($1 AND t.org_id = app_org_id())
			OR ($2 AND (t.recipient_org_id = app_org_id() OR lower(t.recipient_email) = app_user_verified_email())))`+after+`
		ORDER BY t.created_at DESC, t.id DESC LIMIT $3`, args...)
	if err != nil {
		return nil, fmt.Errorf("list transfers: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Transfer, error) { return scanTransfer(r) })
}

// AppendTransferEntry adds a line to a transfer's timeline.
func AppendTransferEntry(ctx context.Context, tx pgx.Tx, transferID uuid.UUID, kind string, actor *uuid.UUID, detail string) error {
	_, err := tx.Exec(ctx, `INSERT INTO transfer_timeline (transfer_id, kind, actor_user_id, detail) VALUES ($1, $2, $3, nullif($4, ''))`,
		transferID, kind, actor, detail)
	if err != nil {
		return fmt.Errorf("append to transfer timeline: %w", err)
	}
	return nil
}

// AppendTransferEntryOnce adds a line of a kind to an open transfer's timeline unless it
// has one; a transfer that has ended keeps its timeline as it ended.
func AppendTransferEntryOnce(ctx context.Context, tx pgx.Tx, transferID uuid.UUID, kind, detail string) error {
	_, err := tx.Exec(ctx, `INSERT INTO transfer_timeline (transfer_id, kind, detail)
		SELECT $1, $2, nullif($3, '')
		WHERE EXISTS (SELECT 1 FROM transfers WHERE id = $1 AND status = 'offered')
			AND NOT EXISTS (SELECT 1 FROM transfer_timeline WHERE transfer_id = $1 AND kind = $2)`,
		transferID, kind, detail)
	if err != nil {
		return fmt.Errorf("append to transfer timeline: %w", err)
	}
	return nil
}

// TransferTimeline reads a transfer's timeline, oldest first.
func TransferTimeline(ctx context.Context, q Querier, transferID uuid.UUID) ([]TransferEntry, error) {
	rows, err := q.Query(ctx, `SELECT e.kind, coalesce(u.public_id, ''), coalesce(e.detail, ''), e.at
		FROM transfer_timeline e LEFT JOIN users u ON u.id = e.actor_user_id
		WHERE e.transfer_id = $1 ORDER BY e.id`, transferID)
	if err != nil {
		return nil, fmt.Errorf("read transfer timeline: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (TransferEntry, error) {
		var e TransferEntry
		err := r.Scan(&e.Kind, &e.ActorPublicID, &e.Detail, &e.At)
		return e, err
	})
}

// Ending is how a transfer ends, as the workflow, the sweep or a release records it.
type Ending struct {
	TransferID uuid.UUID
	Status     string // accepted, declined, cancelled, expired
	Reason     string
	Actor      *uuid.UUID // who ended it; nil for an expiry
	ToOrgID    *uuid.UUID // an acceptance: the organization that received the animal
	// By names, in the event, who recorded an ending other than the workflow's own
	// finish: "sweep", "release".
	By string
	// Released records the ending without the reason, the timeline saying so: for an
	// ending the database refused as given.
	Released bool
}

// EndedOtherwiseError is a transfer that has ended, or is open, otherwise than an Ending
// says; nothing was changed.
type EndedOtherwiseError struct{ Detail string }

func (e *EndedOtherwiseError) Error() string { return e.Detail }

// EndTransfer is the one place a transfer of the transaction's organization ends. It holds
// the transfer's row; an open transfer takes the status, its reason, who ended it and when,
// its animal's hold released and a timeline line (an acceptance had these from the move,
// MoveAnimal). Then, whether it ended now or had ended so before, its offer notifications
// are marked acted on and its event is recorded once. Run again, it changes nothing. A
// transfer found otherwise is an *EndedOtherwiseError.
func EndTransfer(ctx context.Context, tx pgx.Tx, e Ending) error {
	t, err := lockTransfer(ctx, tx, e.TransferID)
	if err != nil {
		return err
	}
	switch {
	case t.status == "offered" && e.Status != "accepted":
		note, reason := "", e.Reason
		if e.Released {
			note, reason = "what came with it could not be recorded", ""
		}
		if err := endTransfer(ctx, tx, e.TransferID, e.Status, reason, note, e.Actor); err != nil {
			return err
		}
	case t.status != e.Status:
		return &EndedOtherwiseError{fmt.Sprintf("the transfer is %s in the database, not %s", t.status, e.Status)}
	}
	if err := MarkTransferOffersActioned(ctx, tx, e.TransferID); err != nil {
		return err
	}
	if e.ToOrgID != nil && (t.toOrgID == nil || *t.toOrgID != *e.ToOrgID) {
		return &EndedOtherwiseError{"the transfer was accepted into another organization"}
	}
	typ := "transfer." + e.Status
	if seen, err := EventExists(ctx, tx, typ, "transfer", t.publicID, "status", e.Status); err != nil || seen {
		return err
	}
	payload := map[string]string{"animal_id": t.animalPublicID, "status": e.Status}
	if e.Reason != "" && !e.Released {
		payload["reason"] = e.Reason
	}
	if t.toOrgPublicID != "" {
		payload["to_organization_id"] = t.toOrgPublicID
	}
	if e.By != "" {
		payload["by"] = e.By
	}
	return AppendEvent(ctx, tx, typ, "transfer", t.publicID, payload)
}

// lockedTransfer is what ending a transfer reads of it. An ending changes none of it but
// the status, so it is read once, under the lock.
type lockedTransfer struct {
	status                                  string
	publicID, animalPublicID, toOrgPublicID string
	toOrgID                                 *uuid.UUID
}

// lockTransfer locks a transfer the tenant may see until the transaction ends, so that
// whoever records its ending does so alone, and reads what the ending needs.
func lockTransfer(ctx context.Context, tx pgx.Tx, id uuid.UUID) (lockedTransfer, error) {
	var t lockedTransfer
	err := tx.QueryRow(ctx, `SELECT status::text, public_id, animal_public_id, to_org_id,
			coalesce((SELECT o.public_id FROM organization_name o WHERE o.id = to_org_id), '')
		FROM transfers WHERE id = $1 FOR UPDATE`, id).Scan(&t.status, &t.publicID, &t.animalPublicID, &t.toOrgID, &t.toOrgPublicID)
	if err := notFound(err); err != nil {
		return lockedTransfer{}, fmt.Errorf("lock transfer %s: %w", id, err)
	}
	return t, nil
}

// endTransfer records the ending of an open transfer and releases the animal's hold.
func endTransfer(ctx context.Context, tx pgx.Tx, id uuid.UUID, status, reason, note string, actor *uuid.UUID) error {
	var animalID uuid.UUID
	err := tx.QueryRow(ctx, `UPDATE transfers SET status = $2::transfer_status, reason = nullif($3, ''), ended_by = $4, ended_at = now()
		WHERE id = $1 AND status = 'offered' RETURNING animal_id`, id, status, reason, actor).Scan(&animalID)
	if err != nil {
		return fmt.Errorf("end transfer: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE animals SET held_by = NULL, version = version + 1, updated_at = now()
		WHERE id = $1 AND held_by = $2`, animalID, id); err != nil {
		return fmt.Errorf("release hold: %w", err)
	}
	detail := map[string]string{"declined": "the recipient declined", "cancelled": "the offering organization cancelled",
		"expired": "nobody answered in time"}[status]
	if reason != "" {
		detail += ": " + reason
	}
	if note != "" {
		detail += " (" + note + ")"
	}
	return AppendTransferEntry(ctx, tx, id, status, actor, detail)
}

// MoveAnimal runs the ownership move of an accepted transfer (move_animal): the animal,
// its history, both organizations' events and audit, in the caller's transaction. It
// reports false when the transfer had moved the animal already.
func MoveAnimal(ctx context.Context, tx pgx.Tx, transferID, toOrgID, actor uuid.UUID) (bool, error) {
	var moved bool
	err := tx.QueryRow(ctx, `SELECT move_animal($1, $2, $3)`, transferID, toOrgID, actor).Scan(&moved)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "55000" || pgErr.Code == "P0002" || pgErr.Code == "42501") {
		return false, fmt.Errorf("%w: %s", ErrMoveRefused, pgErr.Message)
	}
	if err != nil {
		return false, fmt.Errorf("move animal: %w", err)
	}
	return moved, nil
}

// MarkTransferOffersActioned marks the offer notifications of one of the tenant
// organization's transfers acted on, whoever they went to.
func MarkTransferOffersActioned(ctx context.Context, tx pgx.Tx, transferID uuid.UUID) error {
	if _, err := tx.Exec(ctx, `SELECT mark_transfer_offers_actioned($1)`, transferID); err != nil {
		return fmt.Errorf("mark transfer offers actioned: %w", err)
	}
	return nil
}

// OverdueTransfer is an open transfer past its expiry.
type OverdueTransfer struct {
	ID, OrgID uuid.UUID
}

// OverdueTransfers lists, across organizations, the open transfers more than grace past
// their expiry.
func OverdueTransfers(ctx context.Context, db *DB, grace time.Duration) ([]OverdueTransfer, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, org_id FROM overdue_transfers(make_interval(secs => $1))`, grace.Seconds())
	if err != nil {
		return nil, fmt.Errorf("list overdue transfers: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (OverdueTransfer, error) {
		var t OverdueTransfer
		err := r.Scan(&t.ID, &t.OrgID)
		return t, err
	})
}
