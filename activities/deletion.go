package activities

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/temporal"

	"github.com/reptidex/reptidex/auth"
	"github.com/reptidex/reptidex/jobs"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/deletion"
)

// Deletion holds the activities of the account-deletion process; each acts as the person.
// S3 and Bucket hold the documents of their personal exports, deleted with the account.
type Deletion struct {
	*Database
	S3     *s3.Client
	Bucket string
}

func personOf(in deletion.Input) store.Tenant { return store.Tenant{UserID: in.UserID} }

// Plan reads what erasing would do to the person's organizations as things stand.
func (a *Deletion) Plan(ctx context.Context, in deletion.Input) (deletion.Plan, error) {
	var p deletion.Plan
	err := a.inTenant(ctx, personOf(in), func(tx pgx.Tx) error {
		heirs, err := store.HeirsOfUser(ctx, tx)
		p.Fates = fatesOf(heirs)
		return err
	})
	return p, err
}

// Cancel records that the account is no longer to be erased; run again, it changes nothing.
func (a *Deletion) Cancel(ctx context.Context, in deletion.Input) error {
	return a.inTenant(ctx, personOf(in), func(tx pgx.Tx) error {
		_, err := store.CancelDeletion(ctx, tx)
		return err
	})
}

// Erase deletes the documents of the person's personal exports, then records the notice to
// them, while their address is still known, erases the account, tells each new owner, and
// has the Temporal Schedules of a closed organization's paused export schedules follow, all
// in one transaction. An account no longer to be erased is refused for good; one erased
// already is left as it is.
func (a *Deletion) Erase(ctx context.Context, in deletion.Input, notice notify.Request) ([]deletion.Fate, error) {
	stop := heartbeating(ctx, func() any { return in.PublicID })
	defer stop()
	var keys []string
	err := a.inTenant(ctx, personOf(in), func(tx pgx.Tx) (err error) {
		keys, err = store.PersonalExportKeysOfUser(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := objstore.Delete(ctx, a.S3, a.Bucket, keys...); err != nil {
		return nil, err
	}
	var fates []deletion.Fate
	err = a.inTenant(ctx, personOf(in), func(tx pgx.Tx) error {
		d, err := store.DeletionOfUser(ctx, tx)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return temporal.NewNonRetryableApplicationError("no person "+in.PublicID, deletion.ErrTypeNotFound, err)
		case err != nil:
			return err
		case d.ErasedAt != nil:
			return nil
		case d.EraseAt == nil:
			return temporal.NewNonRetryableApplicationError("the account of "+in.PublicID+" is no longer to be erased",
				deletion.ErrTypeNotFound, nil)
		}
		n := &notify.Notifier{River: a.River}
		if _, err := n.Record(ctx, tx, notice); err != nil {
			return err
		}
		hash, err := unusableHash()
		if err != nil {
			return err
		}
		heirs, err := store.EraseAccount(ctx, tx, hash)
		if err != nil {
			return err
		}
		fates = fatesOf(heirs)
		for _, f := range fates {
			if err := store.SetTenant(ctx, tx, store.Tenant{OrgID: f.OrgID, UserID: f.HeirID}); err != nil {
				return err
			}
			if f.HeirID != uuid.Nil {
				if _, err := n.Record(ctx, tx, deletion.HeirMessage(in, f)); err != nil {
					return err
				}
				continue
			}
			// A closed organization's schedules were paused: their Temporal Schedules follow.
			schedules, err := store.ExportSchedulesOf(ctx, tx)
			if err != nil {
				return err
			}
			for _, id := range schedules {
				if _, err := a.River.InsertTx(ctx, tx, jobs.SyncExportScheduleArgs{ScheduleID: id, OrgID: f.OrgID}, nil); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return fates, err
}

// Scrub deletes the erased person's notifications, with their deliveries.
func (a *Deletion) Scrub(ctx context.Context, in deletion.Input) error {
	return a.inTenant(ctx, personOf(in), func(tx pgx.Tx) error { return store.ScrubAccount(ctx, tx) })
}

// fatesOf are the organizations' fates as the database answers them.
func fatesOf(heirs []store.Heir) []deletion.Fate {
	out := make([]deletion.Fate, 0, len(heirs))
	for _, h := range heirs {
		f := deletion.Fate{OrgID: h.OrgID, OrgName: h.OrgName, HeirName: h.HeirName}
		if h.HeirID != nil {
			f.HeirID = *h.HeirID
		}
		out = append(out, f)
	}
	return out
}

// unusableHash is the hash of a password no one knows: an erased account cannot be logged
// in to.
func unusableHash() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return auth.HashPassword(hex.EncodeToString(b[:]))
}
