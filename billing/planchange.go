package billing

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/web"
	"github.com/reptidex/reptidex/workflows/dunning"
)

// Cause says why an organization's plan changes; it is kept in the change's event.
type Cause string

// Causes of a plan change. Callers may name others (short, lower case).
const (
	CauseGrant        Cause = "grant"        // support granted or removed a plan (Grant)
	CauseSubscription Cause = "subscription" // the subscription started, changed, ended or was paid
	CauseDunning      Cause = "dunning"      // the grace after a failed payment ended
)

// Change is what a plan change did.
type Change struct {
	From, To string   // plan keys
	Changed  bool     // false: the organization was on To already, and nothing was done
	Paused   []string // listings paused because To allows fewer active listings
	Resumed  []string // paused listings back on sale because To allows more
}

// Settle puts organization orgID on its effective plan: the better (higher position) of the
// plan support granted it and the plan it subscribes to (SubscribedPlan), through SetPlan's
// effects. Call it whenever either may have changed: a grant, a subscription webhook, a paid
// invoice, the end of dunning. Settling an organization already on its effective plan does
// nothing. It acts for orgID in tx and leaves tx acting for the organization it acted for.
func Settle(ctx context.Context, tx pgx.Tx, n *notify.Notifier, orgID uuid.UUID, cause Cause) (Change, error) {
	return changing(ctx, tx, orgID, func(locked store.OrganizationPlans) (Change, error) {
		to, err := effectivePlan(ctx, tx, orgID, locked.Granted)
		if err != nil {
			return Change{}, err
		}
		return setPlanLocked(ctx, tx, n, locked, to, cause)
	})
}

// Grant records the plan support grants organization orgID (a comp account), or removes
// the grant when planKey is empty, then settles it (Settle, CauseGrant). A plan that is not
// stored is ErrUnknownPlan.
func Grant(ctx context.Context, tx pgx.Tx, n *notify.Notifier, orgID uuid.UUID, planKey string) (Change, error) {
	if planKey != "" {
		if _, err := store.GetPlan(ctx, tx, planKey); errors.Is(err, store.ErrNotFound) {
			return Change{}, ErrUnknownPlan
		} else if err != nil {
			return Change{}, err
		}
	}
	return changing(ctx, tx, orgID, func(locked store.OrganizationPlans) (Change, error) {
		if locked.Granted != planKey {
			if err := store.SetGrantedPlan(ctx, tx, planKey); err != nil {
				return Change{}, err
			}
			var granted any
			if planKey != "" {
				granted = planKey
			}
			if err := store.AppendEvent(ctx, tx, "organization.plan_granted", "organization", locked.PublicID,
				map[string]any{"plan": granted, "previous": nullable(locked.Granted)}); err != nil {
				return Change{}, err
			}
			locked.Granted = planKey
		}
		to, err := effectivePlan(ctx, tx, orgID, locked.Granted)
		if err != nil {
			return Change{}, err
		}
		return setPlanLocked(ctx, tx, n, locked, to, CauseGrant)
	})
}

// SetPlan is the only writer of an organization's plan: it puts organization orgID on plan
// planKey with the move's effects, in tx. When the plan allows fewer active listings than are
// active, the newest beyond the limit are paused (never those an order holds); when it allows
// more, paused listings are back on sale at once, oldest first, up to the limit. Animals
// above a lower limit stay, readable and read-only (CheckAnimalWritable). The change is
// audited (the organizations trigger), evented (organization.plan_changed, and each listing's
// listing.paused or listing.resumed) and told to the organization's owners, in-app and by
// email. Setting the plan the organization is on does nothing. A plan not stored is
// ErrUnknownPlan. Outside billing, call Settle, which respects a granted plan.
func SetPlan(ctx context.Context, tx pgx.Tx, n *notify.Notifier, orgID uuid.UUID, planKey string, cause Cause) (Change, error) {
	return changing(ctx, tx, orgID, func(locked store.OrganizationPlans) (Change, error) {
		return setPlanLocked(ctx, tx, n, locked, planKey, cause)
	})
}

// changing runs fn acting for orgID with the organization's plan locked: every limit's lock
// (in one fixed order, so that concurrent changes queue) and then its row, so that no check
// of a limit runs between a change's count and its commit.
func changing(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, fn func(store.OrganizationPlans) (Change, error)) (Change, error) {
	restore, err := store.ActForOrganization(ctx, tx, orgID)
	if err != nil {
		return Change{}, err
	}
	for _, l := range store.PlanLimitNames {
		if err := store.LockPlanLimit(ctx, tx, l); err != nil {
			return Change{}, err
		}
	}
	locked, err := store.LockOrganizationPlans(ctx, tx)
	if err != nil {
		return Change{}, err
	}
	c, err := fn(locked)
	if err != nil {
		return Change{}, err
	}
	return c, restore(ctx)
}

// effectivePlan is the better of the granted plan (may be empty) and the subscribed one.
func effectivePlan(ctx context.Context, tx pgx.Tx, orgID uuid.UUID, granted string) (string, error) {
	subscribed, err := SubscribedPlan(ctx, tx, orgID)
	if err != nil {
		return "", fmt.Errorf("subscribed plan: %w", err)
	}
	if granted == "" || granted == subscribed {
		return subscribed, nil
	}
	g, err := store.GetPlan(ctx, tx, granted)
	if err != nil {
		return "", err
	}
	s, err := store.GetPlan(ctx, tx, subscribed)
	if err != nil {
		return "", err
	}
	if g.Position > s.Position {
		return granted, nil
	}
	return subscribed, nil
}

