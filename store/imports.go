package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Import is a spreadsheet of animals uploaded to an organization: uploading until it is
// checked, then checked (its dry run's report kept) until it is applied in batches; or
// failed, cancelled, or expired unapplied.
type Import struct {
	ID        uuid.UUID
	PublicID  string
	OrgID     uuid.UUID
	CreatedBy uuid.UUID
	Status    string
	FileName  string
	Bytes     int64
	ObjectKey string
	// Mapping is the columns the breeder mapped: header → field.
	Mapping map[string]string
	// Report is the dry run's report as the import process wrote it (JSON), once checked;
	// Checksum the SHA-256 of the file it read.
	Report   json.RawMessage
	Checksum string
	// Batches is the batches to apply (0 until applying), BatchesDone those applied.
	Batches, BatchesDone int
	// Rows recorded new, updated and refused as applied, and the first problems of those
	// refused (JSON).
	Created, Updated, Refused int
	ApplyProblems             json.RawMessage
	Problem                   string
	CreatedAt                 time.Time
	CheckedAt, FinishedAt     *time.Time
	ExpiresAt                 time.Time
}

// InsertImport records an import as uploading for the transaction's organization.
func InsertImport(ctx context.Context, tx pgx.Tx, im Import) error {
	_, err := tx.Exec(ctx, `INSERT INTO imports (id, public_id, org_id, created_by, file_name, bytes, object_key, expires_at)
		VALUES ($1, $2, app_org_id(), $3, $4, $5, $6, $7)`,
		im.ID, im.PublicID, im.CreatedBy, im.FileName, im.Bytes, im.ObjectKey, im.ExpiresAt)
	if err != nil {
		return fmt.Errorf("insert import: %w", err)
	}
	return nil
}

const importSelect = `SELECT id, public_id, org_id, created_by, status, file_name, bytes, object_key, mapping,
	coalesce(report, 'null'), coalesce(checksum, ''), coalesce(batches, 0), batches_done, created, updated, refused,
	apply_problems, coalesce(problem, ''), created_at, checked_at, finished_at, expires_at FROM imports`

func scanImport(row pgx.Row) (Import, error) {
	var im Import
	var mapping []byte
	err := row.Scan(&im.ID, &im.PublicID, &im.OrgID, &im.CreatedBy, &im.Status, &im.FileName, &im.Bytes, &im.ObjectKey, &mapping,
		&im.Report, &im.Checksum, &im.Batches, &im.BatchesDone, &im.Created, &im.Updated, &im.Refused, &im.ApplyProblems,
		&im.Problem, &im.CreatedAt, &im.CheckedAt, &im.FinishedAt, &im.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Import{}, ErrNotFound
	}
	if err != nil {
		return Import{}, fmt.Errorf("read import: %w", err)
	}
	if err := json.Unmarshal(mapping, &im.Mapping); err != nil {
		return Import{}, fmt.Errorf("read import %s mapping: %w", im.PublicID, err)
	}
	if string(im.Report) == "null" {
		im.Report = nil
	}
	return im, nil
}

// ImportByID reads one of the organization's imports.
func ImportByID(ctx context.Context, q Querier, id uuid.UUID) (Import, error) {
	return scanImport(q.QueryRow(ctx, importSelect+` WHERE id = $1`, id))
}

// ImportByPublicID reads one of the organization's imports by its public ID.
func ImportByPublicID(ctx context.Context, q Querier, publicID string) (Import, error) {
	return scanImport(q.QueryRow(ctx, importSelect+` WHERE public_id = $1`, publicID))
}

