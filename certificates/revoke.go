package certificates

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/certs"
	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
)

// MaxRevokeReason is the longest reason a revocation may give, in characters.
const MaxRevokeReason = 500

// ErrCertificateNotFound means no certificate has the serial (or the caller is not a platform
// admin, who alone may look for any organization's certificate).
var ErrCertificateNotFound = errors.New("certificate not found")

// ErrNotIssued means the certificate was never issued (it is issuing, or failed): there is
// nothing to revoke.
var ErrNotIssued = errors.New("certificate was never issued")

// ErrAlreadyRevoked means the certificate is revoked already.
var ErrAlreadyRevoked = errors.New("certificate is revoked already")

// ErrInvalidReason means the reason is blank or longer than MaxRevokeReason characters.
var ErrInvalidReason = fmt.Errorf("a reason of 1 to %d characters is required", MaxRevokeReason)

// Revoke revokes an issued or superseded certificate, of any organization, for a platform
// admin, with the reason that anyone who checks it will read from then on; the owners and
// admins of the certificate's organization are told in the same transaction. It answers the
// certificate as anyone now checks it, read in that transaction, so that a revocation that
// committed is never reported as failed.
func Revoke(ctx context.Context, db *store.DB, notifier *notify.Notifier, adminID uuid.UUID, serial certs.Serial,
	reason string) (store.CertificateCheck, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxRevokeReason {
		return store.CertificateCheck{}, ErrInvalidReason
	}
	var revokedCheck store.CertificateCheck
	err := db.InTenant(ctx, store.Tenant{UserID: adminID}, func(tx pgx.Tx) error {
		c, err := store.CertificateForAdmin(ctx, tx, serial.String())
		if errors.Is(err, store.ErrNotFound) {
			return ErrCertificateNotFound
		}
		if err != nil {
			return err
		}
		// From here on the admin acts for the certificate's organization, under its policies.
		if err := store.SetTenant(ctx, tx, store.Tenant{OrgID: c.OrgID, UserID: adminID}); err != nil {
			return err
		}
		revoked, err := store.RevokeCertificate(ctx, tx, c.ID, reason, adminID)
		if err != nil {
			return err
		}
		if !revoked {
			// Read again: another admin's revocation may have committed while this one waited.
			if c, err = store.CertificateForAdmin(ctx, tx, serial.String()); err != nil {
				return err
			}
			if c.Status == "revoked" {
				return ErrAlreadyRevoked
			}
			return ErrNotIssued
		}
		managers, err := store.MemberIDs(ctx, tx, []string{"owner", "admin"})
		if err != nil {
			return err
		}
		for _, id := range managers {
			if _, err := notifier.Record(ctx, tx, revokedMessage(c, serial, reason, id)); err != nil {
				return fmt.Errorf("tell the organization that certificate %s was revoked: %w", serial, err)
			}
		}
		revokedCheck, err = store.CertificateForVerification(ctx, tx, serial.String())
		return err
	})
	if err != nil {
		return store.CertificateCheck{}, err
	}
	return revokedCheck, nil
}

// revokedMessage tells one of the organization's owners or admins that a certificate was
// revoked, and why.
func revokedMessage(c store.CertificateRef, serial certs.Serial, reason string, to uuid.UUID) notify.Request {
	return notify.Request{DedupKey: "certificate/" + c.ID.String() + "/revoked/" + to.String(), Type: "certificate.revoked",
		OrgID: c.OrgID, UserID: to,
		Title: "Pedigree certificate " + serial.String() + " was revoked",
		Body: "A ReptiDex platform admin revoked this certificate. The reason given: " + reason +
			"\n\nAnyone who checks the certificate now sees that it is revoked, and why.",
		Link: "/verify/" + serial.String(),
		Data: map[string]any{"serial": serial.String(), "reason": reason},
	}
}
