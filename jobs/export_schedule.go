package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/export"
)

// SyncExportScheduleArgs brings a schedule of exports' Temporal Schedule in step with its
// row: created or updated as the row stands, deleted when the row is gone. It is enqueued in
// the transaction that changes the row, so a change reaches Temporal even when Temporal is
// unreachable at the moment of it; a job that exhausts its tries (Temporal down for hours)
// leaves them apart until the schedule's next change.
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
// the row as the latest change left it. Temporal has syncTimeout to answer, so a change made
// meanwhile waits on the lock that long at most; a sync that times out is tried again.
type SyncExportScheduleWorker struct {
	river.WorkerDefaults[SyncExportScheduleArgs]
	DB        *store.DB
	Temporal  client.Client
	TaskQueue string
}

// syncTimeout bounds a sync's calls to Temporal, made while the schedule's row is locked.
const syncTimeout = 10 * time.Second

// Work syncs.
func (w *SyncExportScheduleWorker) Work(ctx context.Context, job *river.Job[SyncExportScheduleArgs]) error {
	a := job.Args
	return w.DB.InTenant(ctx, store.Tenant{OrgID: a.OrgID}, func(tx pgx.Tx) error {
		s, err := store.LockExportSchedule(ctx, tx, a.ScheduleID)
		if errors.Is(err, store.ErrNotFound) {
			tctx, cancel := context.WithTimeout(ctx, syncTimeout)
			defer cancel()
			return cancelIfPermanent(export.DeleteSchedule(tctx, w.Temporal, a.ScheduleID))
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
		tctx, cancel := context.WithTimeout(ctx, syncTimeout)
		defer cancel()
		return cancelIfPermanent(export.EnsureSchedule(tctx, w.Temporal, w.TaskQueue, sched))
	})
}
