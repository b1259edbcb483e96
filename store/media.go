package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Media is a photo of an animal: a pending upload, a ready image with its thumbnail, or a
// deleted one whose objects are still being removed from storage.
type Media struct {
	ID             uuid.UUID
	PublicID       string
	OrgID          uuid.UUID
	AnimalID       uuid.UUID
	AnimalPublicID string
	Status         string
	ContentType    string
	Bytes          int64
	Width, Height  int
	UploadKey      string
	OriginalKey    string
	ThumbnailKey   string
	Position       int
	Primary        bool
	CreatedBy      uuid.UUID
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

const mediaSelect = `SELECT m.id, m.public_id, m.org_id, m.animal_id, coalesce((SELECT public_id FROM animal_ref(m.animal_id)), ''),
	m.status, m.content_type, m.bytes, coalesce(m.width, 0), coalesce(m.height, 0), m.upload_key,
	coalesce(m.original_key, ''), coalesce(m.thumbnail_key, ''), m.position, m.is_primary, m.created_by,
	m.created_at, m.updated_at FROM media m`

func scanMedia(row pgx.Row) (Media, error) {
	var m Media
	err := row.Scan(&m.ID, &m.PublicID, &m.OrgID, &m.AnimalID, &m.AnimalPublicID, &m.Status, &m.ContentType,
		&m.Bytes, &m.Width, &m.Height, &m.UploadKey, &m.OriginalKey, &m.ThumbnailKey, &m.Position, &m.Primary,
		&m.CreatedBy, &m.CreatedAt, &m.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Media{}, ErrNotFound
	}
	if err != nil {
		return Media{}, fmt.Errorf("read media: %w", err)
	}
	return m, nil
}

// InsertMedia records a pending upload of the tenant organization, placed after the
// animal's other photos.
func InsertMedia(ctx context.Context, tx pgx.Tx, m Media) error {
	_, err := tx.Exec(ctx, `INSERT INTO media (id, public_id, org_id, animal_id, content_type, bytes, upload_key, position, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7,
			(SELECT coalesce(max(position) + 1, 0) FROM media WHERE animal_id = $4 AND status <> 'deleted'), $8)`,
		m.ID, m.PublicID, m.OrgID, m.AnimalID, m.ContentType, m.Bytes, m.UploadKey, m.CreatedBy)
	if err != nil {
		return fmt.Errorf("insert media: %w", err)
	}
	return nil
}

// MediaByPublicID reads media the transaction may see: the tenant's own in any state, and
// other organizations' ready photos of public animals. Deleted media is ErrNotFound.
func MediaByPublicID(ctx context.Context, q Querier, publicID string) (Media, error) {
	return scanMedia(q.QueryRow(ctx, mediaSelect+` WHERE m.public_id = $1 AND m.status <> 'deleted'`, publicID))
}

// MediaByID reads media by its internal ID, in any state, as MediaByPublicID's visibility.
func MediaByID(ctx context.Context, q Querier, id uuid.UUID) (Media, error) {
	return scanMedia(q.QueryRow(ctx, mediaSelect+` WHERE m.id = $1`, id))
}

// OwnMedia reads one of the tenant organization's media, not deleted; another
// organization's is ErrNotFound.
func OwnMedia(ctx context.Context, q Querier, publicID string) (Media, error) {
	return scanMedia(q.QueryRow(ctx, mediaSelect+` WHERE m.public_id = $1 AND m.org_id = app_org_id()
		AND m.status <> 'deleted'`, publicID))
}

// LockOwnMedia reads one of the tenant organization's media, not deleted, and holds its row
// until the transaction ends; another organization's is ErrNotFound.
func LockOwnMedia(ctx context.Context, tx pgx.Tx, publicID string) (Media, error) {
	return scanMedia(tx.QueryRow(ctx, mediaSelect+` WHERE m.public_id = $1 AND m.org_id = app_org_id()
		AND m.status <> 'deleted' FOR UPDATE OF m`, publicID))
}

// LockMediaAnimal holds, until the transaction ends, the row of the animal one of the tenant
// organization's media shows. Changes of an animal's primary photo take it before the
// photo's own row, so that two at once wait for each other and end with one primary, rather
// than deadlocking or breaking the one-primary index.
func LockMediaAnimal(ctx context.Context, tx pgx.Tx, mediaPublicID string) error {
	_, err := tx.Exec(ctx, `SELECT 1 FROM animals WHERE id = (SELECT animal_id FROM media WHERE public_id = $1 AND org_id = app_org_id())
		FOR NO KEY UPDATE`, mediaPublicID)
	if err != nil {
		return fmt.Errorf("lock the photo's animal: %w", err)
	}
	return nil
}

// AnimalMedia lists an animal's ready photos in order, as the transaction may see them.
func AnimalMedia(ctx context.Context, q Querier, animalID uuid.UUID) ([]Media, error) {
	rows, err := q.Query(ctx, mediaSelect+` WHERE m.animal_id = $1 AND m.status = 'ready'
		ORDER BY m.position, m.created_at, m.id`, animalID)
	if err != nil {
		return nil, fmt.Errorf("list animal media: %w", err)
	}
	out := []Media{}
	for rows.Next() {
		m, err := scanMedia(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list animal media: %w", err)
	}
	return out, nil
}

// ReadyMedia records that a pending upload was checked and stored clean: its stored size,
// dimensions, content type and object keys. Media no longer pending (confirmed or deleted
// meanwhile) or gone is ErrStale, and nothing changes.
func ReadyMedia(ctx context.Context, tx pgx.Tx, m Media) error {
	tag, err := tx.Exec(ctx, `UPDATE media SET status = 'ready', ready_at = now(), updated_at = now(),
			content_type = $2, bytes = $3, width = $4, height = $5, original_key = $6, thumbnail_key = $7
		WHERE id = $1 AND status = 'pending'`,
		m.ID, m.ContentType, m.Bytes, m.Width, m.Height, m.OriginalKey, m.ThumbnailKey)
	if err != nil {
		return fmt.Errorf("mark media ready: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrStale
	}
	return nil
}

// ArrangeMedia sets a ready photo's position and, when primary is given, whether it is the
// animal's primary photo: making one primary clears the mark on the others (hold
// LockMediaAnimal first).
func ArrangeMedia(ctx context.Context, tx pgx.Tx, m Media, position *int, primary *bool) error {
	if primary != nil && *primary {
		if _, err := tx.Exec(ctx, `UPDATE media SET is_primary = false, updated_at = now()
			WHERE animal_id = $1 AND is_primary AND id <> $2`, m.AnimalID, m.ID); err != nil {
			return fmt.Errorf("clear primary photo: %w", err)
		}
	}
	_, err := tx.Exec(ctx, `UPDATE media SET position = coalesce($2, position), is_primary = coalesce($3, is_primary),
		updated_at = now() WHERE id = $1`, m.ID, position, primary)
	if err != nil {
		return fmt.Errorf("arrange media: %w", err)
	}
	return nil
}

// MarkMediaDeleted takes media out of view and out of the storage count; its objects are
// removed next, and the row after them.
func MarkMediaDeleted(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
	if _, err := tx.Exec(ctx, `UPDATE media SET status = 'deleted', is_primary = false, updated_at = now() WHERE id = $1`, id); err != nil {
		return fmt.Errorf("mark media deleted: %w", err)
	}
	return nil
}

// AbandonMedia marks media deleted unless it is ready (confirmed meanwhile); it answers
// whether it did. A confirmation under way then finds it no longer pending and removes
// what it stored.
func AbandonMedia(ctx context.Context, tx pgx.Tx, id uuid.UUID) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE media SET status = 'deleted', updated_at = now() WHERE id = $1 AND status <> 'ready'`, id)
	if err != nil {
		return false, fmt.Errorf("abandon media: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// DeleteMediaRow forgets media once its objects are gone.
func DeleteMediaRow(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
	if _, err := tx.Exec(ctx, `DELETE FROM media WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete media: %w", err)
	}
	return nil
}

// StaleMedia is media the sweep clears: a pending upload never confirmed or deleted media.
type StaleMedia struct {
	ID    uuid.UUID
	OrgID uuid.UUID
}

// StaleMediaOf lists, across organizations, pending uploads older than age and deleted
// media, at most 500 at a time.
func StaleMediaOf(ctx context.Context, db *DB, age time.Duration) ([]StaleMedia, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, org_id FROM stale_media(make_interval(secs => $1))`, age.Seconds())
	if err != nil {
		return nil, fmt.Errorf("list stale media: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (StaleMedia, error) {
		var s StaleMedia
		err := r.Scan(&s.ID, &s.OrgID)
		return s, err
	})
}

// MediaStorage is the bytes the tenant organization keeps in storage: its ready photos,
// originals and thumbnails, derived from the rows so that it cannot drift.
func MediaStorage(ctx context.Context, q Querier, orgID uuid.UUID) (int64, error) {
	var n int64
	if err := q.QueryRow(ctx, `SELECT media_storage($1)`, orgID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count media storage: %w", err)
	}
	return n, nil
}

// PrimaryMedia reads an animal's primary photo, ready; an animal without one is ErrNotFound.
func PrimaryMedia(ctx context.Context, q Querier, animalID uuid.UUID) (Media, error) {
	return scanMedia(q.QueryRow(ctx, mediaSelect+` WHERE m.animal_id = $1 AND m.is_primary AND m.status = 'ready'`, animalID))
}
