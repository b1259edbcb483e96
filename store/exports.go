package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Export is an export of an organization's data: running until its ZIP is stored, then
// ready until it expires; or failed.
type Export struct {
	ID          uuid.UUID
	PublicID    string
	OrgID       uuid.UUID
	RequestedBy uuid.UUID
	// ScheduleID is the schedule that made the export, and SchedulePublicID its public ID;
	// zero and empty for one asked for, or once the schedule is deleted.
	ScheduleID       uuid.UUID
	SchedulePublicID string
	Status           string
	ObjectKey        string
	Bytes            int64
	// Files is the rows written to each file of the ZIP, by file name.
	Files      map[string]int64
	Problem    string
	CreatedAt  time.Time
	FinishedAt *time.Time
	ExpiresAt  *time.Time
}

// ErrExportRunning means the organization already has an export running.
var ErrExportRunning = errors.New("an export is already running")

// InsertExport records an export as running for the transaction's organization; one while
// another runs is ErrExportRunning, and tx goes on (the insert is in a savepoint).
func InsertExport(ctx context.Context, tx pgx.Tx, e Export) error {
	var schedule *uuid.UUID
	if e.ScheduleID != uuid.Nil {
		schedule = &e.ScheduleID
	}
	err := pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
		_, err := sp.Exec(ctx, `INSERT INTO exports (id, public_id, org_id, requested_by, schedule_id) VALUES ($1, $2, $3, $4, $5)`,
			e.ID, e.PublicID, e.OrgID, e.RequestedBy, schedule)
		return err
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.ConstraintName == "exports_running_key" {
		return ErrExportRunning
	}
	if err != nil {
		return fmt.Errorf("insert export: %w", err)
	}
	return nil
}

const exportSelect = `SELECT e.id, e.public_id, e.org_id, e.requested_by, coalesce(e.schedule_id, '00000000-0000-0000-0000-000000000000'),
	coalesce(s.public_id, ''), e.status, coalesce(e.object_key, ''), coalesce(e.bytes, 0), e.files, coalesce(e.problem, ''),
	e.created_at, e.finished_at, e.expires_at
	FROM exports e LEFT JOIN export_schedules s ON s.id = e.schedule_id`

func scanExport(row pgx.Row) (Export, error) {
	var e Export
	var files []byte
	err := row.Scan(&e.ID, &e.PublicID, &e.OrgID, &e.RequestedBy, &e.ScheduleID, &e.SchedulePublicID, &e.Status, &e.ObjectKey, &e.Bytes, &files,
		&e.Problem, &e.CreatedAt, &e.FinishedAt, &e.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Export{}, ErrNotFound
	}
	if err != nil {
		return Export{}, fmt.Errorf("read export: %w", err)
	}
	if err := json.Unmarshal(files, &e.Files); err != nil {
		return Export{}, fmt.Errorf("read export %s files: %w", e.PublicID, err)
	}
	return e, nil
}

// ExportByID reads one of the organization's exports.
func ExportByID(ctx context.Context, q Querier, id uuid.UUID) (Export, error) {
	return scanExport(q.QueryRow(ctx, exportSelect+` WHERE e.id = $1`, id))
}

// ExportByPublicID reads one of the organization's exports by its public ID.
func ExportByPublicID(ctx context.Context, q Querier, publicID string) (Export, error) {
	return scanExport(q.QueryRow(ctx, exportSelect+` WHERE e.public_id = $1`, publicID))
}

