package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/invopop/jsonschema"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/store"
)

// planLimitsView is what an organization on a plan may hold or do; null is unlimited.
type planLimitsView struct {
	// Animals kept in the record, archived ones included; null: unlimited.
	Animals *int `json:"animals" jsonschema:"minimum=0,nullable"`
	// Listings on the marketplace at once; null: unlimited.
	ActiveListings *int `json:"active_listings" jsonschema:"minimum=0,nullable"`
	// Certificates issued in a calendar month; null: unlimited.
	CertificatesPerMonth *int `json:"certificates_per_month" jsonschema:"minimum=0,nullable"`
	// Exports run on a schedule; null: unlimited.
	ScheduledExports *int `json:"scheduled_exports" jsonschema:"minimum=0,nullable"`
	// Text messages sent in a calendar month; null: unlimited.
	SMSPerMonth *int `json:"sms_per_month" jsonschema:"minimum=0,nullable"`
	// Members of the organization, owners included; null: unlimited.
	Members *int `json:"members" jsonschema:"minimum=0,nullable"`
}

// planView is one plan: its price and its limits.
type planView struct {
	// Stable key of the plan: free, pro or business.
	Key string `json:"key" jsonschema:"pattern=^[a-z0-9-]+$"`
	// Name shown to breeders, such as Pro.
	Name string `json:"name"`
	// The monthly price in minor units of the currency (1200 is $12.00), for display.
	PriceMinor int64 `json:"price_minor" jsonschema:"minimum=0,maximum=100000000"`
	// Lower-case ISO 4217 code of the price's currency, such as usd.
	Currency string         `json:"currency" jsonschema:"pattern=^[a-z]{3}$"`
	Limits   planLimitsView `json:"limits"`
}

// adminPlanView is a plan as platform administrators edit it: with its Stripe price.
type adminPlanView struct {
	planView
	// The Stripe price subscriptions to the plan are charged by; empty until the plan is set up
	// in Stripe.
	StripePriceID string `json:"stripe_price_id" jsonschema:"pattern=^(price_[A-Za-z0-9]+)?$"`
}

// planList lists the plans.
type planList struct {
	// Every plan, in the order they are shown (Free, Pro, Business).
	Items []planView `json:"items"`
}

// organizationPlanView is the plan an organization is on.
type organizationPlanView struct {
	// Public ID of the organization.
	OrganizationID string   `json:"organization_id" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	Plan           planView `json:"plan"`
}

// planEditRequest changes a plan; every field is optional and an omitted one is kept.
type planEditRequest struct {
	// 1 to 60 characters after trimming.
	Name *string `json:"name" jsonschema:"minLength=1,maxLength=60"`
	// The monthly price in minor units, from 0 to 100000000.
	PriceMinor *int64 `json:"price_minor" jsonschema:"minimum=0,maximum=100000000"`
	// Lower-case ISO 4217 code, such as usd.
	Currency *string `json:"currency" jsonschema:"pattern=^[a-z]{3}$"`
	// A Stripe price ID such as price_1Nx2abc, or an empty string while the plan is not set up
	// in Stripe.
	StripePriceID *string `json:"stripe_price_id" jsonschema:"pattern=^(price_[A-Za-z0-9]+)?$"`
	// The limits to change; an omitted limit is kept, null makes it unlimited.
	Limits *planLimitsEdit `json:"limits"`
}

// planLimitsEdit changes limits: an omitted one is kept, null makes it unlimited.
type planLimitsEdit struct {
	// From 0 to 100000000, or null for unlimited.
	Animals optionalLimit `json:"animals"`
	// From 0 to 100000000, or null for unlimited.
	ActiveListings optionalLimit `json:"active_listings"`
	// From 0 to 100000000, or null for unlimited.
	CertificatesPerMonth optionalLimit `json:"certificates_per_month"`
	// From 0 to 100000000, or null for unlimited.
	ScheduledExports optionalLimit `json:"scheduled_exports"`
	// From 0 to 100000000, or null for unlimited.
	SMSPerMonth optionalLimit `json:"sms_per_month"`
	// From 0 to 100000000, or null for unlimited.
	Members optionalLimit `json:"members"`
}

// optionalLimit tells an absent limit (keep it) from null (unlimited) from a number.
type optionalLimit struct {
	Set   bool
	Value *int
}

func (o *optionalLimit) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Value = nil
		return nil
	}
	var v int
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	o.Value = &v
	return nil
}

// JSONSchema documents the field as the decoder reads it: a whole number, or null.
func (optionalLimit) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{OneOf: []*jsonschema.Schema{{Type: "integer"}, {Type: "null"}}}
}

func (o optionalLimit) edit() billing.Limit { return billing.Limit{Set: o.Set, Value: o.Value} }

func newPlanView(p store.Plan) planView {
	l := p.Limits
	return planView{Key: p.Key, Name: p.Name, PriceMinor: p.PriceMinor, Currency: p.Currency,
		Limits: planLimitsView{Animals: l.Animals, ActiveListings: l.ActiveListings,
			CertificatesPerMonth: l.CertificatesPerMonth, ScheduledExports: l.ScheduledExports,
			SMSPerMonth: l.SMSPerMonth, Members: l.Members}}
}

// listPlans lists the plans in order, with their prices and limits. Public: anyone compares
// plans before signing up.
func (s *Server) listPlans(w http.ResponseWriter, r *http.Request) error {
	plans, err := store.ListPlans(r.Context(), s.db.Pool)
	if err != nil {
		return err
	}
	out := planList{Items: make([]planView, 0, len(plans))}
	for _, p := range plans {
		out.Items = append(out.Items, newPlanView(p))
	}
	// Plans change seldom and hold nothing private: caches may keep the list for a minute.
	return writePublicJSON(w, out, time.Minute)
}

// updatePlan lets a platform administrator change a plan's name, price, Stripe price or
// limits (billing.Update).
func (s *Server) updatePlan(w http.ResponseWriter, r *http.Request) error {
	admin, err := s.requirePlatformAdmin(r, "Only platform administrators edit plans.")
	if err != nil {
		return err
	}
	var req planEditRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	e := billing.Edit{Name: req.Name, PriceMinor: req.PriceMinor, Currency: req.Currency, StripePriceID: req.StripePriceID}
	if l := req.Limits; l != nil {
		e.Animals, e.ActiveLists, e.Certificates = l.Animals.edit(), l.ActiveListings.edit(), l.CertificatesPerMonth.edit()
		e.Exports, e.SMS, e.Members = l.ScheduledExports.edit(), l.SMSPerMonth.edit(), l.Members.edit()
	}
	var out adminPlanView
	err = s.db.InTx(r.Context(), func(tx pgx.Tx) error {
		p, err := billing.Update(r.Context(), tx, chi.URLParam(r, "plan"), e, admin)
		if err != nil {
			return planProblem(err)
		}
		out = adminPlanView{planView: newPlanView(p), StripePriceID: p.StripePriceID}
		return nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// planProblem answers an edit billing.Update refused; other errors pass as they are.
func planProblem(err error) error {
	var field *billing.FieldError
	switch {
	case errors.As(err, &field):
		return invalid(FieldError{field.Field, field.Message})
	case errors.Is(err, billing.ErrUnknownPlan):
		return notFound("plan")
	}
	return err
}

// organizationPlan answers which plan the organization is on, to any of its members.
func (s *Server) organizationPlan(w http.ResponseWriter, r *http.Request) error {
	var out organizationPlanView
	err := s.withAccess(r, chi.URLParam(r, "orgID"), func(tx pgx.Tx, a access) error {
		p, err := store.OrganizationPlan(r.Context(), tx)
		if err != nil {
			return err
		}
		out = organizationPlanView{OrganizationID: a.OrgPublicID, Plan: newPlanView(p)}
		return nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// planGrantRequest grants an organization a plan.
type planGrantRequest struct {
	// Key of the plan to grant, such as business (key of a Plan).
	Plan string `json:"plan" jsonschema:"required,pattern=^[a-z0-9-]+$,maxLength=40"`
}

// planGrantView is an organization's plan after a grant or its removal.
type planGrantView struct {
	// Public ID of the organization.
	OrganizationID string `json:"organization_id" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	// The plan the organization is on now: the better of the granted plan and the one it
	// subscribes to.
	Plan planView `json:"plan"`
	// Key of the plan support granted; null when none.
	GrantedPlan *string `json:"granted_plan" jsonschema:"nullable"`
	// Listings the change paused (public IDs), beyond the plan's active-listing limit.
	PausedListings []string `json:"paused_listings"`
	// Paused listings the change put back on sale (public IDs).
	ResumedListings []string `json:"resumed_listings"`
}

