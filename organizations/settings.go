// Package organizations holds the commands on an organization's own settings — its name,
// the inbreeding coefficient above which planned pairings warn, and how long an offer of
// one of its animals waits for its reminder and its expiry — each in the caller's
// transaction, whose tenant is the organization. Who may change them the caller decides.
package organizations

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/store"
)

// Bounds of the settings.
const (
	MaxNameLength      = 120
	MaxRemindAfterDays = 89
	MaxExpireAfterDays = 90
)

const day = 24 * time.Hour

// Changes are the settings a command sets, as a person gives them; a nil field stays as it
// is.
type Changes struct {
	Name                    *string // its surrounding whitespace is trimmed
	COIWarningThreshold     *float64
	TransferRemindAfterDays *int // 0: no reminder
	TransferExpireAfterDays *int
}

// Settings are an organization's settings as a command left them.
type Settings struct {
	PublicID            string
	Name                string
	COIWarningThreshold float64
	TransferRemindAfter time.Duration // 0: no reminder
	TransferExpireAfter time.Duration
}

// RemindAfterDays is the reminder's delay in whole days, as a person sets it.
func (s Settings) RemindAfterDays() int { return int(s.TransferRemindAfter / day) }

// ExpireAfterDays is the expiry's delay in whole days, as a person sets it.
func (s Settings) ExpireAfterDays() int { return int(s.TransferExpireAfter / day) }

// FieldError refuses one field of a change: the field as the request names it, and the rule
// its value breaks.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

func refuse(field, message string) error { return &FieldError{Field: field, Message: message} }

// Check refuses a change no organization may make, whatever its settings are: the first
// field out of its bounds is a *FieldError. Update checks it too; a caller checks it first
// to refuse a malformed change before deciding who may make it.
func (c Changes) Check() error {
	switch {
	case c.COIWarningThreshold != nil && (*c.COIWarningThreshold < 0 || *c.COIWarningThreshold > 1):
		return refuse("coi_warning_threshold", "must be a coefficient from 0 to 1 (0.0625 is first cousins)")
	case c.TransferExpireAfterDays != nil && (*c.TransferExpireAfterDays < 1 || *c.TransferExpireAfterDays > MaxExpireAfterDays):
		return refuse("transfer_expire_after_days", fmt.Sprintf("must be a whole number of days from 1 to %d", MaxExpireAfterDays))
	case c.TransferRemindAfterDays != nil && (*c.TransferRemindAfterDays < 0 || *c.TransferRemindAfterDays > MaxRemindAfterDays):
		return refuse("transfer_remind_after_days", fmt.Sprintf("must be a whole number of days from 0 (no reminder) to %d", MaxRemindAfterDays))
	}
	if c.Name != nil {
		if n := utf8.RuneCountInString(strings.TrimSpace(*c.Name)); n < 1 || n > MaxNameLength {
			return refuse("name", fmt.Sprintf("must be 1 to %d characters", MaxNameLength))
		}
	}
	return nil
}

// Update applies c to the organization orgID, tx's tenant, and writes its
// organization.updated event; a delay c leaves as it is stays as stored, to the second.
// Besides Check's refusals, a reminder that would not come before the expiry, as the change
// leaves them, is a *FieldError naming transfer_remind_after_days.
func Update(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, c Changes) (Settings, error) {
	if err := c.Check(); err != nil {
		return Settings{}, err
	}
	s, err := read(ctx, tx, orgID)
	if err != nil {
		return Settings{}, err
	}
	if c.Name != nil {
		s.Name = strings.TrimSpace(*c.Name)
	}
	if c.COIWarningThreshold != nil {
		s.COIWarningThreshold = *c.COIWarningThreshold
	}
	if c.TransferRemindAfterDays != nil {
		s.TransferRemindAfter = time.Duration(*c.TransferRemindAfterDays) * day
	}
	if c.TransferExpireAfterDays != nil {
		s.TransferExpireAfter = time.Duration(*c.TransferExpireAfterDays) * day
	}
	if s.TransferRemindAfter >= s.TransferExpireAfter {
		return Settings{}, refuse("transfer_remind_after_days", "the reminder must come before the offer expires")
	}
	if err := write(ctx, tx, s); err != nil {
		return Settings{}, err
	}
	return s, nil
}

// read reads the settings of the organization orgID, tx's tenant.
func read(ctx context.Context, tx pgx.Tx, orgID uuid.UUID) (Settings, error) {
	org, err := store.OrganizationByID(ctx, tx, orgID)
	if err != nil {
		return Settings{}, err
	}
	threshold, err := store.COIThreshold(ctx, tx)
	if err != nil {
		return Settings{}, err
	}
	remind, expire, err := store.TransferSettings(ctx, tx)
	if err != nil {
		return Settings{}, err
	}
	return Settings{PublicID: org.PublicID, Name: org.Name, COIWarningThreshold: threshold,
		TransferRemindAfter: remind, TransferExpireAfter: expire}, nil
}

// write stores s as tx's organization's settings, with its event.
func write(ctx context.Context, tx pgx.Tx, s Settings) error {
	if err := store.UpdateOrganizationSettings(ctx, tx, s.Name, s.COIWarningThreshold); err != nil {
		return err
	}
	if err := store.SetTransferSettings(ctx, tx, s.TransferRemindAfter, s.TransferExpireAfter); err != nil {
		return err
	}
	return store.AppendEvent(ctx, tx, "organization.updated", "organization", s.PublicID, map[string]any{
		"id": s.PublicID, "name": s.Name, "coi_warning_threshold": s.COIWarningThreshold,
		"transfer_remind_after_days": s.RemindAfterDays(), "transfer_expire_after_days": s.ExpireAfterDays()})
}
