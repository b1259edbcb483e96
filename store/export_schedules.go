package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// ExportSchedule is an organization's schedule of exports: daily, weekly (on Weekday, 0
// Sunday) or monthly (on DayOfMonth), at MinuteOfDay in TimeZone; paused or not.
type ExportSchedule struct {
	ID          uuid.UUID
	PublicID    string
	OrgID       uuid.UUID
	CreatedBy   uuid.UUID
	Frequency   string
	MinuteOfDay int
	Weekday     *int
	DayOfMonth  *int
	TimeZone    string
	Paused      bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// InsertExportSchedule records a schedule for the transaction's organization.
func InsertExportSchedule(ctx context.Context, tx pgx.Tx, s ExportSchedule) error {
	_, err := tx.Exec(ctx, `INSERT INTO export_schedules (id, public_id, org_id, created_by, frequency, minute_of_day, weekday,
		day_of_month, time_zone, paused) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		s.ID, s.PublicID, s.OrgID, s.CreatedBy, s.Frequency, s.MinuteOfDay, s.Weekday, s.DayOfMonth, s.TimeZone, s.Paused)
	if err != nil {
		return fmt.Errorf("insert export schedule: %w", err)
	}
	return nil
}

const exportScheduleSelect = `SELECT id, public_id, org_id, created_by, frequency, minute_of_day, weekday, day_of_month,
	time_zone, paused, created_at, updated_at FROM export_schedules`

func scanExportSchedule(row pgx.Row) (ExportSchedule, error) {
	var s ExportSchedule
	err := row.Scan(&s.ID, &s.PublicID, &s.OrgID, &s.CreatedBy, &s.Frequency, &s.MinuteOfDay, &s.Weekday, &s.DayOfMonth,
		&s.TimeZone, &s.Paused, &s.CreatedAt, &s.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return ExportSchedule{}, ErrNotFound
	}
	if err != nil {
		return ExportSchedule{}, fmt.Errorf("read export schedule: %w", err)
	}
	return s, nil
}

// ExportScheduleByID reads one of the organization's schedules.
func ExportScheduleByID(ctx context.Context, q Querier, id uuid.UUID) (ExportSchedule, error) {
	return scanExportSchedule(q.QueryRow(ctx, exportScheduleSelect+` WHERE id = $1`, id))
}

// LockExportSchedule reads one of the organization's schedules and locks its row until tx
// ends.
func LockExportSchedule(ctx context.Context, tx pgx.Tx, id uuid.UUID) (ExportSchedule, error) {
	return scanExportSchedule(tx.QueryRow(ctx, exportScheduleSelect+` WHERE id = $1 FOR UPDATE`, id))
}

// ExportScheduleByPublicID reads one of the organization's schedules by its public ID, for
// update when forUpdate.
func ExportScheduleByPublicID(ctx context.Context, q Querier, publicID string, forUpdate bool) (ExportSchedule, error) {
	sql := exportScheduleSelect + ` WHERE public_id = $1`
	if forUpdate {
		sql += ` FOR UPDATE`
	}
	return scanExportSchedule(q.QueryRow(ctx, sql, publicID))
}

// ExportSchedulesBefore counts the organization's schedules made before s (by when they were
// made): a plan allowing N keeps the first N running.
func ExportSchedulesBefore(ctx context.Context, q Querier, s ExportSchedule) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM export_schedules WHERE (created_at, id) < ($1, $2)`, s.CreatedAt, s.ID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count export schedules: %w", err)
	}
	return n, nil
}

// ExportSchedulesOfOrganization lists the organization's schedules, oldest first.
func ExportSchedulesOfOrganization(ctx context.Context, q Querier) ([]ExportSchedule, error) {
	rows, err := q.Query(ctx, exportScheduleSelect+` ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list export schedules: %w", err)
	}
	defer rows.Close()
	var out []ExportSchedule
	for rows.Next() {
		s, err := scanExportSchedule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// UpdateExportSchedule writes a schedule's timing and pause as s has them.
func UpdateExportSchedule(ctx context.Context, tx pgx.Tx, s ExportSchedule) error {
	_, err := tx.Exec(ctx, `UPDATE export_schedules SET frequency = $2, minute_of_day = $3, weekday = $4, day_of_month = $5,
		time_zone = $6, paused = $7, updated_at = now() WHERE id = $1`,
		s.ID, s.Frequency, s.MinuteOfDay, s.Weekday, s.DayOfMonth, s.TimeZone, s.Paused)
	if err != nil {
		return fmt.Errorf("update export schedule: %w", err)
	}
	return nil
}

// DeleteExportSchedule deletes one of the organization's schedules; the exports it made stay.
func DeleteExportSchedule(ctx context.Context, tx pgx.Tx, id uuid.UUID) error {
	if _, err := tx.Exec(ctx, `DELETE FROM export_schedules WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete export schedule: %w", err)
	}
	return nil
}
