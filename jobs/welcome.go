package jobs

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/reptidex/reptidex/mailer"
	"github.com/reptidex/reptidex/store"
)

// WelcomeEmailWorker emails the owner of a new organization. The email goes out at least
// once; the organization's welcomed_at stops a later retry from sending it again.
type WelcomeEmailWorker struct {
	river.WorkerDefaults[WelcomeEmailArgs]
	DB            *store.DB
	Mail          *mailer.Sender
	PublicBaseURL string
}

// Work sends the email unless it has gone out already.
func (w *WelcomeEmailWorker) Work(ctx context.Context, job *river.Job[WelcomeEmailArgs]) error {
	var (
		org   store.Organization
		owner store.User
	)
	err := w.DB.InTenant(ctx, store.Tenant{OrgID: job.Args.OrgID}, func(tx pgx.Tx) error {
		var err error
		if org, err = store.OrganizationByID(ctx, tx, job.Args.OrgID); err != nil {
			return err
		}
		owner, err = store.UserByID(ctx, tx, org.CreatedBy)
		return err
	})
	if err != nil {
		return cancelIfPermanent(fmt.Errorf("load organization %s: %w", job.Args.OrgID, err))
	}
	if org.WelcomedAt != nil {
		return nil
	}
	msg, err := welcomeEmail(owner, org, w.PublicBaseURL).Message()
	if err != nil {
		return fmt.Errorf("render welcome email: %w", err)
	}
	if err := w.Mail.Send(ctx, msg); err != nil {
		if errors.Is(err, mailer.ErrPermanent) {
			// The address refuses mail for good: retrying would only repeat the refusal.
			return river.JobCancel(fmt.Errorf("send welcome email: %w", err))
		}
		return fmt.Errorf("send welcome email: %w", err)
	}
	return cancelIfPermanent(w.DB.InTenant(ctx, store.Tenant{OrgID: org.ID}, func(tx pgx.Tx) error {
		if _, err := store.MarkWelcomed(ctx, tx, org.ID); err != nil {
			return err
		}
		return store.AppendEvent(ctx, tx, "organization.welcomed", "organization", org.PublicID, map[string]string{"email": owner.Email})
	}))
}

// welcomeEmail greets the owner of a new organization and points them at the web app. It
// is a service email about their own account, so it has no unsubscribe link.
func welcomeEmail(owner store.User, org store.Organization, appURL string) mailer.Email {
	return mailer.Email{
		To:        owner.Email,
		Subject:   "Welcome to ReptiDex, " + org.Name,
		Preheader: "Your vivarium is ready: add your animals, their lineage and genetics.",
		Greeting:  "Hello " + owner.DisplayName + ",",
		Title:     "Welcome to ReptiDex",
		Paragraphs: []string{
			"your vivarium “" + org.Name + "” is ready on ReptiDex. Add your animals, their lineage and genetics, and invite your team.",
		},
		ActionLabel: "Open ReptiDex",
		ActionURL:   appURL,
		Reason:      "You receive this email because you opened a ReptiDex account with this address.",
	}
}
