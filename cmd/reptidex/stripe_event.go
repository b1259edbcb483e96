package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/stripehooks"
)

const stripeEventUsage = `Usage: reptidex stripe-event <event> [flags]

Posts to the local API the webhook event Stripe would send, signed with STRIPE_WEBHOOK_SECRET:
stripe-mock keeps no state and sends none. The order or account is read through
DATABASE_ADMIN_URL.

Events about an order (--order <order public ID>, once its sale has asked for payment):
  authorized       payment_intent.amount_capturable_updated: the buyer's card is authorized
  payment-failed   payment_intent.payment_failed: the card is declined (--decline-code, default generic_decline)
  canceled         payment_intent.canceled: the authorization lapsed
  refunded         charge.refunded (--amount: refunded in all, in minor units; default the whole charge)
  disputed         charge.dispute.created: the buyer disputed the payment with their card issuer

Events about an organization's subscription (--organization <organization public ID>):
  subscription-created     customer.subscription.created: a new subscription to --plan (default pro),
                           as Checkout completes it (--status, default active)
  subscription-updated     customer.subscription.updated: the current subscription, now on --plan
                           and in --status (each default: as it is), --cancel-at-period-end
  subscription-deleted     customer.subscription.deleted: the current subscription ended
  invoice-failed           invoice.payment_failed: the renewal --invoice (default a new one) declined;
                           starts the dunning
  invoice-action-required  invoice.payment_action_required: the bank asks to authenticate --invoice
  invoice-paid             invoice.paid: --invoice paid
  payment-method-attached  payment_method.attached: a card added to the subscription's customer
  A plan needs its Stripe price (reptidex dev sets development ones).

Events about a seller (--organization <organization public ID>, with a seller account):
  account-updated  account.updated; the API re-reads the account from Stripe, and stripe-mock
                   answers every account with charges and payouts disabled, so this can only
                   make a seller not ready. --ready instead records the account as onboarding
                   leaves it (charges and payouts enabled) in the database, posting nothing:
                   development only (REPTIDEX_ENV=development).

Flags:
`

// stripeEventTypes are the events the command posts, by the names it takes.
var stripeEventTypes = map[string]stripe.EventType{
	"authorized":      stripe.EventTypePaymentIntentAmountCapturableUpdated,
	"payment-failed":  stripe.EventTypePaymentIntentPaymentFailed,
	"canceled":        stripe.EventTypePaymentIntentCanceled,
	"refunded":        stripe.EventTypeChargeRefunded,
	"disputed":        stripe.EventTypeChargeDisputeCreated,
	"account-updated": stripe.EventTypeAccountUpdated,

	"subscription-created":    stripe.EventTypeCustomerSubscriptionCreated,
	"subscription-updated":    stripe.EventTypeCustomerSubscriptionUpdated,
	"subscription-deleted":    stripe.EventTypeCustomerSubscriptionDeleted,
	"invoice-failed":          stripe.EventTypeInvoicePaymentFailed,
	"invoice-action-required": stripe.EventTypeInvoicePaymentActionRequired,
	"invoice-paid":            stripe.EventTypeInvoicePaid,
	"payment-method-attached": stripe.EventTypePaymentMethodAttached,
}

// billingEvent reports whether t is about an organization's subscription.
func billingEvent(t stripe.EventType) bool {
	switch t {
	case stripe.EventTypeCustomerSubscriptionCreated, stripe.EventTypeCustomerSubscriptionUpdated,
		stripe.EventTypeCustomerSubscriptionDeleted, stripe.EventTypeInvoicePaymentFailed,
		stripe.EventTypeInvoicePaymentActionRequired, stripe.EventTypeInvoicePaid, stripe.EventTypePaymentMethodAttached:
		return true
	}
	return false
}

// subscriptionEvent reports whether t is about the subscription itself.
func subscriptionEvent(t stripe.EventType) bool {
	return t == stripe.EventTypeCustomerSubscriptionCreated || t == stripe.EventTypeCustomerSubscriptionUpdated ||
		t == stripe.EventTypeCustomerSubscriptionDeleted
}

// errUsage is a command line the command cannot run; the usage is printed with it.
var errUsage = errors.New("usage")

// stripeEventArgs is what `reptidex stripe-event` was asked to post.
type stripeEventArgs struct {
	Type         stripe.EventType
	Order        string // public ID, for the events about an order
	Organization string // public ID, for account.updated
	Ready        bool   // record the seller ready instead of posting
	Amount       int64  // charge.refunded: refunded in all
	DeclineCode  string // payment_intent.payment_failed
	Plan         string // subscription events: the plan's key
	Status       string // subscription events: Stripe's status
	Invoice      string // invoice events: in_...
	CancelAtEnd  bool   // subscription-updated: cancel_at_period_end
	API          string // the API's base URL
}

