package activities

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/temporal"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/transfer"
)

// TransferRecipients resolves whom an offer is addressed to: the owners and admins of the
// organization it names, or the person with the email address it names (an account if
// there is one, else the address itself).
func (a *Database) TransferRecipients(ctx context.Context, in transfer.Input) ([]transfer.Recipient, error) {
	var out []transfer.Recipient
	if in.RecipientOrgID != uuid.Nil {
		err := a.DB.InTenant(ctx, store.Tenant{OrgID: in.RecipientOrgID}, func(tx pgx.Tx) error {
			ids, err := store.MemberIDs(ctx, tx, []string{"owner", "admin"})
			for _, id := range ids {
				out = append(out, transfer.Recipient{UserID: id})
			}
			return err
		})
		return out, err
	}
	err := a.DB.InTx(ctx, func(tx pgx.Tx) error {
		u, err := store.UserByEmail(ctx, tx, in.RecipientEmail)
		switch {
		case errors.Is(err, store.ErrNotFound):
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
// transaction. Run again, it moves nothing; a move that cannot happen is not retried.
func (a *Database) MoveOwnership(ctx context.Context, m transfer.MoveInput) error {
	return a.DB.InTenant(ctx, store.Tenant{OrgID: m.ToOrgID, UserID: m.UserID}, func(tx pgx.Tx) error {
		_, err := store.MoveAnimal(ctx, tx, m.TransferID, m.ToOrgID, m.UserID)
		if errors.Is(err, store.ErrMoveRefused) {
			return temporal.NewNonRetryableApplicationError(err.Error(), transfer.ErrTypeMoveRefused, err)
		}
		return err
	})
}

// FinishTransfer records how a transfer ended: its status, the animal's hold released
// (the move did both for an acceptance), the offer notifications marked acted on when the
// recipient answered, and the event. Run again, it changes nothing.
func (a *Database) FinishTransfer(ctx context.Context, f transfer.FinishInput) error {
	var actor *uuid.UUID
	if f.UserID != uuid.Nil {
		actor = &f.UserID
	}
	return a.DB.InTenant(ctx, store.Tenant{OrgID: f.OrgID, UserID: f.UserID}, func(tx pgx.Tx) error {
		t, err := store.TransferByID(ctx, tx, f.TransferID)
		if err != nil {
			return err
		}
		ended := f.Status == transfer.Accepted
		if !ended {
			if ended, err = store.EndTransfer(ctx, tx, f.TransferID, string(f.Status), f.Reason, actor); err != nil {
				return err
			}
		}
		if f.Status == transfer.Accepted || f.Status == transfer.Declined {
			if err := store.MarkTransferOffersActioned(ctx, tx, f.TransferID); err != nil {
				return err
			}
		}
		if !ended {
			return nil
		}
		if seen, err := store.EventExists(ctx, tx, "transfer."+string(f.Status), "transfer", t.PublicID, "status", string(f.Status)); err != nil || seen {
			return err
		}
		payload := map[string]string{"animal_id": t.AnimalPublicID, "status": string(f.Status)}
		if f.Reason != "" {
			payload["reason"] = f.Reason
		}
		if t.ToOrgPublicID != "" {
			payload["to_organization_id"] = t.ToOrgPublicID
		}
		return store.AppendEvent(ctx, tx, "transfer."+string(f.Status), "transfer", t.PublicID, payload)
	})
}

// NoteTransfer adds an entry to a transfer's timeline.
func (a *Database) NoteTransfer(ctx context.Context, n transfer.NoteInput) error {
	return a.DB.InTenant(ctx, store.Tenant{OrgID: n.OrgID}, func(tx pgx.Tx) error {
		return store.AppendTransferEntryOnce(ctx, tx, n.TransferID, n.Kind, n.Detail)
	})
}
