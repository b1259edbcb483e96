package jobs

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/certificate"
)

// StartCertificateArgs starts the process that issues a certificate. It is enqueued in the
// transaction that records the certificate as issuing, so a certificate never waits without
// its process even when Temporal is unreachable at the moment of the request.
type StartCertificateArgs struct {
	CertificateID  uuid.UUID `json:"certificate_id"`
	Serial         string    `json:"serial"`
	OrgID          uuid.UUID `json:"org_id"`
	AnimalID       uuid.UUID `json:"animal_id"`
	AnimalPublicID string    `json:"animal_public_id"`
	RequestedBy    uuid.UUID `json:"requested_by"`
}

// Kind names the job.
func (StartCertificateArgs) Kind() string { return "start_certificate" }

// InsertOpts bounds the job's tries (cancelIfPermanent) and makes it unique per certificate.
func (StartCertificateArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: maxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// StartCertificateWorker starts the certificate process through its client; a process
// already started for the certificate counts as done, and a certificate no longer issuing
// (the sweep ended it while Temporal was unreachable) is not started.
type StartCertificateWorker struct {
	river.WorkerDefaults[StartCertificateArgs]
	DB        *store.DB
	Temporal  client.Client
	TaskQueue string
}

// Work starts the workflow.
func (w *StartCertificateWorker) Work(ctx context.Context, job *river.Job[StartCertificateArgs]) error {
	a := job.Args
	var c store.Certificate
	err := w.DB.InTenant(ctx, store.Tenant{OrgID: a.OrgID}, func(tx pgx.Tx) (err error) {
		c, err = store.CertificateByID(ctx, tx, a.CertificateID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) || err == nil && c.Status != "issuing" {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = certificate.Start(ctx, w.Temporal, w.TaskQueue, certificate.Input{CertificateID: a.CertificateID, Serial: a.Serial,
		OrgID: a.OrgID, AnimalID: a.AnimalID, AnimalPublicID: a.AnimalPublicID, RequestedBy: a.RequestedBy})
	return cancelIfPermanent(err)
}
