package activities

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/exports"
	"github.com/reptidex/reptidex/media"
	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/export"
)

// Exports holds the activities of the export process: the database the files are read
// from, and the bucket they and the ZIP go to.
type Exports struct {
	*Database
	S3      *s3.Client
	Streams *objstore.Streams
	// Storage presigns the download links.
	Storage *media.Storage
	Bucket  string
}

// beatEvery is how often a streaming activity heartbeats, well within
// process.StreamHeartbeat.
const beatEvery = 2 * time.Second

// heartbeating records a heartbeat every beatEvery with what progress answers, from a
// goroutine of its own, so that an activity blocked on a slow write still shows it is alive,
// until stop is called; off an activity it does nothing. A try Temporal has given up on
// learns it from its heartbeat, and its context ends.
func heartbeating(ctx context.Context, progress func() any) (stop func()) {
	if !activity.IsActivity(ctx) {
		return func() {}
	}
	done := make(chan struct{})
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		t := time.NewTicker(beatEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx, progress())
			}
		}
	}()
	return func() {
		close(done)
		<-ended
	}
}

// File writes one file of the organization's data, read in one transaction, as CSV and as
// its JSON array, each streamed to object storage as it is read. An export no longer running
// is final.
func (a *Exports) File(ctx context.Context, in export.Input, file string) (export.Written, error) {
	if !slices.Contains(export.Files, file) {
		return export.Written{}, temporal.NewNonRetryableApplicationError("no export file "+file, ErrTypeInvalidData, nil)
	}
	prefix := export.PartsPrefix(in.OrgID, in.ExportID)
	w := export.Written{File: file, CSVKey: prefix + file + ".csv", JSONKey: prefix + file + ".json"}
	csvR, csvW := io.Pipe()
	jsonR, jsonW := io.Pipe()
	uploads := make(chan error, 2)
	go func() { uploads <- a.upload(ctx, w.CSVKey, "text/csv; charset=utf-8", csvR) }()
	go func() { uploads <- a.upload(ctx, w.JSONKey, "application/json", jsonR) }()
	var rows atomic.Int64
	stop := heartbeating(ctx, func() any { return rows.Load() })
	defer stop()
	err := a.inTenant(ctx, store.Tenant{OrgID: in.OrgID, UserID: in.RequestedBy}, func(tx pgx.Tx) error {
		if err := running(ctx, tx, in); err != nil {
			return err
		}
		at, err := store.TransactionTime(ctx, tx)
		if err != nil {
			return err
		}
		w.At = at
		fw, err := exports.NewFileWriter(csvW, jsonW)
		if err != nil {
			return err
		}
		err = store.ExportRows(ctx, tx, file, fw.Header, func(vals []any) error {
			rows.Add(1)
			return fw.Row(vals)
		})
		if err != nil {
			return err
		}
		w.Rows = fw.Rows()
		return fw.Close()
	})
	// The uploads end when their pipes close: complete on success, aborted on an error.
	if err != nil {
		_ = csvW.CloseWithError(err) // a pipe's writer always closes
		_ = jsonW.CloseWithError(err)
	} else {
		_ = csvW.Close()
		_ = jsonW.Close()
	}
	uerr := errors.Join(<-uploads, <-uploads)
	if err != nil {
		return export.Written{}, err
	}
	if uerr != nil {
		return export.Written{}, uerr
	}
	return w, nil
}

// upload streams r to key, closing r with the upload's error when it fails, so that the
// writer on its other end stops rather than waits.
func (a *Exports) upload(ctx context.Context, key, contentType string, r *io.PipeReader) error {
	err := a.Streams.Upload(ctx, a.Bucket, key, contentType, r)
	if err != nil {
		_ = r.CloseWithError(err) // a pipe's reader always closes
	}
	return err
}

// running checks in tx that the export is still running.
func running(ctx context.Context, tx pgx.Tx, in export.Input) error {
	e, err := store.ExportByID(ctx, tx, in.ExportID)
	if errors.Is(err, store.ErrNotFound) || err == nil && e.Status != "running" {
		return notRunning(in, err)
	}
	return err
}

// notRunning is the final error of a step of an export that is no longer running.
func notRunning(in export.Input, cause error) error {
	return temporal.NewNonRetryableApplicationError("export "+in.PublicID+" is not running", export.ErrTypeNotFound, cause)
}

