package activities

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/temporal"

	"github.com/reptidex/reptidex/certificates"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/transfer"
)

// TransferRecipients resolves whom an offer is addressed to: the owners and admins of the
// organization it names, or the person with the email address it names (the account that
// has verified the address if there is one, else the address itself: an account that has
// not proved it owns the address is not told about the offer).
func (a *Database) TransferRecipients(ctx context.Context, in transfer.Input) ([]transfer.Recipient, error) {
	var out []transfer.Recipient
	if in.RecipientOrgID != uuid.Nil {
		err := a.inTenant(ctx, store.Tenant{OrgID: in.RecipientOrgID}, func(tx pgx.Tx) error {
			ids, err := store.MemberIDs(ctx, tx, []string{"owner", "admin"})
			for _, id := range ids {
				out = append(out, transfer.Recipient{UserID: id})
			}
			return err
		})
		return out, err
	}
	err := a.inTx(ctx, func(tx pgx.Tx) error {
		u, err := store.UserByEmail(ctx, tx, in.RecipientEmail)
		switch {
		case errors.Is(err, store.ErrNotFound) || (err == nil && u.EmailVerifiedAt == nil):
			out = []transfer.Recipient{{Email: in.RecipientEmail}}
			return nil
		case err != nil:
			return err
		}
		out = []transfer.Recipient{{UserID: u.ID}}
		return nil
	})
	return out, err
}

// MoveOwnership moves an accepted transfer's animal to the receiving organization in one
// transaction, together with the re-issue of its certificate for the new owner
// (certificates.Reissue). Run again, it moves nothing and re-issues nothing; a move that
// cannot happen is not retried.
//
// No plan limit blocks a move: the record follows the animal, and a receiver at its animal
// limit is not asked to upgrade before an animal already on its way can arrive. The animal
// counts from then on; above the limit, the animals that came in last are read-only
// (billing.CheckAnimalWritable) until the receiver upgrades or moves animals out.
func (a *Database) MoveOwnership(ctx context.Context, m transfer.MoveInput) error {
	t := store.Tenant{OrgID: m.ToOrgID, UserID: m.UserID}
	return a.inTenant(ctx, t, func(tx pgx.Tx) error {
		moved, err := store.MoveAnimal(ctx, tx, m.TransferID, m.ToOrgID, m.UserID)
		if errors.Is(err, store.ErrMoveRefused) {
			return temporal.NewNonRetryableApplicationError(err.Error(), transfer.ErrTypeMoveRefused, err)
		}
		if err != nil || !moved {
			return err
		}
		tr, err := store.TransferByID(ctx, tx, m.TransferID)
		if err != nil {
			return err
		}
		_, _, err = certificates.Reissue(ctx, tx, a.River, t, tr.AnimalID)
		return err
	})
}

// FinishTransfer records how a transfer ended: its status, the animal's hold released
// (the move did both for an acceptance), the offer notifications marked acted on, and the
// event. It holds the transfer's row while it works, so that attempts overlapping (a
// retried activity whose first try is still running) record the ending once. A transfer
// the database says ended otherwise is a non-retryable ErrTypeEndedOtherwise. Run again,
// it changes nothing.
func (a *Database) FinishTransfer(ctx context.Context, f transfer.FinishInput) error {
	e := store.Ending{TransferID: f.TransferID, Status: string(f.Status), Reason: f.Reason, Actor: actorOf(f.UserID)}
	if f.Status == transfer.Accepted {
		e.ToOrgID = &f.ToOrgID
	}
	err := a.inTenant(ctx, store.Tenant{OrgID: f.OrgID, UserID: f.UserID}, func(tx pgx.Tx) error {
		return store.EndTransfer(ctx, tx, e)
	})
	var otherwise *store.EndedOtherwiseError
	if errors.As(err, &otherwise) {
		return temporal.NewNonRetryableApplicationError(otherwise.Detail, transfer.ErrTypeEndedOtherwise, nil)
	}
	return err
}

// ReleaseTransfer ends an open transfer whose ending FinishTransfer could not record (the
// database refused it for good, or kept failing): as the same status but with nothing the
// person gave (no reason), the timeline saying so, the animal's hold released, the offer
// notifications marked acted on and the event. Everything it writes comes from the
// workflow's own identifiers, so no input can make it fail. A transfer that has ended
// otherwise already (the sweep, another ending) is left as it is: its ending released the
// animal.
func (a *Database) ReleaseTransfer(ctx context.Context, r transfer.ReleaseInput) error {
	if r.Status == transfer.Accepted || !r.Status.Ended() {
		// An acceptance ends in the move, which releases the hold itself.
		return temporal.NewNonRetryableApplicationError("only a decline, a cancel or an expiry is released, not "+string(r.Status),
			ErrTypeInvalidData, nil)
	}
	err := a.inTenant(ctx, store.Tenant{OrgID: r.OrgID, UserID: r.UserID}, func(tx pgx.Tx) error {
		return store.EndTransfer(ctx, tx, store.Ending{TransferID: r.TransferID, Status: string(r.Status),
			Actor: actorOf(r.UserID), By: "release", Released: true})
	})
	var otherwise *store.EndedOtherwiseError
	if errors.As(err, &otherwise) {
		return nil
	}
	return err
}

// actorOf is the user who ended a transfer, nil for none (an expiry).
func actorOf(userID uuid.UUID) *uuid.UUID {
	if userID == uuid.Nil {
		return nil
	}
	return &userID
}

// NoteTransfer adds an entry to a transfer's timeline.
func (a *Database) NoteTransfer(ctx context.Context, n transfer.NoteInput) error {
	return a.inTenant(ctx, store.Tenant{OrgID: n.OrgID}, func(tx pgx.Tx) error {
		return store.AppendTransferEntryOnce(ctx, tx, n.TransferID, n.Kind, n.Detail)
	})
}
