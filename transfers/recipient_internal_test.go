package transfers

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMailboxOf_SpellingsOfOneMailboxMeet(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"victim@example.com", "victim@example.com"},
		{" Victim@Example.COM ", "victim@example.com"},
		{"victim+1@example.com", "victim@example.com"},
		{"victim+a+b@example.com", "victim@example.com"},
		{"+tag@example.com", "+tag@example.com"}, // nothing before the tag: the address itself
		{"first.last@example.com", "first.last@example.com"},
		{"First.Last+x@gmail.com", "firstlast@gmail.com"},
		{"first.last@googlemail.com", "firstlast@gmail.com"},
	} {
		require.Equal(t, tc.want, mailboxOf(tc.in), tc.in)
	}
}

// An offer names its recipient by the organization it is made to, or else by the
// mailbox of its address.
func TestRecipientOf_NamesTheOrganizationOrTheMailbox(t *testing.T) {
	t.Parallel()
	require.Equal(t, "org:O1", recipientOf(NewOffer{RecipientOrgPublicID: "O1"}))
	require.Equal(t, "email:firstlast@gmail.com", recipientOf(NewOffer{RecipientEmail: "first.last+x@gmail.com"}))
}
