// Package billing holds what organizations pay for: the plans, their prices and their limits.
// Plans are stored and listed; every limited action checks its limit (Check) in its own
// transaction, and an organization moves between plans only through SetPlan (Settle, Grant).
package billing

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/store"
)

// Plan is a plan as stored: Free, Pro or Business, with its displayed price, its Stripe price
// and its limits (nil for unlimited).
type Plan = store.Plan

// Limits are what an organization on a plan may hold or do; nil means unlimited.
type Limits = store.PlanLimits

// MaxPriceMinor is the highest monthly price a plan may show, in minor units (one million in
// a two-decimal currency).
const MaxPriceMinor = 100_000_000

// MaxLimit is the highest limit a plan may set; beyond it, a plan is unlimited (null).
const MaxLimit = 100_000_000

// ErrUnknownPlan is an edit of a plan that is not stored.
var ErrUnknownPlan = errors.New("unknown plan")

// FieldError refuses one field of a plan edit: the field as the request names it, and the
// rule its value breaks.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Limit is an edit of one limit: left as it is unless Set; when Set, Value nil makes it
// unlimited.
type Limit struct {
	Set   bool
	Value *int
}

// Edit is a platform administrator's change to a plan; nil fields and unset limits are kept.
type Edit struct {
	Name          *string
	PriceMinor    *int64
	Currency      *string
	StripePriceID *string
	Animals       Limit
	ActiveLists   Limit
	Certificates  Limit
	Exports       Limit
	SMS           Limit
	Members       Limit
}

var (
	stripePriceID = regexp.MustCompile(`^price_[A-Za-z0-9]+$`)
	currencyCode  = regexp.MustCompile(`^[a-z]{3}$`)
)

// Check refuses an edit that could never apply, naming the first field at fault: a name
// of 1 to 60 characters after trimming, a price from 0 to MaxPriceMinor, a three-letter
// lower-case currency, a Stripe price ID that is empty or price_ followed by letters and
// digits, and limits from 0 to MaxLimit or null.
func (e Edit) Check() error {
	if e.Name != nil {
		if n := utf8.RuneCountInString(strings.TrimSpace(*e.Name)); n < 1 || n > 60 {
			return &FieldError{"name", "must be 1 to 60 characters after trimming"}
		}
	}
	if e.PriceMinor != nil && (*e.PriceMinor < 0 || *e.PriceMinor > MaxPriceMinor) {
		return &FieldError{"price_minor", "must be from 0 to 100000000"}
	}
	if e.Currency != nil && !currencyCode.MatchString(*e.Currency) {
		return &FieldError{"currency", "must be a three-letter lower-case ISO 4217 code, such as usd"}
	}
	if e.StripePriceID != nil && *e.StripePriceID != "" && !stripePriceID.MatchString(*e.StripePriceID) {
		return &FieldError{"stripe_price_id", "must be empty or a Stripe price ID such as price_1Nx2abc"}
	}
	for _, l := range e.limits() {
		if l.edit.Set && l.edit.Value != nil && (*l.edit.Value < 0 || *l.edit.Value > MaxLimit) {
			return &FieldError{"limits." + l.field, "must be from 0 to 100000000, or null for unlimited"}
		}
	}
	return nil
}

type namedLimit struct {
	field  string
	edit   Limit
	stored **int
}

// limitsOf pairs each limit edit with its field name and, given a plan, where it is stored.
func (e Edit) limitsOf(p *Plan) []namedLimit {
	l := &p.Limits
	return []namedLimit{
		{"animals", e.Animals, &l.Animals},
		{"active_listings", e.ActiveLists, &l.ActiveListings},
		{"certificates_per_month", e.Certificates, &l.CertificatesPerMonth},
		{"scheduled_exports", e.Exports, &l.ScheduledExports},
		{"sms_per_month", e.SMS, &l.SMSPerMonth},
		{"members", e.Members, &l.Members},
	}
}

func (e Edit) limits() []namedLimit { return e.limitsOf(&Plan{}) }

// Apply returns p with e's changes.
func (e Edit) Apply(p Plan) Plan {
	if e.Name != nil {
		p.Name = strings.TrimSpace(*e.Name)
	}
	if e.PriceMinor != nil {
		p.PriceMinor = *e.PriceMinor
	}
	if e.Currency != nil {
		p.Currency = *e.Currency
	}
	if e.StripePriceID != nil {
		p.StripePriceID = *e.StripePriceID
	}
	for _, l := range e.limitsOf(&p) {
		if l.edit.Set {
			if l.edit.Value == nil {
				*l.stored = nil
			} else {
				v := *l.edit.Value
				*l.stored = &v
			}
		}
	}
	return p
}

// Update applies a platform administrator's edit to the plan key in tx and returns the plan
// as stored. A refused edit is a *FieldError; a plan not stored is ErrUnknownPlan.
func Update(ctx context.Context, tx pgx.Tx, key string, e Edit, by uuid.UUID) (Plan, error) {
	if err := e.Check(); err != nil {
		return Plan{}, err
	}
	p, err := store.LockPlan(ctx, tx, key)
	if errors.Is(err, store.ErrNotFound) {
		return Plan{}, ErrUnknownPlan
	}
	if err != nil {
		return Plan{}, err
	}
	return store.UpdatePlan(ctx, tx, e.Apply(p), by)
}
