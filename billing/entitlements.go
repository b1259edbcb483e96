package billing

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/store"
)

// LimitName names one limit of a plan, as plans and problems name it.
type LimitName string

// The limits a plan sets.
const (
	Animals              LimitName = store.LimitAnimals
	ActiveListings       LimitName = store.LimitActiveListings
	CertificatesPerMonth LimitName = store.LimitCertificates
	ScheduledExports     LimitName = store.LimitScheduledExports
	SMSPerMonth          LimitName = store.LimitSMS
	Members              LimitName = store.LimitMembers
)

// LimitError refuses an action the organization's plan does not allow: adding beyond a limit,
// or (Above) changing what an organization holds beyond its plan's limit since a downgrade,
// which stays readable but read-only until it upgrades.
type LimitError struct {
	Limit    LimitName
	Plan     string // the plan's key, such as free
	PlanName string // the plan's name, such as Free
	Used     int    // what the organization holds or did of the limit (this month, for a monthly one)
	Allowed  int
	Above    bool
}

func (e *LimitError) Error() string {
	if e.Above {
		return fmt.Sprintf("the organization holds %d %s, above the %d its %s plan allows; what is above the limit is read-only",
			e.Used, e.Limit, e.Allowed, e.PlanName)
	}
	return fmt.Sprintf("the %s plan allows %d %s; the organization has used %d", e.PlanName, e.Allowed, e.Limit, e.Used)
}

// Counter counts, in tx, what the tenant organization holds or did of a limit.
type Counter func(ctx context.Context, tx pgx.Tx) (int, error)

// Check allows adding n of a limit to tx's organization, or refuses with a *LimitError. It
// runs in the action's own transaction and, before it reads the plan and counts, takes the
// organization's lock of that limit until the transaction ends: of two concurrent additions
// at the limit's edge, the second counts the first's row and only one passes. Members are
// counted with the open invitations (each will become a member when accepted); accepting one
// checks with CheckMembersOnly.
func Check(ctx context.Context, tx pgx.Tx, limit LimitName, n int) error {
	p, used, err := store.PlanAllowance(ctx, tx, string(limit), limit == Members)
	if err != nil {
		return err
	}
	return allow(p, limit, used, n)
}

// Allowance is what the organization may still add of a limit, held for one transaction:
// for a caller that adds many at once and refuses only those beyond the limit, as an import
// does for each batch of rows.
type Allowance struct {
	plan  store.Plan
	limit LimitName
	used  int
}

// Allow takes tx's organization's lock of limit until tx ends, as Check does, and reads what
// it may still add.
func Allow(ctx context.Context, tx pgx.Tx, limit LimitName) (*Allowance, error) {
	p, used, err := store.PlanAllowance(ctx, tx, string(limit), limit == Members)
	if err != nil {
		return nil, err
	}
	return &Allowance{plan: p, limit: limit, used: used}, nil
}

// Take counts one more added, or refuses it with a *LimitError when the limit is reached.
// Whoever takes one and then does not add it gives it back (Return).
func (a *Allowance) Take() error {
	if err := allow(a.plan, a.limit, a.used, 1); err != nil {
		return err
	}
	a.used++
	return nil
}

// Return gives back one taken and not added after all.
func (a *Allowance) Return() { a.used-- }

// allow refuses adding n to used beyond the plan's limit.
func allow(p store.Plan, limit LimitName, used, n int) error {
	if allowed := p.Limits.Of(string(limit)); allowed != nil && used+n > *allowed {
		return &LimitError{Limit: limit, Plan: p.Key, PlanName: p.Name, Used: used, Allowed: *allowed}
	}
	return nil
}

// CheckMembersOnly allows an invitation's acceptance: one more member, the invitation being
// accepted no longer counted as open (it counted when it was sent).
func CheckMembersOnly(ctx context.Context, tx pgx.Tx) error {
	return CheckWith(ctx, tx, Members, 1, func(ctx context.Context, tx pgx.Tx) (int, error) {
		return store.PlanUsage(ctx, tx, string(Members), false)
	})
}

// CheckWith is Check with the feature's own count, for a limit whose rows the feature counts
// otherwise (Members, leaving out the invitation being accepted).
// count runs after the lock is taken, in tx.
func CheckWith(ctx context.Context, tx pgx.Tx, limit LimitName, n int, count Counter) error {
	if err := store.LockPlanLimit(ctx, tx, string(limit)); err != nil {
		return err
	}
	p, err := store.OrganizationPlan(ctx, tx)
	if err != nil {
		return err
	}
	if p.Limits.Of(string(limit)) == nil {
		return nil
	}
	used, err := count(ctx, tx)
	if err != nil {
		return err
	}
	return allow(p, limit, used, n)
}

// CheckAnimalWritable allows a change to one of tx's organization's animals, or refuses it
// with a *LimitError (Above) when the organization holds more animals than its plan allows
// (after a downgrade, or animals received by transfer) and this animal is not among the
// first the plan allows by when they came into the organization (recorded there, or
// received). Those stay writable; the others stay readable, listable, transferable and
// sellable — moving animals out is how an organization gets back within its plan — but
// their records cannot change until it is.
func CheckAnimalWritable(ctx context.Context, tx pgx.Tx, animalID uuid.UUID) error {
	p, err := store.OrganizationPlan(ctx, tx)
	if err != nil {
		return err
	}
	allowed := p.Limits.Animals
	if allowed == nil {
		return nil
	}
	held, err := store.PlanUsage(ctx, tx, store.LimitAnimals, false)
	if err != nil || held <= *allowed {
		return err
	}
	before, err := store.AnimalsJoinedBefore(ctx, tx, animalID)
	if err != nil || before < *allowed {
		return err
	}
	return &LimitError{Limit: Animals, Plan: p.Key, PlanName: p.Name, Used: held, Allowed: *allowed, Above: true}
}
