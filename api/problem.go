package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/reptidex/reptidex/billing"
)

// Problem is an RFC 9457 problem detail: the only shape an error leaves the API in.
type Problem struct {
	// Stable problem type, a link to its entry on /docs: /docs#problem-malformed-request (400
	// Malformed request); /docs#problem-validation-failed (422 Validation failed);
	// /docs#problem-body-too-large (413 Request body too large);
	// /docs#problem-unsupported-media-type (415 Unsupported media type);
	// /docs#problem-unauthenticated (401 Authentication required);
	// /docs#problem-invalid-credentials (401 Invalid credentials); /docs#problem-forbidden (403
	// Forbidden); /docs#problem-email-not-verified (403 Email address not verified);
	// /docs#problem-not-found (404 Not found); /docs#problem-plan-limit (402 Plan limit
	// reached); /docs#problem-method-not-allowed (405 Method not
	// allowed); /docs#problem-conflict (409 Conflict); /docs#problem-seller-not-ready (409
	// Seller account not ready); /docs#problem-gone (410 Gone);
	// /docs#problem-precondition-failed (412 Precondition failed);
	// /docs#problem-precondition-required (428 Precondition required); /docs#problem-rate-limited
	// (429 Too many requests); /docs#problem-internal (500 Internal server error);
	// /docs#problem-unavailable (503 Service unavailable).
	Type string `json:"type" jsonschema:"format=uri-reference"`
	// The type's fixed title, such as 'Validation failed'.
	Title string `json:"title"`
	// The HTTP status code.
	Status int `json:"status"`
	// What went wrong, for a person.
	Detail string `json:"detail,omitempty"`
	// The request path.
	Instance string `json:"instance,omitempty"`
	// The request's ID, to quote when reporting a problem.
	RequestID string `json:"request_id,omitempty"`
	// For validation-failed: each invalid field.
	Errors []FieldError `json:"errors,omitempty"`
	// For plan-limit: the limit refused (animals, active_listings, certificates_per_month,
	// scheduled_exports, sms_per_month or members).
	Limit string `json:"limit,omitempty" jsonschema:"enum=animals,enum=active_listings,enum=certificates_per_month,enum=scheduled_exports,enum=sms_per_month,enum=members"`
	// For plan-limit: the key of the organization's plan, such as free.
	Plan string `json:"plan,omitempty"`
	// For plan-limit: how much of the limit the organization holds or used (this calendar
	// month, UTC, for a monthly limit).
	Used *int `json:"used,omitempty" jsonschema:"minimum=0"`
	// For plan-limit: how much the plan allows.
	Allowed *int `json:"allowed,omitempty" jsonschema:"minimum=0"`
	// For plan-limit: where the plans and what each allows are listed, to upgrade.
	UpgradeURL string `json:"upgrade_url,omitempty" jsonschema:"format=uri-reference"`

	retryAfter time.Duration
}

// FieldError names one invalid field of a request and what is wrong with it.
type FieldError struct {
	// The JSON field (or query parameter) at fault.
	Field string `json:"field"`
	// What is wrong with it.
	Message string `json:"message"`
}

// Error lets a Problem travel as an error from a handler to the error funnel.
func (p *Problem) Error() string { return fmt.Sprintf("%d %s: %s", p.Status, p.Title, p.Detail) }

// problemKind is one stable problem type; its slug is documented on /docs.
type problemKind struct {
	slug   string
	title  string
	status int
}

// The problem types the API answers with. Their slugs are part of the API contract.
var (
	kindMalformed            = problemKind{"malformed-request", "Malformed request", http.StatusBadRequest}
	kindValidation           = problemKind{"validation-failed", "Validation failed", http.StatusUnprocessableEntity}
	kindTooLarge             = problemKind{"body-too-large", "Request body too large", http.StatusRequestEntityTooLarge}
	kindUnsupportedType      = problemKind{"unsupported-media-type", "Unsupported media type", http.StatusUnsupportedMediaType}
	kindUnauthenticated      = problemKind{"unauthenticated", "Authentication required", http.StatusUnauthorized}
	kindBadCredentials       = problemKind{"invalid-credentials", "Invalid credentials", http.StatusUnauthorized}
	kindForbidden            = problemKind{"forbidden", "Forbidden", http.StatusForbidden}
	kindEmailUnverified      = problemKind{"email-not-verified", "Email address not verified", http.StatusForbidden}
	kindNotFound             = problemKind{"not-found", "Not found", http.StatusNotFound}
	kindMethod               = problemKind{"method-not-allowed", "Method not allowed", http.StatusMethodNotAllowed}
	kindConflict             = problemKind{"conflict", "Conflict", http.StatusConflict}
	kindGone                 = problemKind{"gone", "Gone", http.StatusGone}
	kindPrecondition         = problemKind{"precondition-failed", "Precondition failed", http.StatusPreconditionFailed}
	kindPreconditionRequired = problemKind{"precondition-required", "Precondition required", http.StatusPreconditionRequired}
	kindSellerNotReady       = problemKind{"seller-not-ready", "Seller account not ready", http.StatusConflict}
	kindPlanLimit            = problemKind{"plan-limit", "Plan limit reached", http.StatusPaymentRequired}
	kindRateLimited          = problemKind{"rate-limited", "Too many requests", http.StatusTooManyRequests}
	kindInternal             = problemKind{"internal", "Internal server error", http.StatusInternalServerError}
	kindUnavailable          = problemKind{"unavailable", "Service unavailable", http.StatusServiceUnavailable}
)

