package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/reptidex/reptidex/media"
	"github.com/reptidex/reptidex/store"
)

// SweepMediaArgs removes uploads never confirmed and deleted photos whose objects remain.
// It runs periodically.
type SweepMediaArgs struct{}

// Kind names the job kind.
func (SweepMediaArgs) Kind() string { return "sweep_media" }

// InsertOpts keeps one sweep at a time, tried three times: the next period sweeps again.
func (SweepMediaArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: 15 * time.Minute}}
}

// SweepMediaWorker removes, objects first and rows after, the uploads not confirmed within
// media.UnconfirmedAfter and the deleted photos whose removal from storage failed.
type SweepMediaWorker struct {
	river.WorkerDefaults[SweepMediaArgs]
	DB      *store.DB
	Storage *media.Storage
}

// Work sweeps.
func (w *SweepMediaWorker) Work(ctx context.Context, _ *river.Job[SweepMediaArgs]) error {
	_, err := w.Storage.Sweep(ctx, w.DB)
	return err
}
