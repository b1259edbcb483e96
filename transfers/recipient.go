package transfers

import "strings"

// RecipientOfEmail is how an offer to an email address names its recipient in its event,
// under "recipient", where the hourly limits of sends count it (other sends to an address,
// such as invitations, name it the same way): every spelling of one mailbox meets under
// one name.
func RecipientOfEmail(email string) string {
	return "email:" + mailboxOf(email)
}

// RecipientOfOrganization is how an offer to an organization names its recipient in its
// event.
func RecipientOfOrganization(orgPublicID string) string {
	return "org:" + orgPublicID
}

// recipientOf is how the offer o names its recipient.
func recipientOf(o NewOffer) string {
	if o.RecipientOrgPublicID != "" {
		return RecipientOfOrganization(o.RecipientOrgPublicID)
	}
	return RecipientOfEmail(o.RecipientEmail)
}

// mailboxOf is the mailbox an email address reaches, as far as we can tell without asking
// its provider, for counting only (mail goes to the address as given): lowercased, without a
// "+tag" on its local part (which most providers deliver to the untagged mailbox), and at
// Gmail, which ignores dots in local parts, without them. Other providers' aliases (dots at
// Google Workspace domains, "-" tags at some hosts) count apart; the per-account and
// per-organization limits still bound them.
func mailboxOf(email string) string {
	e := strings.ToLower(strings.TrimSpace(email))
	at := strings.LastIndexByte(e, '@')
	if at < 0 {
		return e
	}
	local, domain := e[:at], e[at+1:]
	if i := strings.IndexByte(local, '+'); i > 0 {
		local = local[:i]
	}
	if domain == "googlemail.com" {
		domain = "gmail.com"
	}
	if domain == "gmail.com" {
		local = strings.ReplaceAll(local, ".", "")
	}
	return local + "@" + domain
}
