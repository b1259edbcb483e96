package transfer

// The notifications a transfer sends: the offer (escalated until the recipient acts), the
// reminder, and the outcome to both sides. Every title and body fits what the
// notifications table holds, whatever the names and messages people gave.

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/web"
)

// Names in notification titles are cut to that many characters, so that every title fits
// notify.MaxTitleRunes.
const titleNameRunes = 80

// offerMessage is the offer to one recipient, escalated until they act.
func offerMessage(in Input, rc Recipient, expires time.Time) notify.Request {
	return notify.Request{DedupKey: offerKey(in, rc), Type: "transfer.offered", OrgID: in.OrgID,
		UserID: rc.UserID, Email: rc.Email,
		Title:       title("%s offers you %s", in.OrgName, in.AnimalName),
		Body:        clip(offerBody(in, expires), notify.MaxBodyRunes),
		Link:        web.TransferPath(in.PublicID),
		ActionLabel: "Review the offer",
		Data:        map[string]any{"transfer_id": in.PublicID},
	}
}

// reminderMessage reminds one recipient of the open offer.
func reminderMessage(in Input, rc Recipient) notify.Request {
	return notify.Request{DedupKey: "transfer/" + in.TransferID.String() + "/reminder/" + rc.key(), Type: "transfer.reminder",
		OrgID: in.OrgID, UserID: rc.UserID, Email: rc.Email,
		Title: title("Reminder: %s offers you %s", in.OrgName, in.AnimalName),
		Body:  "The offer is still waiting for your answer; unanswered, it expires.",
		Link:  web.TransferPath(in.PublicID), ActionLabel: "Review the offer"}
}

// outcomeMessage tells one party how the transfer ended.
func outcomeMessage(in Input, st State, p Recipient) notify.Request {
	body := map[Status]string{
		Accepted:  "The animal's record now belongs to the receiving organization. Its lineage stays intact on both sides.",
		Declined:  "The recipient declined the offer; the animal stays with its organization.",
		Cancelled: "The offering organization withdrew the offer.",
		Expired:   "Nobody answered the offer in time; the animal stays with its organization.",
	}[st.Status]
	if st.Status == Declined && st.Reason != "" {
		body += "\n\nTheir reason: " + st.Reason
	}
	return notify.Request{DedupKey: "transfer/" + in.TransferID.String() + "/outcome/" + p.key(), Type: "transfer.outcome",
		OrgID: in.OrgID, UserID: p.UserID, Email: p.Email,
		Title: title("The transfer of %s was %s", in.AnimalName, string(st.Status)),
		Body:  clip(body, notify.MaxBodyRunes),
		Link:  web.TransferPath(in.PublicID)}
}

// offerKey is the dedup key of the offer notification to one recipient.
func offerKey(in Input, r Recipient) string {
	return "transfer/" + in.TransferID.String() + "/offer/" + r.key()
}

func offerBody(in Input, expires time.Time) string {
	body := fmt.Sprintf("%s would like to transfer %s to you. Its record — genetics, lineage and history — moves to the organization you choose when you accept. The offer expires on %s.",
		in.OrgName, in.AnimalName, expires.UTC().Format("2 January 2006 at 15:04 UTC"))
	if in.Message != "" {
		body += "\n\nTheir message: " + in.Message
	}
	return body
}

// title formats a notification title from a format and the names it shows, each cut to
// titleNameRunes characters, so that the title always fits notify.MaxTitleRunes.
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
