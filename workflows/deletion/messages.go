package deletion

// The notifications a deletion sends the person: what will happen and when, a reminder, that
// it was cancelled, and that it was done; and the new owner of an organization, that they
// own it now.

import (
	"fmt"

	"github.com/reptidex/reptidex/notify"
	"github.com/reptidex/reptidex/web"
)

const when = "2 January 2006 15:04"

// requestedMessage tells the person their account will be erased, when, and what becomes of
// the organizations where they are the last owner.
func requestedMessage(in Input, p Plan) notify.Request {
	body := fmt.Sprintf("Your ReptiDex account will be deleted on %s UTC: your name, address and phone number erased, "+
		"your sessions ended, and what you did in organizations kept under a pseudonym. Until then you can keep it: "+
		"open the link and choose Keep my account.", in.EraseAt.UTC().Format(when))
	for _, f := range p.Fates {
		if f.HeirName != "" {
			body += fmt.Sprintf("\n\n%s: you are its last owner; it will pass to %s.", f.OrgName, f.HeirName)
		} else {
			body += fmt.Sprintf("\n\n%s: you are its only member; it will be closed, its record kept and its listings withdrawn.", f.OrgName)
		}
	}
	return notify.Request{DedupKey: "account-deletion/" + in.UserID.String() + "/" + in.RequestedAt.Format("20060102T150405") + "/requested",
		Type: "account.data", UserID: in.UserID, Title: "Your account will be deleted", Body: body,
		Link: web.DeletionPath, ActionLabel: "Keep my account",
		Data: map[string]any{"erase_at": in.EraseAt.UTC()}}
}

// reminderMessage reminds the person, before the grace ends, that their account will be
// erased.
func reminderMessage(in Input) notify.Request {
	return notify.Request{DedupKey: "account-deletion/" + in.UserID.String() + "/" + in.RequestedAt.Format("20060102T150405") + "/reminder",
		Type: "account.data", UserID: in.UserID, Title: "Your account will be deleted soon",
		Body: fmt.Sprintf("Your ReptiDex account will be deleted on %s UTC, as you asked. To keep it, open the link "+
			"before then and choose Keep my account.", in.EraseAt.UTC().Format(when)),
		Link: web.DeletionPath, ActionLabel: "Keep my account"}
}

// cancelledMessage tells the person their account is kept.
func cancelledMessage(in Input) notify.Request {
	return notify.Request{DedupKey: "account-deletion/" + in.UserID.String() + "/" + in.RequestedAt.Format("20060102T150405") + "/cancelled",
		Type: "account.data", UserID: in.UserID, Title: "Your account will not be deleted",
		Body: "You cancelled the deletion of your ReptiDex account; it stays as it is."}
}

// erasedMessage tells the person their account was erased; it is recorded in the erasure's
// transaction, before their address is.
func erasedMessage(in Input) notify.Request {
	return notify.Request{DedupKey: "account-deletion/" + in.UserID.String() + "/erased", Type: "account.data", UserID: in.UserID,
		Title: "Your account has been deleted",
		Body: "Your ReptiDex account has been deleted, as you asked: your name, address and phone number are erased. " +
			"This is the last message you will receive from us."}
}

// HeirMessage tells the new owner of an organization that its last owner left and it is
// theirs now.
func HeirMessage(in Input, f Fate) notify.Request {
	return notify.Request{DedupKey: "account-deletion/" + in.UserID.String() + "/heir/" + f.OrgID.String(),
		Type: "organization.ownership", OrgID: f.OrgID, UserID: f.HeirID,
		Title: "You now own " + f.OrgName,
		Body: "The last owner of " + f.OrgName + " closed their ReptiDex account, and ownership passed to you as its " +
			"longest-standing member. You can now change its plan, settings and members."}
}
