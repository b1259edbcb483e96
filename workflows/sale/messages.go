package sale

// The notifications a sale sends: what asks someone to act (the seller to ship, the buyer to
// confirm the arrival, the platform's admins to decide a problem), escalated until they do;
// the news of each stage; and the outcome to both sides. Every title and body fits what the
// notifications table holds, whatever the names people gave.

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/web"
)

// The notification types of a sale (notify/types.go).
const (
	actionType = "sale.action"
	updateType = "sale.update"
)

// Names in notification titles are cut to that many characters.
const titleNameRunes = 80

func orderLink(in Input) string { return web.OrderPath(in.PublicID) }

func shipKey(in Input) string    { return "sale/" + in.OrderID.String() + "/ship" }
func confirmKey(in Input) string { return "sale/" + in.OrderID.String() + "/confirm" }
func decideKey(in Input, admin uuid.UUID) string {
	return "sale/" + in.OrderID.String() + "/decide/" + admin.String()
}

// shipMessage asks the seller to ship the paid order.
func shipMessage(in Input, shipBy time.Time) notify.Request {
	return notify.Request{DedupKey: shipKey(in), Type: actionType, OrgID: in.SellerOrgID, UserID: in.SellerUserID,
		Title: title("%s is paid for: ship it by %s", in.AnimalName, day(shipBy)),
		Body: clip(fmt.Sprintf("%s ordered %s and the card is authorized; the platform holds the payment. Ship by %s and mark the order shipped with the carrier and tracking number, or the order is cancelled. You are paid when the buyer confirms the animal arrived alive, or when the live-arrival window passes.",
			in.BuyerName, in.AnimalName, when(shipBy)), notify.MaxBodyRunes),
		Link: orderLink(in), ActionLabel: "Mark it shipped", Data: map[string]any{"order_id": in.PublicID}}
}

// paidMessage tells the buyer the payment is held and the seller is to ship.
func paidMessage(in Input, shipBy time.Time) notify.Request {
	return notify.Request{DedupKey: "sale/" + in.OrderID.String() + "/paid", Type: updateType, OrgID: in.BuyerOrgID,
		UserID: in.BuyerUserID, Title: title("Your order of %s is paid", in.AnimalName),
		Body: clip(fmt.Sprintf("The card is authorized and the payment is held by the platform, not the seller. %s ships by %s; you are charged when it ships.",
			in.SellerName, when(shipBy)), notify.MaxBodyRunes),
		Link: orderLink(in), Data: map[string]any{"order_id": in.PublicID}}
}

// shippedMessage tells the buyer the animal is on its way.
func shippedMessage(in Input, carrier, tracking string) notify.Request {
	return notify.Request{DedupKey: "sale/" + in.OrderID.String() + "/shipped", Type: updateType, OrgID: in.BuyerOrgID,
		UserID: in.BuyerUserID, Title: title("%s is on its way", in.AnimalName),
		Body: clip(fmt.Sprintf("%s shipped %s with %s, tracking number %s. When it arrives, confirm that it arrived alive and as described, or report a problem.",
			in.SellerName, in.AnimalName, carrier, tracking), notify.MaxBodyRunes),
		Link: orderLink(in), Data: map[string]any{"order_id": in.PublicID}}
}

// confirmMessage asks the buyer to confirm the arrival or report a problem.
func confirmMessage(in Input, windowEnds time.Time) notify.Request {
	return notify.Request{DedupKey: confirmKey(in), Type: actionType, OrgID: in.BuyerOrgID, UserID: in.BuyerUserID,
		Title: title("Did %s arrive alive and as described?", in.AnimalName),
		Body: clip(fmt.Sprintf("Confirm the arrival, or report a problem by %s. Unless you report a problem by then, the seller is paid and the animal's record moves to you.",
			when(windowEnds)), notify.MaxBodyRunes),
		Link: orderLink(in), ActionLabel: "Confirm or report a problem", Data: map[string]any{"order_id": in.PublicID}}
}

// decideMessage asks a platform admin to decide a reported problem.
func decideMessage(in Input, admin uuid.UUID, reason string) notify.Request {
	return notify.Request{DedupKey: decideKey(in, admin), Type: actionType, UserID: admin,
		Title: title("Order %s: a problem waits for your decision", in.PublicID),
		Body: clip(fmt.Sprintf("The buyer of %s (%s, sold by %s) reported: %s\n\nRefund the buyer in full or in part, or release the payment to the seller.",
			in.AnimalName, in.BuyerName, in.SellerName, reason), notify.MaxBodyRunes),
		Link: orderLink(in), ActionLabel: "Decide", Data: map[string]any{"order_id": in.PublicID}}
}

// decideReminder reminds a platform admin of an undecided problem.
func decideReminder(in Input, admin uuid.UUID, n int) notify.Request {
	return notify.Request{DedupKey: fmt.Sprintf("%s/reminder/%d", decideKey(in, admin), n), Type: updateType, UserID: admin,
		Title: title("Reminder: order %s waits for your decision", in.PublicID),
		Body:  "A problem the buyer reported is still undecided; undecided at the end of the decision window, the buyer is refunded in full.",
		Link:  orderLink(in), Data: map[string]any{"order_id": in.PublicID}}
}

// alertMessage tells a platform admin of something the sale could not do itself.
func alertMessage(in Input, admin uuid.UUID, what, body string) notify.Request {
	return notify.Request{DedupKey: "sale/" + in.OrderID.String() + "/alert/" + what + "/" + admin.String(), Type: updateType,
		UserID: admin, Title: title("Order %s needs a platform admin", in.PublicID), Body: clip(body, notify.MaxBodyRunes),
		Link: orderLink(in), Data: map[string]any{"order_id": in.PublicID}}
}

// outcomeMessage tells one side how the sale ended.
func outcomeMessage(in Input, st State, user, org uuid.UUID) notify.Request {
	return notify.Request{DedupKey: "sale/" + in.OrderID.String() + "/outcome/" + user.String(), Type: updateType,
		OrgID: org, UserID: user, Title: title("The order of %s is %s", in.AnimalName, string(st.Status)),
		Body: clip(upper(st.Outcome)+".", notify.MaxBodyRunes), Link: orderLink(in),
		Data: map[string]any{"order_id": in.PublicID, "status": string(st.Status)}}
}

func day(t time.Time) string  { return t.UTC().Format("2 January") }
func when(t time.Time) string { return t.UTC().Format("2 January 2006 at 15:04 UTC") }

// upper capitalizes the first letter of an ASCII sentence.
func upper(s string) string {
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// title formats a notification title, each name cut to titleNameRunes characters.
func title(format string, names ...string) string {
	args := make([]any, len(names))
	for i, n := range names {
		args[i] = clip(n, titleNameRunes)
	}
	return clip(fmt.Sprintf(format, args...), notify.MaxTitleRunes)
}

// clip cuts s to at most n characters, ending it with "…" when it was cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
