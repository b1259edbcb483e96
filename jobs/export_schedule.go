package jobs

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/export"
)

// SyncExportScheduleArgs brings a schedule of exports' Temporal Schedule in step with its
// row: created or updated as the row stands, deleted when the row is gone. It is enqueued in
// the transaction that changes the row, so the row and its schedule never stay apart, even
// when Temporal is unreachable at the moment of the change.
type SyncExportScheduleArgs struct {
	ScheduleID uuid.UUID `json:"schedule_id"`
	OrgID      uuid.UUID `json:"org_id"`
}

// Kind names the job.
func (SyncExportScheduleArgs) Kind() string { return "sync_export_schedule" }

// InsertOpts bounds the job's tries (cancelIfPermanent).
func (SyncExportScheduleArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: maxAttempts}
}

// SyncExportScheduleWorker syncs a schedule of exports with Temporal. It holds the row's lock
// while it does, so that two syncs of one schedule apply its changes in order: a sync reads
// the row as the latest change left it.
type SyncExportScheduleWorker struct {
	river.WorkerDefaults[SyncExportScheduleArgs]
	DB        *store.DB
	Temporal  client.Client
	TaskQueue string
}

// Work syncs.
func (w *SyncExportScheduleWorker) Work(ctx context.Context, job *river.Job[SyncExportScheduleArgs]) error {
	a := job.Args
	return w.DB.InTenant(ctx, store.Tenant{OrgID: a.OrgID}, func(tx pgx.Tx) error {
		s, err := store.LockExportSchedule(ctx, tx, a.ScheduleID)
		if errors.Is(err, store.ErrNotFound) {
			return cancelIfPermanent(export.DeleteSchedule(ctx, w.Temporal, a.ScheduleID))
		}
		if err != nil {
			return err
		}
		sched := export.Schedule{ID: s.ID, OrgID: s.OrgID, Frequency: s.Frequency, MinuteOfDay: s.MinuteOfDay,
			TimeZone: s.TimeZone, Paused: s.Paused}
		if s.Weekday != nil {
			sched.Weekday = *s.Weekday
		}
		if s.DayOfMonth != nil {
			sched.DayOfMonth = *s.DayOfMonth
		}
		return cancelIfPermanent(export.EnsureSchedule(ctx, w.Temporal, w.TaskQueue, sched))
	})
}