// parseStripeEvent reads the command line after `stripe-event`; the API is apiBase unless
// --api says otherwise. Usage goes to out.
func parseStripeEvent(args []string, apiBase string, out io.Writer) (stripeEventArgs, error) {
	fs := flag.NewFlagSet("stripe-event", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(out, stripeEventUsage)
		fs.PrintDefaults()
	}
	a := stripeEventArgs{API: apiBase}
	fs.StringVar(&a.Order, "order", "", "public ID of the order")
	fs.StringVar(&a.Organization, "organization", "", "public ID of the seller's organization (account-updated)")
	fs.BoolVar(&a.Ready, "ready", false, "account-updated: record the seller ready in the database instead (development only)")
	fs.Int64Var(&a.Amount, "amount", 0, "refunded: the amount refunded in all, in minor units (default the whole charge)")
	fs.StringVar(&a.DeclineCode, "decline-code", "", "payment-failed: the issuer's decline code (default generic_decline)")
	fs.StringVar(&a.Plan, "plan", "", "subscription events: the plan (pro, business)")
	fs.StringVar(&a.Status, "status", "", "subscription events: Stripe's status (active, past_due, ...)")
	fs.StringVar(&a.Invoice, "invoice", "", "invoice events: the invoice (in_...)")
	fs.BoolVar(&a.CancelAtEnd, "cancel-at-period-end", false, "subscription-updated: the subscription ends at the end of the period")
	fs.StringVar(&a.API, "api", apiBase, "base URL of the API")
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs.Usage()
		return stripeEventArgs{}, fmt.Errorf("%w: name the event first", errUsage)
	}
	typ, ok := stripeEventTypes[args[0]]
	if !ok {
		fs.Usage()
		return stripeEventArgs{}, fmt.Errorf("%w: unknown event %q", errUsage, args[0])
	}
	a.Type = typ
	if err := fs.Parse(args[1:]); err != nil {
		return stripeEventArgs{}, fmt.Errorf("%w: %w", errUsage, err)
	}
	if err := a.check(args[0], fs.NArg()); err != nil {
		fs.Usage()
		return stripeEventArgs{}, fmt.Errorf("%w: %s", errUsage, err)
	}
	return a, nil
}

// check refuses flags that do not go with the event.
func (a stripeEventArgs) check(name string, extra int) error {
	account := a.Type == stripe.EventTypeAccountUpdated
	billing := billingEvent(a.Type)
	switch {
	case extra > 0:
		return errors.New("unexpected arguments after the flags")
	case a.API == "":
		return errors.New("--api is empty")
	case billing:
		return a.checkBilling(name)
	case a.Plan != "" || a.Status != "" || a.Invoice != "" || a.CancelAtEnd:
		return errors.New("--plan, --status, --invoice and --cancel-at-period-end are for the subscription's events")
	case account && a.Organization == "":
		return errors.New("account-updated needs --organization")
	case account && a.Order != "":
		return errors.New("account-updated takes --organization, not --order")
	case !account && a.Order == "":
		return fmt.Errorf("%s needs --order", name)
	case !account && (a.Organization != "" || a.Ready):
		return fmt.Errorf("%s takes --order, not --organization or --ready", name)
	case a.Amount < 0 || (a.Amount != 0 && a.Type != stripe.EventTypeChargeRefunded):
		return errors.New("--amount is a positive amount, for refunded only")
	case a.DeclineCode != "" && a.Type != stripe.EventTypePaymentIntentPaymentFailed:
		return errors.New("--decline-code is for payment-failed only")
	}
	return nil
}

// checkBilling refuses flags that do not go with an event about a subscription.
func (a stripeEventArgs) checkBilling(name string) error {
	invoice := strings.HasPrefix(string(a.Type), "invoice.")
	switch {
	case a.Organization == "":
		return fmt.Errorf("%s needs --organization", name)
	case a.Order != "" || a.Ready || a.Amount != 0 || a.DeclineCode != "":
		return fmt.Errorf("%s takes --organization, not --order, --ready, --amount or --decline-code", name)
	case !subscriptionEvent(a.Type) && (a.Plan != "" || a.Status != ""):
		return errors.New("--plan and --status are for the subscription-* events")
	case a.CancelAtEnd && a.Type != stripe.EventTypeCustomerSubscriptionUpdated:
		return errors.New("--cancel-at-period-end is for subscription-updated only")
	case !invoice && a.Invoice != "":
		return errors.New("--invoice is for the invoice-* events")
	case invoice && a.Type != stripe.EventTypeInvoicePaymentFailed && a.Invoice == "":
		return fmt.Errorf("%s needs --invoice (the one invoice-failed posted)", name)
	}
	return nil
}

