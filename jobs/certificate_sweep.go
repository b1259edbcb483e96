package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/certificate"
)

// SweepCertificatesArgs ends, failed, the certificates left issuing by a process that is gone.
// It runs periodically.
type SweepCertificatesArgs struct{}

// Kind names the job kind.
func (SweepCertificatesArgs) Kind() string { return "sweep_certificates" }

// InsertOpts keeps one sweep at a time, tried three times: the next period sweeps again.
func (SweepCertificatesArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: 15 * time.Minute}}
}

// SweepCertificatesWorker marks failed the certificates issuing for longer than
// certificate.AbandonedAfter whose workflow is not running — its last step, marking the
// certificate failed, failed too, or it never started — and tells each requester, as the
// workflow would have. A certificate whose workflow still runs is left to it.
type SweepCertificatesWorker struct {
	river.WorkerDefaults[SweepCertificatesArgs]
	DB       *store.DB
	Temporal client.Client
	// River enqueues the notifications' deliveries; nil: the client working the job.
	River *river.Client[pgx.Tx]
}

// Work sweeps.
func (w *SweepCertificatesWorker) Work(ctx context.Context, _ *river.Job[SweepCertificatesArgs]) error {
	queue := w.River
	if queue == nil {
		var err error
		if queue, err = river.ClientFromContextSafely[pgx.Tx](ctx); err != nil {
			return fmt.Errorf("sweep certificates: %w", err)
		}
	}
	overdue, err := store.OverdueCertificates(ctx, w.DB, certificate.AbandonedAfter)
	if err != nil {
		return err
	}
	var errs []error
	for _, c := range overdue {
		if err := w.sweep(ctx, &notify.Notifier{River: queue}, c); err != nil {
			errs = append(errs, fmt.Errorf("certificate %s: %w", c.ID, err))
		}
	}
	return errors.Join(errs...)
}

func (w *SweepCertificatesWorker) sweep(ctx context.Context, n *notify.Notifier, o store.OverdueCertificate) error {
	running, err := certificate.Running(ctx, w.Temporal, o.ID)
	if err != nil || running {
		return err // a running workflow ends the certificate itself
	}
	return w.DB.InTenant(ctx, store.Tenant{OrgID: o.OrgID}, func(tx pgx.Tx) error {
		c, err := store.CertificateByID(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		failed, err := store.MarkCertificateFailed(ctx, tx, c.ID)
		if err != nil || !failed {
			return err // issued or failed meanwhile
		}
		_, err = n.Record(ctx, tx, certificate.FailedMessage(certificate.Input{CertificateID: c.ID, Serial: c.Serial,
			OrgID: c.OrgID, AnimalID: c.AnimalID, AnimalPublicID: c.AnimalPublicID, RequestedBy: c.RequestedBy}))
		return err
	})
}