// Assemble puts the written files into the ZIP, streamed to object storage as it is
// written. The ZIP becomes visible only once whole; run again once it is, it answers the ZIP
// stored (the written files are deleted only once the export is ready, by Finish).
func (a *Exports) Assemble(ctx context.Context, in export.Input, files []export.Written) (export.Assembled, error) {
	key := export.ObjectKey(in.OrgID, in.ExportID)
	if size, err := objstore.Size(ctx, a.S3, a.Bucket, key); err == nil {
		return export.Assembled{Key: key, Bytes: size}, nil
	} else if !errors.Is(err, objstore.ErrNotFound) {
		return export.Assembled{}, err
	}
	var m exports.Manifest
	err := a.inTenant(ctx, store.Tenant{OrgID: in.OrgID, UserID: in.RequestedBy}, func(tx pgx.Tx) error {
		if err := running(ctx, tx, in); err != nil {
			return err
		}
		org, err := store.OrganizationByID(ctx, tx, in.OrgID)
		if err != nil {
			return err
		}
		m = exports.Manifest{ExportID: in.PublicID, Organization: exports.Organization{ID: org.PublicID, Name: org.Name},
			ExportedAt: time.Now()}
		return nil
	})
	if err != nil {
		return export.Assembled{}, err
	}
	parts := make([]exports.Part, len(files))
	for i, f := range files {
		parts[i] = exports.Part{Name: f.File, Rows: f.Rows, ReadAt: f.At,
			CSV:  func() (io.ReadCloser, error) { return objstore.Open(ctx, a.S3, a.Bucket, f.CSVKey) },
			JSON: func() (io.ReadCloser, error) { return objstore.Open(ctx, a.S3, a.Bucket, f.JSONKey) }}
	}
	r, w := io.Pipe()
	uploaded := make(chan error, 1)
	go func() { uploaded <- a.upload(ctx, key, "application/zip", r) }()
	counted := &countingWriter{w: w}
	stop := heartbeating(ctx, func() any { return counted.n.Load() })
	err = exports.WriteZip(counted, m, parts)
	stop()
	if err != nil {
		_ = w.CloseWithError(err) // a pipe's writer always closes
	} else {
		_ = w.Close()
	}
	if uerr := <-uploaded; err == nil {
		err = uerr
	}
	if err != nil {
		return export.Assembled{}, fmt.Errorf("assemble export %s: %w", in.PublicID, err)
	}
	return export.Assembled{Key: key, Bytes: counted.n.Load()}, nil
}

