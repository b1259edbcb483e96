package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/store"
)

// sendKind is one kind of thing an organization sends people — invitations, offers,
// messages — with the event each one records and its hourly limits.
type sendKind struct {
	event string // the event type each send appends, naming its recipient under "recipient"
	what  string // plural noun for the answer, e.g. "invitations"
	limit config.SendLimit
}

func (s *Server) invitations() sendKind {
	return sendKind{event: "invitation.sent", what: "invitations", limit: s.cfg.Limits.Invitations}
}

func (s *Server) offers() sendKind {
	return sendKind{event: "transfer.offered", what: "offers", limit: s.cfg.Limits.Offers}
}

func (s *Server) messages() sendKind {
	return sendKind{event: "organization.message_sent", what: "messages", limit: s.cfg.Limits.Messages}
}

// recipientOfEmail is how a send to an email address names its recipient in its event, so
// that the counts of every organization meet.
func recipientOfEmail(email string) string {
	return "email:" + strings.ToLower(strings.TrimSpace(email))
}

// hourlyLimit refuses (429 with Retry-After) a send of kind k when, in the last hour, the
// tenant organization, the acting account (in any of its organizations) or the recipient
// (from any organization; "" for none) had reached its limit. It holds locks on the three
// counts, in that order, until the transaction ends, so concurrent sends cannot race past.
func hourlyLimit(ctx context.Context, w http.ResponseWriter, tx pgx.Tx, a access, k sendKind, recipient string) error {
	if err := store.LockOrganization(ctx, tx, k.event); err != nil {
		return err
	}
	n, freeAt, err := store.CountEvents(ctx, tx, k.event, time.Hour)
	if err != nil {
		return err
	}
	if n >= k.limit.PerOrganization {
		return rateLimited(w, freeAt, fmt.Sprintf("This organization has sent its %d %s for this hour; try again later.", k.limit.PerOrganization, k.what))
	}
	if err := store.LockKey(ctx, tx, k.event+"/account/"+a.UserID.String()); err != nil {
		return err
	}
	if n, freeAt, err = store.CountEventsByUser(ctx, tx, k.event, time.Hour); err != nil {
		return err
	}
	if n >= k.limit.PerAccount {
		return rateLimited(w, freeAt, fmt.Sprintf("You have sent your %d %s for this hour, counting every organization you belong to; try again later.",
			k.limit.PerAccount, k.what))
	}
	if recipient == "" || k.limit.PerRecipient <= 0 {
		return nil
	}
	if err := store.LockKey(ctx, tx, k.event+"/recipient/"+recipient); err != nil {
		return err
	}
	if n, freeAt, err = store.CountEventsTo(ctx, tx, k.event, recipient, time.Hour); err != nil {
		return err
	}
	if n >= k.limit.PerRecipient {
		return rateLimited(w, freeAt, fmt.Sprintf("This recipient was sent %d %s in the last hour, the most we send anyone; try again later.",
			k.limit.PerRecipient, k.what))
	}
	return nil
}

func rateLimited(w http.ResponseWriter, freeAt time.Time, detail string) error {
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(time.Until(freeAt).Seconds()+1))))
	return newProblem(kindRateLimited, detail)
}

// errOwnerUnverified answers an organization that would write to people outside it before
// any of its owners has proved an email address.
var errOwnerUnverified = newProblem(kindEmailUnverified,
	"This organization cannot send offers or invitations to people outside it until its owner verifies their email address: "+
		"follow the link we emailed the owner, or ask for a new one with POST /api/v1/me/verify-email.")

// requireVerifiedOwner refuses (403) sending outside the tenant organization while none of
// its owners has a verified email address. Organizations are free to create; this ties
// what one sends to strangers to a mailbox someone controls.
func requireVerifiedOwner(ctx context.Context, tx pgx.Tx) error {
	ok, err := store.HasVerifiedOwner(ctx, tx)
	if err != nil {
		return err
	}
	if !ok {
		return errOwnerUnverified
	}
	return nil
}