// problemKinds lists every kind, for the documentation page.
var problemKinds = []problemKind{
	kindMalformed, kindValidation, kindTooLarge, kindUnsupportedType, kindUnauthenticated,
	kindBadCredentials, kindPlanLimit, kindForbidden, kindEmailUnverified, kindNotFound, kindMethod, kindConflict, kindSellerNotReady, kindGone, kindPrecondition, kindPreconditionRequired, kindRateLimited,
	kindInternal, kindUnavailable,
}

func (k problemKind) typeURI() string { return "/docs#problem-" + k.slug }

func newProblem(k problemKind, detail string) *Problem {
	return &Problem{Type: k.typeURI(), Title: k.title, Status: k.status, Detail: detail}
}

// invalidFields is the 422 of a command's refused fields, each a field and its message as the
// domain packages refuse them (marketplace.FieldErrors, media.FieldErrors).
func invalidFields[F ~struct{ Field, Message string }](fields []F) *Problem {
	out := make([]FieldError, 0, len(fields))
	for _, f := range fields {
		out = append(out, FieldError(struct{ Field, Message string }(f)))
	}
	return invalid(out...)
}

// maxFieldErrors bounds the fields one problem lists, so that a body of many bad items
// cannot make an answer larger than it.
const maxFieldErrors = 20

// invalid is a 422 naming each invalid field, the first maxFieldErrors of them.
func invalid(errs ...FieldError) *Problem {
	p := newProblem(kindValidation, "The request has invalid fields.")
	if len(errs) == 1 {
		p.Detail = errs[0].Field + ": " + errs[0].Message
	}
	if len(errs) > maxFieldErrors {
		p.Detail = fmt.Sprintf("The request has %d invalid fields; the first %d are listed.", len(errs), maxFieldErrors)
		errs = errs[:maxFieldErrors]
	}
	p.Errors = errs
	return p
}

func notFound(what string) *Problem { return newProblem(kindNotFound, what+" not found") }

// plansPath lists the plans and their limits: where a plan-limit problem sends the caller to
// upgrade.
const plansPath = "/api/v1/billing/plans"

// planLimitProblem is the 402 of an action the organization's plan does not allow, naming
// the limit, the plan, what is used and what is allowed.
func planLimitProblem(e *billing.LimitError) *Problem {
	detail := fmt.Sprintf("The %s plan allows %d %s and the organization has %d; upgrade to add more.",
		e.PlanName, e.Allowed, limitWords(e.Limit), e.Used)
	switch {
	case e.Above:
		detail = fmt.Sprintf("The organization is above its plan's limit: it keeps %d animals and the %s plan allows %d. "+
			"This animal is beyond them, so it can be read but not changed until the organization upgrades or moves animals out.",
			e.Used, e.PlanName, e.Allowed)
	case e.Limit == billing.CertificatesPerMonth || e.Limit == billing.SMSPerMonth:
		detail = fmt.Sprintf("The %s plan allows %d %s a calendar month (UTC) and the organization has used %d; "+
			"upgrade, or wait for next month.", e.PlanName, e.Allowed, limitWords(e.Limit), e.Used)
	}
	p := newProblem(kindPlanLimit, detail)
	used, allowed := e.Used, e.Allowed
	p.Limit, p.Plan, p.Used, p.Allowed, p.UpgradeURL = string(e.Limit), e.Plan, &used, &allowed, plansPath
	return p
}

// limitWords names what a limit counts, for a person.
func limitWords(l billing.LimitName) string {
	switch l {
	case billing.ActiveListings:
		return "active listings"
	case billing.CertificatesPerMonth:
		return "certificates"
	case billing.ScheduledExports:
		return "scheduled exports"
	case billing.SMSPerMonth:
		return "text messages"
	case billing.Members:
		return "members (open invitations included)"
	}
	return string(l)
}
