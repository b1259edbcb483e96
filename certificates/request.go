// Package certificates holds what people ask of pedigree certificates: a certificate
// requested for one of the organization's animals, or re-issued for an animal's new owner,
// recorded as issuing with the job that starts its process (workflows/certificate) in the
// caller's transaction; and a platform admin's revocation of one, with the notices to its
// organization.
package certificates

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/certs"
	"github.com/reptidex/reptidex/jobs"
	"github.com/reptidex/reptidex/store"
)

// ErrAnimalNotFound means the animal does not exist or is another organization's.
var ErrAnimalNotFound = errors.New("animal not found")

// ErrNotCertifiable means the animal cannot have a certificate: it is archived, or a
// reference animal (someone else's animal recorded as a parent, with no owner to certify).
var ErrNotCertifiable = errors.New("animal cannot be certified")

// Request records a certificate for one of the organization's animals as issuing, and
// enqueues the start of its process in tx, so that the certificate and its process commit
// together.
func Request(ctx context.Context, tx pgx.Tx, queue *river.Client[pgx.Tx], a store.Access, animalPublicID string) (store.Certificate, error) {
	animal, err := store.AnimalByPublicID(ctx, tx, animalPublicID)
	if errors.Is(err, store.ErrNotFound) || err == nil && animal.OrgID != a.OrgID {
		return store.Certificate{}, ErrAnimalNotFound
	}
	if err != nil {
		return store.Certificate{}, err
	}
	if animal.IsReference || animal.ArchivedAt != nil {
		return store.Certificate{}, ErrNotCertifiable
	}
	if err := billing.Check(ctx, tx, billing.CertificatesPerMonth, 1); err != nil {
		return store.Certificate{}, err
	}
	c, err := newCertificate(animal.ID, a.OrgID, a.UserID)
	if err != nil {
		return store.Certificate{}, err
	}
	if err := store.InsertCertificate(ctx, tx, c); err != nil {
		return store.Certificate{}, err
	}
	return start(ctx, tx, queue, c.ID)
}

// newCertificate is a certificate of the animal for the organization, asked for by the
// user, under a new serial.
func newCertificate(animalID, orgID, userID uuid.UUID) (store.Certificate, error) {
	serial, err := certs.NewSerial()
	if err != nil {
		return store.Certificate{}, fmt.Errorf("certificate serial: %w", err)
	}
	return store.Certificate{ID: uuid.New(), Serial: serial.String(), OrgID: orgID, AnimalID: animalID,
		RequestedBy: userID, Status: "issuing"}, nil
}

// start enqueues, in tx, the start of the process of a certificate recorded as issuing in
// tx, and returns the certificate as recorded.
func start(ctx context.Context, tx pgx.Tx, queue *river.Client[pgx.Tx], id uuid.UUID) (store.Certificate, error) {
	c, err := store.CertificateByID(ctx, tx, id)
	if err != nil {
		return store.Certificate{}, err
	}
	if _, err := queue.InsertTx(ctx, tx, jobs.StartCertificateArgs{CertificateID: c.ID, Serial: c.Serial, OrgID: c.OrgID,
		AnimalID: c.AnimalID, AnimalPublicID: c.AnimalPublicID, RequestedBy: c.RequestedBy}, nil); err != nil {
		return store.Certificate{}, fmt.Errorf("enqueue the start of certificate %s: %w", c.Serial, err)
	}
	return c, nil
}
