package mailsink_test

import (
	"errors"
	"net/smtp"
	"net/textproto"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/mailsink"
)

func TestSink_RefusesRecipientsOnRejectedDomain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		to       string
		rejected bool
	}{
		{"keeper@rejected.invalid", true},
		{"Keeper@Rejected.INVALID", true},
		{`"odd@name"@rejected.invalid`, true},
		{"keeper@example.com", false},
		{"keeper@sub.rejected.invalid", false},
		{"keeper@rejected.invalid.example.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.to, func(t *testing.T) {
			t.Parallel()
			s, client := startSink(t, "")
			err := send(s, false, "a@reptidex.test", []string{tt.to}, simpleMessage("a@reptidex.test", tt.to, "Hatch day", "Clutch 12 is hatching."))
			msgs, listErr := client.List(ctx(t), "")
			require.NoError(t, listErr)
			if !tt.rejected {
				require.NoError(t, err)
				require.Len(t, msgs, 1)
				return
			}
			var reply *textproto.Error
			require.True(t, errors.As(err, &reply), "want an SMTP reply, got %v", err)
			require.Equal(t, 550, reply.Code)
			require.Equal(t, "5.1.1 mailbox unavailable", reply.Msg)
			require.Empty(t, msgs, "nothing is stored")
		})
	}
}

// A refused recipient fails only its own RCPT TO: the transaction goes on for the others.
func TestSink_DeliversToTheOtherRecipientsOfARefusedOne(t *testing.T) {
	t.Parallel()
	s, client := startSink(t, "")
	c, err := smtp.Dial(s.SMTPAddr())
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	require.NoError(t, c.Mail("a@reptidex.test"))
	require.Error(t, c.Rcpt("gone@"+mailsink.RejectedDomain))
	require.NoError(t, c.Rcpt("keeper@example.com"))
	w, err := c.Data()
	require.NoError(t, err)
	_, err = w.Write([]byte(simpleMessage("a@reptidex.test", "keeper@example.com", "Hatch day", "Clutch 12 is hatching.")))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.NoError(t, c.Quit())

	msgs, err := client.List(ctx(t), "")
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	require.Equal(t, []string{"keeper@example.com"}, msgs[0].To)
}
