package sms_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/mailsink"
	"github.com/reptidex/reptidex/sms"
)

// startSink starts a mail sink on free loopback ports and returns an SMS client configured
// for it the way the defaults configure one for `make dev`, and a reader of what it records.
func startSink(t *testing.T) (*sms.Client, *mailsink.Client) {
	t.Helper()
	sink := mailsink.New(mailsink.Config{SMTPAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0"}, nil)
	require.NoError(t, sink.Start())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		require.NoError(t, sink.Shutdown(ctx))
	})
	c := sms.New(config.SMS{ProviderURL: sink.URL() + "/sms", AccountSID: "ACdev", AuthToken: "dev", From: testFrom})
	return c, &mailsink.Client{BaseURL: sink.URL()}
}

func TestClient_AgainstTheMailSink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		to            string
		wantRecorded  string // E.164 number recorded; empty when refused
		wantPermanent bool
		wantCode      int
	}{
		{"typed number is delivered in E.164", "+44 7700 900123", "+447700900123", false, 0},
		{"reserved number is refused permanently", mailsink.RefusedSMSPrefix + "123", "", true, sms.CodeInvalidTo},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, sink := startSink(t)
			rcpt, err := c.Send(t.Context(), sms.Message{To: tt.to, Body: "Your clutch is due"})
			recorded, listErr := sink.ListSMS(t.Context(), "")
			require.NoError(t, listErr)
			if tt.wantPermanent {
				require.ErrorIs(t, err, sms.ErrPermanent)
				pe, ok := errors.AsType[*sms.ProviderError](err)
				require.True(t, ok, "%v", err)
				require.Equal(t, tt.wantCode, pe.Code)
				require.Empty(t, recorded)
				return
			}
			require.NoError(t, err)
			require.Equal(t, "queued", rcpt.Status)
			require.Len(t, recorded, 1)
			require.Equal(t, rcpt.ProviderID, recorded[0].ID)
			require.Equal(t, tt.wantRecorded, recorded[0].To)
			require.Equal(t, testFrom, recorded[0].From)
			require.Equal(t, "Your clutch is due", recorded[0].Body)
		})
	}
}

func TestClientCheckAccount_AgainstTheMailSink(t *testing.T) {
	t.Parallel()
	c, _ := startSink(t)
	require.NoError(t, c.CheckAccount(t.Context()))

	c.AuthToken = ""
	err := c.CheckAccount(t.Context())
	require.ErrorContains(t, err, "401")
	require.NotErrorIs(t, err, sms.ErrPermanent, "credentials can be fixed: not the message's fault")
}
