// Package worker wires the processes that do ReptiDex's work: a Temporal worker running the
// workflows and their activities, and a River client working background jobs.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"go.temporal.io/sdk/client"
	tworker "go.temporal.io/sdk/worker"

	"github.com/reptidex/reptidex/activities"
	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/certs"
	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/jobs"
	"github.com/reptidex/reptidex/mailer"
	"github.com/reptidex/reptidex/media"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/obs"
	"github.com/reptidex/reptidex/payments"
	"github.com/reptidex/reptidex/pedigree"
	"github.com/reptidex/reptidex/sms"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/stripehooks"
	"github.com/reptidex/reptidex/workflows/certificate"
	"github.com/reptidex/reptidex/workflows/deletion"
	"github.com/reptidex/reptidex/workflows/dunning"
	"github.com/reptidex/reptidex/workflows/escalation"
	"github.com/reptidex/reptidex/workflows/export"
	"github.com/reptidex/reptidex/workflows/importing"
	"github.com/reptidex/reptidex/workflows/onboarding"
	"github.com/reptidex/reptidex/workflows/sale"
	"github.com/reptidex/reptidex/workflows/transfer"
)

// Deps is what the worker needs from the process that runs it.
type Deps struct {
	Config   config.Config
	DB       *store.DB
	Temporal client.Client
	Mail     *mailer.Sender
	// Payments is the Stripe client of the sale's activities; nil: one built from
	// Config.Stripe.
	Payments *payments.Client
	// CertKeys signs certificates; the worker refuses to start without it, as the API does.
	CertKeys *certs.Keyring
	// S3 is the object storage client of the certificates and the media sweep; nil: one
	// built from Config.S3.
	S3       *s3.Client
	Registry prometheus.Registerer
	Logger   *slog.Logger
}

// Worker runs Temporal workflows and activities, River jobs and the handling of Stripe's
// events kept for later, until stopped.
type Worker struct {
	temporal     tworker.Worker
	river        *river.Client[pgx.Tx]
	stripeEvents *stripehooks.Handling
	// stopEvents ends stripeEvents' run; eventsDone is closed when it has ended.
	stopEvents context.CancelFunc
	eventsDone chan struct{}
	// objects is the object storage client of the worker's activities and sweeps.
	objects *s3.Client
	deps    Deps
}