// ImportsOfOrganization lists the organization's latest imports, newest first, at most
// limit of them.
func ImportsOfOrganization(ctx context.Context, q Querier, limit int) ([]Import, error) {
	rows, err := q.Query(ctx, importSelect+` ORDER BY created_at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list imports: %w", err)
	}
	defer rows.Close()
	var out []Import
	for rows.Next() {
		im, err := scanImport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, im)
	}
	return out, rows.Err()
}

// MarkImportChecking records an import uploading or checked as being checked; it reports
// whether it was either.
func MarkImportChecking(ctx context.Context, tx pgx.Tx, id uuid.UUID) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE imports SET status = 'checking' WHERE id = $1 AND status IN ('uploading', 'checked', 'checking')`, id)
	if err != nil {
		return false, fmt.Errorf("mark import checking: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// MarkImportChecked records an import being checked as checked, with the mapping it was
// checked with, the dry run's report and the checksum of the file read; it reports whether
// it was being checked.
func MarkImportChecked(ctx context.Context, tx pgx.Tx, id uuid.UUID, mapping map[string]string, report any, checksum string) (bool, error) {
	m, err := json.Marshal(mapping)
	if err != nil {
		return false, fmt.Errorf("import mapping: %w", err)
	}
	r, err := json.Marshal(report)
	if err != nil {
		return false, fmt.Errorf("import report: %w", err)
	}
	tag, err := tx.Exec(ctx, `UPDATE imports SET status = 'checked', mapping = $2, report = $3, checksum = $4, checked_at = now()
		WHERE id = $1 AND status = 'checking'`, id, m, r, checksum)
	if err != nil {
		return false, fmt.Errorf("mark import checked: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// MarkImportApplying records a checked import as being applied in batches, its rows
// refused when read counted refused; run again while it is applying, it changes nothing. It
// reports whether the import is applying.
func MarkImportApplying(ctx context.Context, tx pgx.Tx, id uuid.UUID, batches, refusedReading int) (bool, error) {
	var status string
	err := tx.QueryRow(ctx, `UPDATE imports SET status = 'applying', batches = coalesce(batches, $2),
			refused = CASE WHEN status = 'checked' THEN $3 ELSE refused END
		WHERE id = $1 AND status IN ('checked', 'applying') RETURNING status`, id, batches, refusedReading).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mark import applying: %w", err)
	}
	return true, nil
}

// ImportBatchesDone locks an applying import until tx ends and answers how many of its
// batches are done and how many problems of refused rows it lists; ErrNotFound when it is
// not applying.
func ImportBatchesDone(ctx context.Context, tx pgx.Tx, id uuid.UUID) (done, listed int, err error) {
	err = tx.QueryRow(ctx, `SELECT batches_done, jsonb_array_length(apply_problems) FROM imports
		WHERE id = $1 AND status = 'applying' FOR UPDATE`, id).Scan(&done, &listed)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, 0, ErrNotFound
	}
	if err != nil {
		return 0, 0, fmt.Errorf("read import batches: %w", err)
	}
	return done, listed, nil
}

// RecordImportBatch records, in the transaction that applied it, that an import's next
// batch is done: its rows recorded new, updated and refused, and problems to list.
func RecordImportBatch(ctx context.Context, tx pgx.Tx, id uuid.UUID, created, updated, refused int, problems any) error {
	p, err := json.Marshal(problems)
	if err != nil {
		return fmt.Errorf("import problems: %w", err)
	}
	_, err = tx.Exec(ctx, `UPDATE imports SET batches_done = batches_done + 1, created = created + $2, updated = updated + $3,
		refused = refused + $4, apply_problems = apply_problems || $5::jsonb WHERE id = $1 AND status = 'applying'`,
		id, created, updated, refused, p)
	if err != nil {
		return fmt.Errorf("record import batch: %w", err)
	}
	return nil
}

// FinishImport ends an import not yet finished with status (applied, failed, cancelled or
// expired) and, for failed, why; it reports whether the import was not yet finished.
func FinishImport(ctx context.Context, tx pgx.Tx, id uuid.UUID, status, problem string) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE imports SET status = $2, problem = nullif($3, ''), finished_at = now()
		WHERE id = $1 AND finished_at IS NULL`, id, status, problem)
	if err != nil {
		return false, fmt.Errorf("finish import: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// SweptImport is an import the sweep ends: not ended an hour past its expiry.
type SweptImport struct {
	ID        uuid.UUID
	OrgID     uuid.UUID
	ObjectKey string
}

// ImportsToSweep lists, across organizations, the imports not ended pastExpiry after they
// expired, at most 500.
func ImportsToSweep(ctx context.Context, db *DB, pastExpiry time.Duration) ([]SweptImport, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, org_id, object_key FROM imports_to_sweep(make_interval(secs => $1))`,
		pastExpiry.Seconds())
	if err != nil {
		return nil, fmt.Errorf("list imports to sweep: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (SweptImport, error) {
		var im SweptImport
		err := r.Scan(&im.ID, &im.OrgID, &im.ObjectKey)
		return im, err
	})
}
