package api

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/transfers"
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

// recipient is whom a send reaches outside the sending organization, with the hourly
// limits of what it may receive: from the sending organization, and from all together.
type recipient struct {
	key            string // names it in the send's event, under "recipient"
	noun           string // what the answer calls it: "address", "organization"
	perSender, all int
}

// toAddress is the recipient of a send of kind k to an email address.
func toAddress(k sendKind, email string) recipient {
	return recipient{key: recipientOfEmail(email), noun: "address", perSender: k.limit.PerRecipient, all: k.limit.PerRecipientAll}
}

// toOrganization is the recipient of an offer to an organization.
func (s *Server) toOrganization(orgPublicID string) recipient {
	return recipient{key: transfers.RecipientOfOrganization(orgPublicID), noun: "organization",
		perSender: s.cfg.Limits.OffersPerRecipientOrg, all: s.cfg.Limits.OffersPerRecipientOrgAll}
}

// recipientOfEmail is how a send of any kind names an email address in its event: as an
// offer does (transfers.RecipientOfEmail), so that the counts of every spelling of one
// mailbox meet.
func recipientOfEmail(email string) string {
	return transfers.RecipientOfEmail(email)
}

// hourlyLimit refuses (429 with Retry-After) a send of kind k when, in the last hour, the
// tenant organization, the acting account (in any of its organizations), the tenant's sends
// to the recipient or everyone's sends to it (no recipient: key "") had reached its limit.
// It holds locks on the counts, in that order, until the transaction ends, so concurrent
// sends cannot race past. The refusal for the recipient's count across organizations says
// nothing of what other organizations sent.
func hourlyLimit(ctx context.Context, tx pgx.Tx, a access, k sendKind, to recipient) error {
	if err := store.LockOrganization(ctx, tx, k.event); err != nil {
		return err
	}
	n, freeAt, err := store.CountEvents(ctx, tx, k.event, time.Hour)
	if err != nil {
		return err
	}
	if n >= k.limit.PerOrganization {
		return rateLimited(freeAt, fmt.Sprintf("This organization has sent its %d %s for this hour; try again later.", k.limit.PerOrganization, k.what))
	}
	if err := store.LockKey(ctx, tx, k.event+"/account/"+a.UserID.String()); err != nil {
		return err
	}
	if n, freeAt, err = store.CountEventsByUser(ctx, tx, k.event, time.Hour); err != nil {
		return err
	}
	if n >= k.limit.PerAccount {
		return rateLimited(freeAt, fmt.Sprintf("You have sent your %d %s for this hour, counting every organization you belong to; try again later.",
			k.limit.PerAccount, k.what))
	}
	if to.key == "" {
		return nil
	}
	// The organization's lock, held above, serializes its own sends to the recipient.
	if n, freeAt, err = store.CountTenantEventsTo(ctx, tx, k.event, to.key, time.Hour); err != nil {
		return err
	}
	if n >= to.perSender {
		return rateLimited(freeAt, fmt.Sprintf("This organization has sent this %s %d %s in the last hour, the most it may; try again later.",
			to.noun, to.perSender, k.what))
	}
	if err := store.LockKey(ctx, tx, k.event+"/recipient/"+to.key); err != nil {
		return err
	}
	if n, freeAt, err = store.CountEventsTo(ctx, tx, k.event, to.key, time.Hour); err != nil {
		return err
	}
	if n >= to.all {
		// Retry-After to the quarter hour: the exact moment would tell when another
		// organization sent.
		const quarter = 15 * time.Minute
		freeAt = time.Now().Add(min(time.Hour, time.Until(freeAt).Truncate(quarter)+quarter))
		return rateLimited(freeAt, fmt.Sprintf("This %s cannot be sent more %s right now; try again later.", to.noun, k.what))
	}
	return nil
}

func rateLimited(freeAt time.Time, detail string) error {
	p := newProblem(kindRateLimited, detail)
	p.retryAfter = max(time.Second, time.Until(freeAt))
	return p
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
