package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/reptidex/reptidex/media"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/personal"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/web"
)

// PersonalExportExpiry is how long a personal export's document, and the link to it, is
// kept: the longest a presigned link may work.
const PersonalExportExpiry = 7 * 24 * time.Hour

// personalExportAttempts bounds the tries of building a personal export: a day of
// retries; then it ends failed, and the person is told to ask again.
const personalExportAttempts = 12

// BuildPersonalExportArgs builds the document of everything held about a person, asked for
// by them. It is enqueued in the transaction that records the export as running.
type BuildPersonalExportArgs struct {
	ExportID uuid.UUID `json:"export_id"`
	UserID   uuid.UUID `json:"user_id"`
}

// Kind names the job.
func (BuildPersonalExportArgs) Kind() string { return "build_personal_export" }

// InsertOpts bounds the job's tries and makes it unique per export.
func (BuildPersonalExportArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: personalExportAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// PersonalExportKey is where a personal export's document is stored: under exports/, which
// the bucket's lifecycle rule for exports expires too.
func PersonalExportKey(userID, exportID uuid.UUID) string {
	return "exports/personal/" + userID.String() + "/" + exportID.String() + ".json"
}

// BuildPersonalExportWorker streams the document (personal.Document), read in one
// transaction as the person, to object storage, then marks the export ready until it
// expires and sends the person the link, in one transaction. The last try that fails marks
// it failed and tells the person.
type BuildPersonalExportWorker struct {
	river.WorkerDefaults[BuildPersonalExportArgs]
	DB      *store.DB
	S3      *s3.Client
	Streams *objstore.Streams
	Storage *media.Storage
	Bucket  string
	// River enqueues the notification's deliveries; nil: the client working the job.
	River *river.Client[pgx.Tx]
}

// Work builds the document.
func (w *BuildPersonalExportWorker) Work(ctx context.Context, job *river.Job[BuildPersonalExportArgs]) error {
	a := job.Args
	me := store.Tenant{UserID: a.UserID}
	n, err := w.notifier(ctx)
	if err != nil {
		return err
	}
	err = w.build(ctx, n, a)
	if err != nil && job.Attempt >= job.MaxAttempts {
		return errors.Join(err, w.DB.InTenant(ctx, me, func(tx pgx.Tx) error {
			failed, ferr := store.FinishPersonalExport(ctx, tx, a.ExportID, "", 0, time.Time{},
				"The document could not be built; please ask again.")
			if ferr != nil || !failed {
				return ferr
			}
			_, ferr = n.Record(ctx, tx, personalExportFailed(a))
			return ferr
		}))
	}
	return err
}

// build writes and stores the document, then marks it ready and tells the person; an export
// no longer running is left as it is.
func (w *BuildPersonalExportWorker) build(ctx context.Context, n *notify.Notifier, a BuildPersonalExportArgs) error {
	me := store.Tenant{UserID: a.UserID}
	key := PersonalExportKey(a.UserID, a.ExportID)
	var e store.PersonalExport
	err := w.DB.InTenant(ctx, me, func(tx pgx.Tx) (err error) {
		e, err = store.PersonalExportByID(ctx, tx, a.ExportID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) || err == nil && e.Status != "running" {
		return nil
	}
	if err != nil {
		return err
	}
	pr, pw := io.Pipe()
	uploaded := make(chan error, 1)
	go func() { uploaded <- w.Streams.Upload(ctx, w.Bucket, key, "application/json", pr) }()
	err = w.DB.InTenant(ctx, me, func(tx pgx.Tx) error { return personal.Document(ctx, tx, pw, time.Now()) })
	_ = pw.CloseWithError(err) // nil completes the upload; an error aborts it
	if err = errors.Join(err, <-uploaded); err != nil {
		return fmt.Errorf("personal export %s: %w", e.PublicID, err)
	}
	size, err := objstore.Size(ctx, w.S3, w.Bucket, key)
	if err != nil {
		return err
	}
	expires := time.Now().Add(PersonalExportExpiry).UTC().Truncate(time.Second)
	link, err := w.Storage.PresignObjectUntil(ctx, key, expires)
	if err != nil {
		return err
	}
	return w.DB.InTenant(ctx, me, func(tx pgx.Tx) error {
		ready, err := store.FinishPersonalExport(ctx, tx, a.ExportID, key, size, expires, "")
		if err != nil || !ready {
			return err
		}
		_, err = n.Record(ctx, tx, personalExportReady(a, e.PublicID, link.URL, expires))
		return err
	})
}

func (w *BuildPersonalExportWorker) notifier(ctx context.Context) (*notify.Notifier, error) {
	if w.River != nil {
		return &notify.Notifier{River: w.River}, nil
	}
	c, err := river.ClientFromContextSafely[pgx.Tx](ctx)
	if err != nil {
		return nil, fmt.Errorf("personal export: %w", err)
	}
	return &notify.Notifier{River: c}, nil
}

// personalExportReady tells the person their document is ready, with its link.
func personalExportReady(a BuildPersonalExportArgs, publicID, url string, expires time.Time) notify.Request {
	return notify.Request{DedupKey: "personal-export/" + a.ExportID.String() + "/ready", Type: "account.data", UserID: a.UserID,
		Title: "Your personal data is ready to download",
		Body: "Everything ReptiDex holds about you, as one JSON document. Download it until " +
			expires.Format("2 January 2006 15:04") + " UTC:\n\n" + url,
		Link: web.PersonalExportPath(publicID), ActionLabel: "Download your data",
		Data: map[string]any{"export_id": publicID, "download_url": url, "expires_at": expires}}
}

// personalExportFailed tells the person their document could not be built.
func personalExportFailed(a BuildPersonalExportArgs) notify.Request {
	return notify.Request{DedupKey: "personal-export/" + a.ExportID.String() + "/failed", Type: "account.data", UserID: a.UserID,
		Title: "Your personal data could not be gathered", Body: "The document could not be built; please ask again."}
}
