package jobs

import (
	"context"
	"fmt"
	"html"

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
		return fmt.Errorf("load organization %s: %w", job.Args.OrgID, err)
	}
	if org.WelcomedAt != nil {
		return nil
	}
	msg := mailer.Message{
		To:      owner.Email,
		Subject: "Welcome to ReptiDex, " + org.Name,
		Text: fmt.Sprintf("Hello %s,\n\nyour vivarium %q is ready on ReptiDex. Add your animals, their lineage and genetics, and invite your team:\n\n%s\n\nThe ReptiDex team\n",
			owner.DisplayName, org.Name, w.PublicBaseURL),
		HTML: fmt.Sprintf(`<p>Hello %s,</p><p>your vivarium <strong>%s</strong> is ready on ReptiDex. Add your animals, their lineage and genetics, and invite your team:</p><p><a href="%s">%s</a></p><p>The ReptiDex team</p>`,
			html.EscapeString(owner.DisplayName), html.EscapeString(org.Name), html.EscapeString(w.PublicBaseURL), html.EscapeString(w.PublicBaseURL)),
	}
	if err := w.Mail.Send(ctx, msg); err != nil {
		return fmt.Errorf("send welcome email: %w", err)
	}
	return w.DB.InTenant(ctx, store.Tenant{OrgID: org.ID}, func(tx pgx.Tx) error {
		if _, err := store.MarkWelcomed(ctx, tx, org.ID); err != nil {
			return err
		}
		return store.AppendEvent(ctx, tx, "organization.welcomed", "organization", org.PublicID, map[string]string{"email": owner.Email})
	})
}