// New registers every workflow, activity and job worker.
func New(d Deps) (*Worker, error) {
	if d.CertKeys == nil {
		return nil, errors.New("worker: no certificate keys")
	}
	objects := d.S3
	if objects == nil {
		objects = objstore.New(d.Config.S3)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &jobs.StartOnboardingWorker{Temporal: d.Temporal, TaskQueue: d.Config.Temporal.TaskQueue})
	river.AddWorker(workers, &jobs.StartCertificateWorker{DB: d.DB, Temporal: d.Temporal, TaskQueue: d.Config.Temporal.TaskQueue})
	river.AddWorker(workers, &jobs.StartExportWorker{DB: d.DB, Temporal: d.Temporal, TaskQueue: d.Config.Temporal.TaskQueue})
	river.AddWorker(workers, &jobs.BuildPersonalExportWorker{DB: d.DB, S3: objects, Streams: objstore.NewStreams(objects),
		Storage: media.NewStorage(objects, d.Config.S3.Bucket), Bucket: d.Config.S3.Bucket})
	river.AddWorker(workers, &jobs.StartDeletionWorker{DB: d.DB, Temporal: d.Temporal, TaskQueue: d.Config.Temporal.TaskQueue})
	river.AddWorker(workers, &jobs.StartImportWorker{DB: d.DB, Temporal: d.Temporal, TaskQueue: d.Config.Temporal.TaskQueue})
	river.AddWorker(workers, &jobs.SyncExportScheduleWorker{DB: d.DB, Temporal: d.Temporal, TaskQueue: d.Config.Temporal.TaskQueue})
	river.AddWorker(workers, &jobs.WelcomeEmailWorker{DB: d.DB, Mail: d.Mail, PublicBaseURL: d.Config.HTTP.PublicBaseURL})
	river.AddWorker(workers, &jobs.StartTransferWorker{DB: d.DB, Temporal: d.Temporal, TaskQueue: d.Config.Temporal.TaskQueue, Notify: d.Config.Notify})
	river.AddWorker(workers, &jobs.SweepTransfersWorker{DB: d.DB, Temporal: d.Temporal})
	river.AddWorker(workers, &jobs.SweepCertificatesWorker{DB: d.DB, Temporal: d.Temporal})
	river.AddWorker(workers, &jobs.SweepExportsWorker{DB: d.DB, Temporal: d.Temporal, S3: objects, Bucket: d.Config.S3.Bucket})
	river.AddWorker(workers, &jobs.SweepImportsWorker{DB: d.DB, Temporal: d.Temporal, S3: objects, Bucket: d.Config.S3.Bucket})
	river.AddWorker(workers, &jobs.SweepMediaWorker{DB: d.DB, Storage: media.NewStorage(objects, d.Config.S3.Bucket)})
	river.AddWorker(workers, &jobs.StartSaleWorker{DB: d.DB, Temporal: d.Temporal, TaskQueue: d.Config.Temporal.TaskQueue,
		Sales: d.Config.Sales, Notify: d.Config.Notify})
	river.AddWorker(workers, &notify.DeliveryWorker{DB: d.DB, Mail: d.Mail, SMS: sms.New(d.Config.SMS),
		Links: notify.LinksFrom(d.Config), RetryBase: d.Config.Notify.RetryBase})
	rc, err := river.NewClient(riverpgxv5.New(d.DB.Pool), &river.Config{
		Logger: d.Logger.With("component", "river"),
		Queues: map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: d.Config.River.MaxWorkers},
			notify.Queue:       {MaxWorkers: d.Config.River.MaxWorkers},
		},
		FetchCooldown: d.Config.River.FetchCooldown,
		// A job its worker's crash left running is tried again after RescueAfter rather
		// than River's default hour: a sale's start cannot wait past the payment window.
		JobTimeout:           d.Config.River.JobTimeout,
		RescueStuckJobsAfter: d.Config.River.RescueAfter,
		Workers:              workers,
		PeriodicJobs: []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(5*time.Minute),
				func() (river.JobArgs, *river.InsertOpts) { return jobs.SweepTransfersArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(15*time.Minute),
				func() (river.JobArgs, *river.InsertOpts) { return jobs.SweepMediaArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(15*time.Minute),
				func() (river.JobArgs, *river.InsertOpts) { return jobs.SweepCertificatesArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(15*time.Minute),
				func() (river.JobArgs, *river.InsertOpts) { return jobs.SweepExportsArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(15*time.Minute),
				func() (river.JobArgs, *river.InsertOpts) { return jobs.SweepImportsArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	pay := d.Payments
	if pay == nil {
		if pay, err = payments.New(d.Config.Stripe, payments.WithLogger(d.Logger.With("component", "stripe"))); err != nil {
			return nil, err
		}
	}
	// Stripe's billing events are handled here, after the API acknowledged them.
	stripeEvents := &stripehooks.Handling{DB: d.DB, Log: d.Logger.With("component", "stripe_events")}
	stripeEvents.Handlers = stripehooks.Handlers(pay, d.Temporal, rc, billing.Sync{Stripe: pay, Notifier: &notify.Notifier{River: rc},
		Dunning: billing.TemporalDunning{Client: d.Temporal, TaskQueue: d.Config.Temporal.TaskQueue}, Schedule: billing.ScheduleOf(d.Config.Billing)})

	pollers := d.Config.Temporal.Pollers
	tw := tworker.New(d.Temporal, d.Config.Temporal.TaskQueue, tworker.Options{
		MaxConcurrentWorkflowTaskPollers: pollers,
		MaxConcurrentActivityTaskPollers: pollers,
	})
	db := &activities.Database{DB: d.DB, River: rc}
	onboarding.Register(tw, db)
	escalation.Register(tw, db)
	transfer.Register(tw, db)
	sale.Register(tw, &activities.Sales{Database: db, Pay: pay})
	dunning.Register(tw, &activities.Dunning{Database: db, Pay: pay})
	// The certificate's pedigree graph is not followed in the worker: each snapshot reads the
	// pedigree from the database, as the API does while its graph loads.
	certificate.Register(tw, &activities.Certificates{Database: db, Graph: pedigree.New(d.DB.Pool, d.Logger, pedigree.Options{}),
		Keys: d.CertKeys, S3: objects, Bucket: d.Config.S3.Bucket, PublicBaseURL: d.Config.HTTP.PublicBaseURL})
	export.Register(tw, &activities.Exports{Database: db, S3: objects, Streams: objstore.NewStreams(objects),
		Storage: media.NewStorage(objects, d.Config.S3.Bucket), Bucket: d.Config.S3.Bucket})
	deletion.Register(tw, &activities.Deletion{Database: db, S3: objects, Bucket: d.Config.S3.Bucket})
	importing.Register(tw, &activities.Imports{Database: db, S3: objects, Bucket: d.Config.S3.Bucket})
	return &Worker{temporal: tw, river: rc, stripeEvents: stripeEvents, objects: objects, deps: d}, nil
}

// River is the worker's River client, which can also insert jobs.
func (w *Worker) River() *river.Client[pgx.Tx] { return w.river }

// Start starts working River jobs, polling Temporal and handling Stripe's events kept for
// later; ctx bounds the River client's and the events' handling's life.
func (w *Worker) Start(ctx context.Context) error {
	obs.WatchRiver(ctx, w.deps.Registry, w.river)
	w.ensureLifecycle(ctx)
	if err := w.river.Start(ctx); err != nil {
		return fmt.Errorf("start river: %w", err)
	}
	if err := w.temporal.Start(); err != nil {
		return errors.Join(fmt.Errorf("start temporal worker: %w", err), w.river.Stop(context.WithoutCancel(ctx)))
	}
	events, stop := context.WithCancel(ctx)
	w.stopEvents, w.eventsDone = stop, make(chan struct{})
	go func() {
		defer close(w.eventsDone)
		w.stripeEvents.Run(events)
	}()
	w.deps.Logger.Info("worker started", "task_queue", w.deps.Config.Temporal.TaskQueue)
	return nil
}

// ensureLifecycle asks object storage to expire exports and abort unfinished uploads itself,
// behind the sweep of exports that does both on time: a store without lifecycle rules (the
// development one) is logged and left to the sweep.
func (w *Worker) ensureLifecycle(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := objstore.EnsureLifecycle(ctx, w.objects, w.deps.Config.S3.Bucket); err != nil {
		w.deps.Logger.Info("object storage keeps no lifecycle rules; the sweep of exports expires them", "error", err)
	}
}

// Stop stops polling for new work and waits, within ctx, for the work in hand to finish.
func (w *Worker) Stop(ctx context.Context) error {
	w.temporal.Stop()
	if w.stopEvents != nil {
		w.stopEvents()
		select {
		case <-w.eventsDone:
		case <-ctx.Done():
		}
	}
	if err := w.river.Stop(ctx); err != nil {
		return fmt.Errorf("stop river: %w", err)
	}
	return nil
}