// billingPayload renders an event about the organization's subscription, with the IDs the
// platform recorded (a new subscription, or invoice, when the event starts one).
func (a stripeEventArgs) billingPayload(ctx context.Context, owner store.Querier) ([]byte, error) {
	s, err := store.SubscriptionAsOwner(ctx, owner, a.Organization)
	if err != nil {
		return nil, err
	}
	sub := stripehooks.SubscriptionState{ID: s.SubscriptionID, CustomerID: or(s.SubscriptionCustomer, s.CustomerID),
		OrgPublicID: a.Organization, Status: stripe.SubscriptionStatus(or(a.Status, s.Status)), PriceID: s.PriceID,
		CancelAtPeriodEnd: a.CancelAtEnd}
	if a.Type == stripe.EventTypeCustomerSubscriptionCreated {
		sub.ID, sub.CustomerID = "sub_"+randomID(), or(s.CustomerID, "cus_"+randomID())
		sub.Status = stripe.SubscriptionStatus(or(a.Status, "active"))
		a.Plan = or(a.Plan, "pro")
	}
	if sub.ID == "" {
		return nil, fmt.Errorf("organization %s has no subscription yet: post subscription-created first", a.Organization)
	}
	if a.Plan != "" {
		if sub.PriceID = s.Prices[a.Plan]; sub.PriceID == "" {
			return nil, fmt.Errorf("plan %q has no Stripe price: set one with PATCH /api/v1/admin/billing/plans/%s", a.Plan, a.Plan)
		}
	}
	switch a.Type {
	case stripe.EventTypeCustomerSubscriptionCreated, stripe.EventTypeCustomerSubscriptionUpdated:
		return stripehooks.BuildSubscriptionEvent(a.Type, sub, time.Now())
	case stripe.EventTypeCustomerSubscriptionDeleted:
		sub.Status = stripe.SubscriptionStatusCanceled
		return stripehooks.BuildSubscriptionEvent(a.Type, sub, time.Now())
	case stripe.EventTypePaymentMethodAttached:
		return stripehooks.BuildPaymentMethodEvent(sub.CustomerID, time.Now())
	}
	return stripehooks.BuildInvoiceEvent(a.Type, stripehooks.InvoiceState{ID: or(a.Invoice, "in_"+randomID()),
		SubscriptionID: sub.ID, CustomerID: sub.CustomerID, OrgPublicID: a.Organization, AmountDue: 1200}, time.Now())
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// randomID is 16 random hex digits, for the IDs Stripe would give.
func randomID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// payload renders the event through the owner's connection.
func (a stripeEventArgs) payload(ctx context.Context, owner store.Querier) ([]byte, error) {
	if billingEvent(a.Type) {
		return a.billingPayload(ctx, owner)
	}
	if a.Type == stripe.EventTypeAccountUpdated {
		return stripehooks.AccountEvent(ctx, owner, a.Organization)
	}
	return stripehooks.OrderEvent(ctx, owner, a.Type, a.Order, stripehooks.SalePayment{
		AmountRefunded: a.Amount, DeclineCode: stripe.DeclineCode(a.DeclineCode)})
}

// runStripeEvent posts the event the command line names, or with --ready records the seller
// ready, and prints what happened to out (the usage to errOut).
func (a *app) runStripeEvent(ctx context.Context, args []string, out, errOut io.Writer) error {
	ev, err := parseStripeEvent(args, a.cfg.HTTP.PublicBaseURL, errOut)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if ev.Ready && a.cfg.Env != "development" {
		return fmt.Errorf("--ready writes the seller account directly and runs with REPTIDEX_ENV=development only (it is %s)", a.cfg.Env)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	owner, err := pgxpool.New(ctx, a.cfg.Database.AdminURL)
	if err != nil {
		return fmt.Errorf("connect as the schema owner: %w", err)
	}
	defer owner.Close()
	if ev.Ready {
		acct, err := store.MarkSellerReadyAsOwner(ctx, owner, ev.Organization)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "seller account %s of organization %s recorded ready: charges and payouts enabled (development only; no event posted)\n",
			acct.StripeAccountID, ev.Organization)
		return nil
	}
	payload, err := ev.payload(ctx, owner)
	if err != nil {
		return err
	}
	d, err := stripehooks.Deliver(ctx, &http.Client{Timeout: 20 * time.Second}, ev.API, a.cfg.Stripe.WebhookSecret, payload)
	if err != nil {
		return err
	}
	var sent struct {
		ID   string `json:"id"`
		Data struct {
			Object struct {
				ID string `json:"id"`
			} `json:"object"`
		} `json:"data"`
	}
	_ = json.Unmarshal(payload, &sent) // rendered just above: it has an id
	fmt.Fprintf(out, "posted %s %s about %s to %s: %d %s\n", ev.Type, sent.ID, sent.Data.Object.ID,
		strings.TrimSuffix(ev.API, "/")+stripehooks.WebhookPath, d.Status, strings.TrimSpace(string(d.Body)))
	if d.Status < 200 || d.Status > 299 {
		return fmt.Errorf("the API refused the event: %d", d.Status)
	}
	return nil
}
