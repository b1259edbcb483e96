package certificates

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/web"
)

// Reissue gives the new owner of an animal a certificate in place of the previous owner's,
// in the transaction that has just moved the animal to t's organization (by a transfer or a
// sale) acting for t's user, who received it: when a previous owner holds an issued
// certificate of the animal, a certificate for the new owner is recorded as issuing,
// requested by that user, the previous owner's certificates are marked superseded by it and
// their requesters told, and the start of its process is enqueued, all committing with the
// move. It reports false, and records nothing, for an animal with no issued certificate.
//
// A certificate still issuing at the move is not carried over: it was never current, and its
// process refuses an animal no longer its organization's, so it ends failed and its requester
// is told. Issuing the new owner one in its place would hand them a certificate nobody asked
// for that never stood; they can ask for their own.
func Reissue(ctx context.Context, tx pgx.Tx, queue *river.Client[pgx.Tx], t store.Tenant, animalID uuid.UUID) (store.Certificate, bool, error) {
	c, err := newCertificate(animalID, t.OrgID, t.UserID)
	if err != nil {
		return store.Certificate{}, false, err
	}
	old, err := store.ReissueCertificate(ctx, tx, c)
	if err != nil || len(old) == 0 {
		return store.Certificate{}, false, err
	}
	if c, err = start(ctx, tx, queue, c.ID); err != nil {
		return store.Certificate{}, false, err
	}
	if err := tellSuperseded(ctx, tx, queue, old, c); err != nil {
		return store.Certificate{}, false, err
	}
	// The notifications were recorded as their recipients; the rest of the transaction acts
	// for the new owner again.
	if err := store.SetTenant(ctx, tx, t); err != nil {
		return store.Certificate{}, false, err
	}
	return c, true, nil
}

// tellSuperseded records, in tx, a notification to the requester of each superseded
// certificate, acting for them and their organization as a notification's recipient.
func tellSuperseded(ctx context.Context, tx pgx.Tx, queue *river.Client[pgx.Tx], old []store.SupersededCertificate, by store.Certificate) error {
	nt := &notify.Notifier{River: queue}
	for _, o := range old {
		if err := store.SetTenant(ctx, tx, store.Tenant{OrgID: o.OrgID, UserID: o.RequestedBy}); err != nil {
			return err
		}
		if _, err := nt.Record(ctx, tx, supersededMessage(o, by)); err != nil {
			return fmt.Errorf("tell of the superseded certificate %s: %w", o.Serial, err)
		}
	}
	return nil
}

// supersededMessage tells the requester of a certificate that it was superseded when its
// animal changed hands.
func supersededMessage(o store.SupersededCertificate, by store.Certificate) notify.Request {
	return notify.Request{DedupKey: "certificate/" + o.ID.String() + "/superseded", Type: "certificate.outcome",
		OrgID: o.OrgID, UserID: o.RequestedBy,
		Title: "Pedigree certificate " + o.Serial + " was superseded",
		Body: "The animal of this certificate has a new owner, so the certificate no longer stands: " +
			"certificate " + by.Serial + " is being issued for them in its place. Anyone checking " + o.Serial +
			" is shown that it was superseded, and by which certificate.",
		Link: web.CertificatePath(o.Serial),
		Data: map[string]any{"serial": o.Serial, "superseded_by": by.Serial},
	}
}