func setPlanLocked(ctx context.Context, tx pgx.Tx, n *notify.Notifier, locked store.OrganizationPlans, planKey string, cause Cause) (Change, error) {
	c := Change{From: locked.Current, To: planKey}
	if planKey == locked.Current {
		return c, nil
	}
	to, err := store.GetPlan(ctx, tx, planKey)
	if errors.Is(err, store.ErrNotFound) {
		return Change{}, ErrUnknownPlan
	}
	if err != nil {
		return Change{}, err
	}
	from, err := store.GetPlan(ctx, tx, locked.Current)
	if err != nil {
		return Change{}, err
	}
	if err := store.SetOrganizationPlan(ctx, tx, planKey); err != nil {
		return Change{}, err
	}
	c.Changed = true
	if err := applyListingLimit(ctx, tx, to.Limits.ActiveListings, &c); err != nil {
		return Change{}, err
	}
	c.Paused, c.Resumed = nonNil(c.Paused), nonNil(c.Resumed)
	if err := store.AppendEvent(ctx, tx, "organization.plan_changed", "organization", locked.PublicID, map[string]any{
		"from": c.From, "to": c.To, "cause": string(cause), "paused_listings": c.Paused, "resumed_listings": c.Resumed,
	}); err != nil {
		return Change{}, err
	}
	return c, tellOwners(ctx, tx, n, from, to, c, cause)
}

// applyListingLimit pauses the active listings beyond limit, or resumes paused ones up to it.
func applyListingLimit(ctx context.Context, tx pgx.Tx, limit *int, c *Change) error {
	var err error
	if limit != nil {
		if c.Paused, err = store.PauseListingsAbove(ctx, tx, *limit); err != nil {
			return err
		}
	}
	var room *int
	if limit != nil {
		active, err := store.PlanUsage(ctx, tx, store.LimitActiveListings, false)
		if err != nil {
			return err
		}
		r := max(*limit-active, 0)
		room = &r
	}
	if room == nil || *room > 0 {
		if c.Resumed, err = store.ResumePausedListings(ctx, tx, room); err != nil {
			return err
		}
	}
	for _, l := range []struct {
		typ string
		ids []string
	}{{"listing.paused", c.Paused}, {"listing.resumed", c.Resumed}} {
		for _, id := range l.ids {
			if err := store.AppendEvent(ctx, tx, l.typ, "listing", id, map[string]string{"cause": "plan", "plan": c.To}); err != nil {
				return err
			}
		}
	}
	return nil
}

// tellOwners tells each owner of the organization, in-app and by email, what the change did.
func tellOwners(ctx context.Context, tx pgx.Tx, n *notify.Notifier, from, to store.Plan, c Change, cause Cause) error {
	var body []string
	link, action := web.BillingPath, "See the plan"
	switch {
	case cause == CauseDunning:
		// The end of a dunning's grace: say why, and how to undo it.
		body = append(body, fmt.Sprintf("Your subscription's renewal stayed unpaid through the grace period, so your organization "+
			"moved from the %s plan to the %s plan. Nothing was deleted: pay the open invoice at any time and everything is "+
			"restored at once.", from.Name, to.Name))
		link, action = dunning.PortalLink, "Pay and restore the plan"
	case to.Position < from.Position:
		body = append(body, fmt.Sprintf("Your organization moved from the %s plan to the %s plan. Nothing was deleted.", from.Name, to.Name))
	default:
		body = append(body, fmt.Sprintf("Your organization moved from the %s plan to the %s plan.", from.Name, to.Name))
	}
	if len(c.Paused) > 0 {
		body = append(body, fmt.Sprintf("%d of your listings were paused: the %s plan allows %d active listings. They are off the "+
			"marketplace, not withdrawn, and go back on sale as soon as your plan allows.", len(c.Paused), to.Name, *to.Limits.ActiveListings))
	}
	if len(c.Resumed) > 0 {
		body = append(body, fmt.Sprintf("%d paused listings are back on sale.", len(c.Resumed)))
	}
	if limit := to.Limits.Animals; limit != nil {
		held, err := store.PlanUsage(ctx, tx, store.LimitAnimals, false)
		if err != nil {
			return err
		}
		if held > *limit {
			body = append(body, fmt.Sprintf("Your organization keeps %d animals and the %s plan allows %d: the first %d stay as they "+
				"are, the others stay readable but cannot be changed until you upgrade or move animals out.", held, to.Name, *limit, *limit))
		}
	}
	owners, err := store.MemberIDs(ctx, tx, []string{"owner"})
	if err != nil {
		return err
	}
	orgID, change := uuid.Nil, uuid.NewString()
	if err := tx.QueryRow(ctx, `SELECT app_org_id()`).Scan(&orgID); err != nil {
		return fmt.Errorf("read the organization: %w", err)
	}
	for _, owner := range owners {
		if _, err := n.Record(ctx, tx, notify.Request{
			DedupKey: "plan/" + change + "/" + owner.String(), Type: "organization.plan", OrgID: orgID, UserID: owner,
			Title:       "Your organization is now on the " + to.Name + " plan",
			Body:        strings.Join(body, "\n\n"),
			Link:        link,
			ActionLabel: action,
			Data: map[string]any{"from": c.From, "to": c.To, "paused_listings": len(c.Paused),
				"resumed_listings": len(c.Resumed)},
		}); err != nil {
			return fmt.Errorf("tell the owners of the plan change: %w", err)
		}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