// ExportsOfOrganization lists the organization's latest exports, newest first, at most
// limit of them.
func ExportsOfOrganization(ctx context.Context, q Querier, limit int) ([]Export, error) {
	rows, err := q.Query(ctx, exportSelect+` ORDER BY e.created_at DESC, e.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list exports: %w", err)
	}
	defer rows.Close()
	var out []Export
	for rows.Next() {
		e, err := scanExport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// MarkExportReady records a running export ready with its ZIP, until expiresAt; it reports
// whether it was running (run again, it changes nothing).
func MarkExportReady(ctx context.Context, tx pgx.Tx, id uuid.UUID, key string, bytes int64, files map[string]int64,
	expiresAt time.Time) (bool, error) {
	body, err := json.Marshal(files)
	if err != nil {
		return false, fmt.Errorf("export files: %w", err)
	}
	tag, err := tx.Exec(ctx, `UPDATE exports SET status = 'ready', object_key = $2, bytes = $3, files = $4,
		finished_at = now(), expires_at = $5 WHERE id = $1 AND status = 'running'`, id, key, bytes, body, expiresAt)
	if err != nil {
		return false, fmt.Errorf("mark export ready: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// MarkExportFailed records a running export failed, with why; it reports whether it was
// running.
func MarkExportFailed(ctx context.Context, tx pgx.Tx, id uuid.UUID, problem string) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE exports SET status = 'failed', problem = $2, finished_at = now()
		WHERE id = $1 AND status = 'running'`, id, problem)
	if err != nil {
		return false, fmt.Errorf("mark export failed: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// exportFiles are the queries of an export's files, each reading the transaction's
// organization's rows in a stable order, columns named as the file's header. Values are
// text, integers, floats, booleans and times; the columns named in jsonColumns are JSON,
// read as their text, and those in jsonOnly are left out of the CSV file (they repeat
// structured what another column or file holds).
var exportFiles = map[string]string{
	"animals": `SELECT a.public_id AS id, coalesce(a.name, '') AS name, a.species_key AS species, a.sex::text AS sex,
		to_char(a.hatch_date, 'YYYY-MM-DD') AS hatch_date, a.status::text AS status, a.visibility::text AS visibility,
		a.genetics_text AS genetics, a.identifiers::text AS identifiers, s.public_id AS sire_id, d.public_id AS dam_id,
		c.public_id AS clutch_id, b.public_id AS breeder_id, a.is_reference AS is_reference,
		a.created_at AS created_at, a.updated_at AS updated_at, a.archived_at AS archived_at,
		a.genetics::text AS genetics_claims
		FROM animals a
		LEFT JOIN animal_card s ON s.id = a.sire_id
		LEFT JOIN animal_card d ON d.id = a.dam_id
		LEFT JOIN clutches c ON c.id = a.clutch_id
		LEFT JOIN organization_name b ON b.id = a.breeder_org_id
		WHERE a.org_id = (SELECT app_org_id())
		ORDER BY a.public_id`,
	"genetics": `SELECT a.public_id AS animal_id, g.claim->>'gene' AS gene, g.claim->>'kind' AS kind,
		coalesce(g.claim->>'probability', '') AS probability, coalesce(g.claim->>'provenance', '') AS provenance
		FROM animals a CROSS JOIN LATERAL jsonb_array_elements(a.genetics) WITH ORDINALITY g(claim, n)
		WHERE a.org_id = (SELECT app_org_id())
		ORDER BY a.public_id, g.n`,
	"lineage": `SELECT a.public_id AS animal_id, l.parent AS parent, c.public_id AS parent_id, o.public_id AS parent_owner_id,
		c.visible AS parent_visible, own.id IS NOT NULL AS in_collection
		FROM animals a
		CROSS JOIN LATERAL (VALUES ('sire', a.sire_id, 1), ('dam', a.dam_id, 2)) l(parent, id, n)
		JOIN pedigree_card c ON c.id = l.id
		LEFT JOIN organization_name o ON o.id = c.owner_id
		LEFT JOIN animals own ON own.id = l.id
		WHERE a.org_id = (SELECT app_org_id())
		ORDER BY a.public_id, l.n`,
	"pairings": `SELECT p.public_id AS id, s.public_id AS sire_id, d.public_id AS dam_id, p.season AS season,
		p.status::text AS status, coalesce(p.notes, '') AS notes, p.offspring_coi AS offspring_coi,
		p.created_at AS created_at, p.updated_at AS updated_at
		FROM pairings p
		LEFT JOIN animal_card s ON s.id = p.sire_id
		LEFT JOIN animal_card d ON d.id = p.dam_id
		WHERE p.org_id = (SELECT app_org_id())
		ORDER BY p.created_at, p.public_id`,
	"clutches": `SELECT c.public_id AS id, p.public_id AS pairing_id, to_char(c.laid_on, 'YYYY-MM-DD') AS laid_on,
		c.eggs AS eggs, c.fertile AS fertile, c.infertile AS infertile, to_char(c.hatched_on, 'YYYY-MM-DD') AS hatched_on,
		c.hatched AS hatched, c.created_at AS created_at, c.updated_at AS updated_at
		FROM clutches c JOIN pairings p ON p.id = c.pairing_id
		WHERE c.org_id = (SELECT app_org_id())
		ORDER BY c.laid_on, c.public_id`,
	"hatchlings": `SELECT c.public_id AS clutch_id, a.public_id AS animal_id, coalesce(a.name, '') AS name, a.sex::text AS sex,
		to_char(a.hatch_date, 'YYYY-MM-DD') AS hatch_date, a.genetics_text AS genetics
		FROM animals a JOIN clutches c ON c.id = a.clutch_id
		WHERE a.org_id = (SELECT app_org_id())
		ORDER BY c.laid_on, c.public_id, a.public_id`,
	"transfers": `SELECT t.public_id AS id, CASE WHEN t.org_id = (SELECT app_org_id()) THEN 'sent' ELSE 'received' END AS direction,
		t.animal_public_id AS animal_id, t.animal_name AS animal_name, t.species_key AS species, t.genetics_text AS genetics,
		t.status::text AS status, f.public_id AS from_organization_id, coalesce(r.public_id, '') AS to_organization_id,
		CASE WHEN t.org_id = (SELECT app_org_id()) THEN coalesce(t.recipient_email, '') ELSE '' END AS to_email,
		coalesce(t.message, '') AS message, coalesce(t.reason, '') AS reason,
		t.created_at AS created_at, t.expires_at AS expires_at, t.ended_at AS ended_at
		FROM transfers t
		JOIN organization_name f ON f.id = t.org_id
		LEFT JOIN organization_name r ON r.id = coalesce(t.to_org_id, t.recipient_org_id)
		WHERE t.org_id = (SELECT app_org_id()) OR t.to_org_id = (SELECT app_org_id()) OR t.recipient_org_id = (SELECT app_org_id())
		ORDER BY t.created_at, t.public_id`,
	"sales": `SELECT o.public_id AS id, CASE WHEN o.org_id = (SELECT app_org_id()) THEN 'sold' ELSE 'bought' END AS side,
		c.public_id AS animal_id, s.public_id AS seller_id, b.public_id AS buyer_id, o.amount AS amount,
		o.currency AS currency, CASE WHEN o.org_id = (SELECT app_org_id()) THEN o.platform_fee END AS platform_fee,
		o.status::text AS status, o.ship_to AS ship_to, coalesce(o.carrier, '') AS carrier,
		coalesce(o.tracking_number, '') AS tracking_number, coalesce(o.outcome, '') AS outcome,
		o.created_at AS created_at, o.authorized_at AS paid_at, o.shipped_at AS shipped_at,
		o.delivered_at AS delivered_at, o.confirmed_at AS confirmed_at, o.ended_at AS ended_at
		FROM orders o
		LEFT JOIN animal_card c ON c.id = o.animal_id
		JOIN organization_name s ON s.id = o.org_id
		JOIN organization_name b ON b.id = o.buyer_org_id
		WHERE o.org_id = (SELECT app_org_id()) OR o.buyer_org_id = (SELECT app_org_id())
		ORDER BY o.created_at, o.public_id`,
	"certificates": `SELECT c.serial AS serial, a.public_id AS animal_id, c.status::text AS status,
		coalesce(c.key_id, '') AS key_id, coalesce(encode(c.pdf_sha256, 'hex'), '') AS pdf_sha256,
		coalesce(c.revoked_reason, '') AS revoked_reason, c.created_at AS created_at, c.issued_at AS issued_at,
		c.ended_at AS ended_at
		FROM certificates c JOIN animal_card a ON a.id = c.animal_id
		WHERE c.org_id = (SELECT app_org_id())
		ORDER BY c.created_at, c.serial`,
	"media": `SELECT m.public_id AS id, a.public_id AS animal_id, m.content_type AS content_type, m.bytes AS bytes,
		m.width AS width, m.height AS height, m.position AS position, m.is_primary AS is_primary,
		m.created_at AS created_at, m.ready_at AS ready_at
		FROM media m JOIN animals a ON a.id = m.animal_id
		WHERE m.org_id = (SELECT app_org_id()) AND m.status = 'ready'
		ORDER BY a.public_id, m.position, m.public_id`,
}

// jsonColumns are the columns whose text is JSON; jsonOnly those the JSON document holds and
// the CSV files leave out.
var (
	jsonColumns = map[string]bool{"identifiers": true, "genetics_claims": true}
	jsonOnly    = map[string]bool{"genetics_claims": true}
)

// ExportColumn is a column of an export file: its name, whether its text is JSON, and
// whether the CSV file holds it.
type ExportColumn struct {
	Name string
	JSON bool
	CSV  bool
}

// ExportRows reads the rows of one export file of the transaction's organization: header
// is called once with the columns, then row with each row's values (text, integers,
// floats, booleans, times, nil; a JSON column's text), one at a time as they arrive.
func ExportRows(ctx context.Context, tx pgx.Tx, file string, header func([]ExportColumn) error, row func([]any) error) error {
	q, ok := exportFiles[file]
	if !ok {
		return fmt.Errorf("no export file %q", file)
	}
	rows, err := tx.Query(ctx, q)
	if err != nil {
		return fmt.Errorf("export %s: %w", file, err)
	}
	defer rows.Close()
	fields := rows.FieldDescriptions()
	cols := make([]ExportColumn, len(fields))
	for i, f := range fields {
		cols[i] = ExportColumn{Name: f.Name, JSON: jsonColumns[f.Name], CSV: !jsonOnly[f.Name]}
	}
	if err := header(cols); err != nil {
		return err
	}
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return fmt.Errorf("export %s: %w", file, err)
		}
		if err := row(vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export %s: %w", file, err)
	}
	return nil
}

// SweptExport is an export the sweep looks after: ready past its expiry, or running long.
type SweptExport struct {
	ID, OrgID uuid.UUID
	Status    string
}

// ExportsToSweep lists, across organizations, the ready exports past their expiry and the
// exports running for longer than age, oldest first, at most 500 of each at a time.
func ExportsToSweep(ctx context.Context, db *DB, age time.Duration) ([]SweptExport, error) {
	rows, err := db.Pool.Query(ctx, `SELECT id, org_id, status FROM exports_to_sweep(make_interval(secs => $1))`, age.Seconds())
	if err != nil {
		return nil, fmt.Errorf("list exports to sweep: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (SweptExport, error) {
		var e SweptExport
		err := r.Scan(&e.ID, &e.OrgID, &e.Status)
		return e, err
	})
}

// MarkExportExpired records a ready export past its expiry expired; it reports whether it
// was.
func MarkExportExpired(ctx context.Context, tx pgx.Tx, id uuid.UUID) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE exports SET status = 'expired' WHERE id = $1 AND status = 'ready' AND expires_at <= now()`, id)
	if err != nil {
		return false, fmt.Errorf("mark export expired: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}