// countingWriter counts what it passes on; the heartbeat reads the count as it goes.
type countingWriter struct {
	w io.Writer
	n atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// Finish marks the export ready with its ZIP until it expires, deletes the written files,
// and presigns the download link valid until then. Run again, it changes nothing and signs
// the link anew.
func (a *Exports) Finish(ctx context.Context, in export.Input, zip export.Assembled, files []export.Written) (export.Ready, error) {
	rows := make(map[string]int64, len(files))
	for _, f := range files {
		rows[f.File] = f.Rows
	}
	var e store.Export
	err := a.inTenant(ctx, store.Tenant{OrgID: in.OrgID, UserID: in.RequestedBy}, func(tx pgx.Tx) error {
		now, err := store.TransactionTime(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := store.MarkExportReady(ctx, tx, in.ExportID, zip.Key, zip.Bytes, rows, now.Add(export.Expiry)); err != nil {
			return err
		}
		e, err = store.ExportByID(ctx, tx, in.ExportID)
		if errors.Is(err, store.ErrNotFound) || err == nil && e.Status != "ready" {
			return notRunning(in, err)
		}
		return err
	})
	if err != nil {
		return export.Ready{}, err
	}
	if err := objstore.DeletePrefix(ctx, a.S3, a.Bucket, export.PartsPrefix(in.OrgID, in.ExportID)); err != nil {
		// The ZIP stands; the sweep deletes what is left of the export once it expires.
		activity.GetLogger(ctx).Warn("an export's written files were not deleted", "export", in.PublicID, "error", err)
	}
	link, err := a.Storage.PresignObjectUntil(ctx, e.ObjectKey, *e.ExpiresAt)
	if err != nil {
		return export.Ready{}, err
	}
	return export.Ready{URL: link.URL, ExpiresAt: *e.ExpiresAt}, nil
}

// Fail marks an export still running failed, with why, and deletes whatever of it was
// written: its files, and a ZIP or upload a failed step may have left. An export that is
// ready (its last step failed after marking it so) keeps its ZIP.
func (a *Exports) Fail(ctx context.Context, in export.Input, problem string) error {
	ready := false
	err := a.inTenant(ctx, store.Tenant{OrgID: in.OrgID, UserID: in.RequestedBy}, func(tx pgx.Tx) error {
		if _, err := store.MarkExportFailed(ctx, tx, in.ExportID, problem); err != nil {
			return err
		}
		e, err := store.ExportByID(ctx, tx, in.ExportID)
		ready = err == nil && e.Status == "ready"
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil || ready {
		return err
	}
	if err := objstore.DeletePrefix(ctx, a.S3, a.Bucket, export.PartsPrefix(in.OrgID, in.ExportID)); err != nil {
		activity.GetLogger(ctx).Warn("a failed export's files were not deleted", "export", in.PublicID, "error", err)
	}
	key := export.ObjectKey(in.OrgID, in.ExportID)
	if err := errors.Join(objstore.Delete(ctx, a.S3, a.Bucket, key), objstore.AbortUploads(ctx, a.S3, a.Bucket, key)); err != nil {
		activity.GetLogger(ctx).Warn("a failed export's ZIP was not deleted", "export", in.PublicID, "error", err)
	}
	return nil
}

// Begin records a scheduled run's export as running, requested by the schedule's creator,
// with its start in the workflow (the run's child) rather than a job. A schedule gone or
// paused, a creator no longer an owner or admin of the organization, a schedule beyond those
// the organization's plan allows now (after a downgrade), or an export running already makes
// none, and says so.
func (a *Exports) Begin(ctx context.Context, in export.ScheduledInput) (export.Begun, error) {
	var b export.Begun
	err := a.inTenant(ctx, store.Tenant{OrgID: in.OrgID}, func(tx pgx.Tx) error {
		s, err := store.ExportScheduleByID(ctx, tx, in.ScheduleID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			b.Skipped = "the schedule was deleted"
			return nil
		case err != nil:
			return err
		case s.Paused:
			b.Skipped = "the schedule is paused"
			return nil
		}
		m, err := store.MemberByUserID(ctx, tx, s.CreatedBy)
		if errors.Is(err, store.ErrNotFound) || err == nil && !m.Role.AtLeast(membership.Admin) {
			b.Skipped = "the schedule's creator is no longer an owner or admin of the organization"
			return nil
		}
		if err != nil {
			return err
		}
		if b.Skipped, err = beyondPlan(ctx, tx, s); err != nil || b.Skipped != "" {
			return err
		}
		e := store.Export{ID: runExportID(ctx), PublicID: store.NewPublicID(), OrgID: in.OrgID, RequestedBy: s.CreatedBy, ScheduleID: s.ID}
		if done, err := store.ExportByID(ctx, tx, e.ID); err == nil {
			// An earlier try of this run recorded it, and its answer was lost.
			b.Export = export.Input{ExportID: done.ID, PublicID: done.PublicID, OrgID: done.OrgID, RequestedBy: done.RequestedBy}
			return nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		err = store.InsertExport(ctx, tx, e)
		if errors.Is(err, store.ErrExportRunning) {
			b.Skipped = "an export of the organization is already running"
			return nil
		}
		b.Export = export.Input{ExportID: e.ID, PublicID: e.PublicID, OrgID: e.OrgID, RequestedBy: e.RequestedBy}
		return err
	})
	return b, err
}

// runExportID is the ID of a scheduled run's export, derived from the run, so that every
// try of Begin records the same export; off an activity (in tests), a new one.
func runExportID(ctx context.Context) uuid.UUID {
	if !activity.IsActivity(ctx) {
		return uuid.New()
	}
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("reptidex:export.scheduled/"+activity.GetInfo(ctx).WorkflowExecution.RunID))
}

// beyondPlan says why the schedule makes no export when the organization's plan allows fewer
// scheduled exports than it has and this one is not among the first it allows, by when they
// were made; empty when it runs.
func beyondPlan(ctx context.Context, tx pgx.Tx, s store.ExportSchedule) (string, error) {
	p, err := store.OrganizationPlan(ctx, tx)
	if err != nil {
		return "", err
	}
	allowed := p.Limits.Of(store.LimitScheduledExports)
	if allowed == nil {
		return "", nil
	}
	before, err := store.ExportSchedulesBefore(ctx, tx, s)
	if err != nil || before < *allowed {
		return "", err
	}
	return fmt.Sprintf("the organization's plan (%s) allows %d scheduled exports, and this schedule is beyond them", p.Name, *allowed), nil
}
