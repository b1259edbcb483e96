package dunning

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/web"
)

// PortalLink is where an owner fixes the payment: the billing page, whose button opens a
// fresh billing portal session on every click, so a link in an old email still works.
const PortalLink = web.BillingPath

// InvoicePayLink is the billing page at one open invoice, whose button opens the invoice's
// page at Stripe as it is when clicked, to pay or authenticate it.
func InvoicePayLink(invoiceID string) string { return web.BillingPath + "#invoice-" + invoiceID }

// NotificationType is the type of every dunning notice.
const NotificationType = "billing.payment"

// Message is what one owner or admin (to) is told of n: once per notice and person,
// however often it is sent.
func Message(n Notice, to uuid.UUID) notify.Request {
	r := notify.Request{Type: NotificationType, OrgID: n.OrgID, UserID: to, Link: PortalLink,
		ActionLabel: "Update the payment method",
		Data:        map[string]any{"subscription": n.SubscriptionID, "kind": n.Kind}}
	key := "dunning/" + n.SubscriptionID + "/" + n.Kind + "/"
	grace := n.GraceEnds.UTC().Format("2 January 2006")
	switch n.Kind {
	case NoticeFailed:
		key += n.InvoiceID
		r.Title = "Your ReptiDex payment did not go through"
		r.Body = "We could not collect your subscription's renewal. Nothing changes for now: your plan and " +
			"everything in it stay as they are while we try again. Update your payment method and we " +
			"retry at once. If the invoice is still unpaid on " + grace + ", your organization moves to " +
			"the Free plan; nothing is deleted, and paying restores your plan immediately."
	case NoticeAction:
		key += n.InvoiceID
		r.Title = "Your bank asks you to confirm a ReptiDex payment"
		r.Body = "Your bank needs you to authenticate the renewal payment before it can go through. " +
			"Confirm it on the invoice page; your plan stays as it is meanwhile."
		r.Link, r.ActionLabel = InvoicePayLink(n.InvoiceID), "Confirm the payment"
	case NoticeReminder:
		key += fmt.Sprint(n.Reminder)
		r.Title = "Reminder: your ReptiDex payment is still due"
		r.Body = fmt.Sprintf("Your subscription's renewal is still unpaid. You have %d days left, until %s, "+
			"before your organization moves to the Free plan. Nothing is deleted either way; update your "+
			"payment method and we retry at once.", n.DaysLeft, grace)
	case NoticePaid:
		key += "done"
		r.Title = "Payment received: thank you"
		r.Body = "Your subscription's renewal is paid. Your plan continues as before."
		r.Link, r.ActionLabel = web.BillingPath, "See the subscription"
	}
	r.DedupKey = key + "/" + to.String()
	return r
}
