// Package transfers holds the commands the transfer process (workflows/transfer) takes from
// requests and jobs, each in the caller's transaction: offering an animal, its event naming
// the recipient as the sending limits count it (recipient.go). The API, jobs and tests call
// them; the workflow itself never touches the database but through activities.
package transfers

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/reptidex/reptidex/jobs"
	"github.com/reptidex/reptidex/store"
)

// NewOffer is an offer of one of the transaction's organization's animals, validated and
// authorized by the caller: to exactly one of an email address and an organization.
type NewOffer struct {
	AnimalPublicID       string
	RecipientEmail       string // lower-cased
	RecipientOrgPublicID string
	Message              string
	OfferedBy            uuid.UUID
	OrgID                uuid.UUID // the offering organization, the transaction's tenant
}

// Refusals of an offer; a held animal is store.ErrOnHold.
var (
	ErrAnimalNotFound    = errors.New("animal not found")
	ErrRecipientNotFound = errors.New("no organization has this ID")
	ErrReferenceAnimal   = errors.New("a reference animal is a lineage record, not an animal to hand over")
	ErrArchivedAnimal    = errors.New("an archived animal cannot be transferred")
	ErrSameOrganization  = errors.New("the animal already belongs to this organization")
)

// Offer records an offer — the transfer with the organization's reminder and expiry, the
// animal's hold, the timeline, the event and the job that starts its workflow — in tx. The
// job starts the workflow; an answer that arrives first starts it itself.
func Offer(ctx context.Context, tx pgx.Tx, queue *river.Client[pgx.Tx], o NewOffer) (store.Transfer, error) {
	animal, err := store.AnimalByPublicID(ctx, tx, o.AnimalPublicID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && animal.OrgID != o.OrgID) {
		return store.Transfer{}, ErrAnimalNotFound
	}
	if err != nil {
		return store.Transfer{}, err
	}
	t := store.Transfer{ID: uuid.New(), PublicID: store.NewPublicID(), AnimalID: animal.ID, AnimalPublicID: animal.PublicID,
		AnimalName: animal.Name, SpeciesKey: animal.SpeciesKey, GeneticsText: animal.GeneticsText, OfferedBy: o.OfferedBy,
		RecipientEmail: o.RecipientEmail, Message: o.Message}
	if o.RecipientOrgPublicID != "" {
		orgID, _, err := store.OrganizationIDByPublicID(ctx, tx, o.RecipientOrgPublicID)
		if errors.Is(err, store.ErrNotFound) {
			return store.Transfer{}, ErrRecipientNotFound
		}
		if err != nil {
			return store.Transfer{}, err
		}
		t.RecipientOrgID = &orgID
	}
	switch {
	case animal.IsReference:
		return store.Transfer{}, ErrReferenceAnimal
	case animal.ArchivedAt != nil:
		return store.Transfer{}, ErrArchivedAnimal
	case animal.HeldBy != nil:
		return store.Transfer{}, store.ErrOnHold
	case t.RecipientOrgID != nil && *t.RecipientOrgID == o.OrgID:
		return store.Transfer{}, ErrSameOrganization
	}
	if err := setDeadlines(ctx, tx, &t); err != nil {
		return store.Transfer{}, err
	}
	stored, err := store.InsertTransfer(ctx, tx, t)
	if err != nil {
		return store.Transfer{}, err
	}
	if err := hold(ctx, tx, stored, recipientOf(o)); err != nil {
		return store.Transfer{}, err
	}
	if _, err := queue.InsertTx(ctx, tx, jobs.StartTransferArgs{TransferID: stored.ID, OrgID: o.OrgID}, nil); err != nil {
		return store.Transfer{}, fmt.Errorf("enqueue transfer start: %w", err)
	}
	return stored, nil
}

// setDeadlines sets when the offer reminds its recipient and when it expires, from the
// organization's settings and the time of the transaction (the offer's created_at): no
// reminder unless it comes before the expiry.
func setDeadlines(ctx context.Context, tx pgx.Tx, t *store.Transfer) error {
	remindAfter, expireAfter, err := store.TransferSettings(ctx, tx)
	if err != nil {
		return err
	}
	offeredAt, err := store.TransactionTime(ctx, tx)
	if err != nil {
		return err
	}
	t.ExpiresAt = offeredAt.Add(expireAfter)
	if remindAfter > 0 && remindAfter < expireAfter {
		at := offeredAt.Add(remindAfter)
		t.RemindAt = &at
	}
	return nil
}

// hold holds the animal for the offer t and records the offer's timeline and event.
func hold(ctx context.Context, tx pgx.Tx, t store.Transfer, recipient string) error {
	if err := store.HoldAnimal(ctx, tx, t.AnimalID, t.ID); err != nil {
		return err
	}
	to := t.RecipientEmail
	if t.RecipientOrgPublicID != "" {
		to = t.RecipientOrgPublicID
	}
	if err := store.AppendTransferEntry(ctx, tx, t.ID, "offered", &t.OfferedBy, "offered to "+to); err != nil {
		return err
	}
	return store.AppendEvent(ctx, tx, "transfer.offered", "transfer", t.PublicID,
		map[string]string{"animal_id": t.AnimalPublicID, "to": to, "recipient": recipient})
}