// grantPlan lets a platform administrator grant an organization a plan (a comp account):
// the organization is then on the better of it and its subscribed plan (billing.Grant).
func (s *Server) grantPlan(w http.ResponseWriter, r *http.Request) error {
	admin, err := s.requirePlatformAdmin(r, "Only platform administrators grant plans.")
	if err != nil {
		return err
	}
	var req planGrantRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if strings.TrimSpace(req.Plan) == "" {
		return invalid(FieldError{"plan", "is required: the key of a plan, such as business"})
	}
	return s.changeGrant(w, r, admin, req.Plan)
}

// ungrantPlan removes a plan support granted; the organization goes back to its subscribed
// plan, with the effects of the move.
func (s *Server) ungrantPlan(w http.ResponseWriter, r *http.Request) error {
	admin, err := s.requirePlatformAdmin(r, "Only platform administrators grant plans.")
	if err != nil {
		return err
	}
	return s.changeGrant(w, r, admin, "")
}

func (s *Server) changeGrant(w http.ResponseWriter, r *http.Request, admin uuid.UUID, plan string) error {
	ctx := r.Context()
	var out planGrantView
	err := s.db.InTenant(ctx, store.Tenant{UserID: admin}, func(tx pgx.Tx) error {
		orgID, ref, err := store.OrganizationIDByPublicID(ctx, tx, chi.URLParam(r, "orgID"))
		if errors.Is(err, store.ErrNotFound) {
			return notFound("organization")
		}
		if err != nil {
			return err
		}
		// From here on the administrator acts for the organization, under its policies.
		if err := store.SetTenant(ctx, tx, store.Tenant{OrgID: orgID, UserID: admin}); err != nil {
			return err
		}
		c, err := billing.Grant(ctx, tx, s.notifier, orgID, plan)
		if errors.Is(err, billing.ErrUnknownPlan) {
			return invalid(FieldError{"plan", "is not a plan; see GET /api/v1/billing/plans for their keys"})
		}
		if err != nil {
			return err
		}
		p, err := store.OrganizationPlan(ctx, tx)
		if err != nil {
			return err
		}
		out = planGrantView{OrganizationID: ref.PublicID, Plan: newPlanView(p), PausedListings: nonNil(c.Paused),
			ResumedListings: nonNil(c.Resumed)}
		if plan != "" {
			out.GrantedPlan = &plan
		}
		return nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
