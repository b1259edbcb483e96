package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/config"
)

func TestParseStripeEvent_NamesAndFlags(t *testing.T) {
	t.Parallel()
	const base = "http://localhost:8080"
	for _, tc := range []struct {
		name string
		args []string
		want stripeEventArgs
	}{
		{"authorized", []string{"authorized", "--order", "o_1"},
			stripeEventArgs{Type: stripe.EventTypePaymentIntentAmountCapturableUpdated, Order: "o_1", API: base}},
		{"payment failed with a decline code", []string{"payment-failed", "--order=o_1", "--decline-code", "insufficient_funds"},
			stripeEventArgs{Type: stripe.EventTypePaymentIntentPaymentFailed, Order: "o_1", DeclineCode: "insufficient_funds", API: base}},
		{"canceled", []string{"canceled", "--order", "o_1"},
			stripeEventArgs{Type: stripe.EventTypePaymentIntentCanceled, Order: "o_1", API: base}},
		{"refunded in part, on another API", []string{"refunded", "--order", "o_1", "--amount", "5000", "--api", "http://127.0.0.1:9"},
			stripeEventArgs{Type: stripe.EventTypeChargeRefunded, Order: "o_1", Amount: 5000, API: "http://127.0.0.1:9"}},
		{"disputed", []string{"disputed", "--order", "o_1"},
			stripeEventArgs{Type: stripe.EventTypeChargeDisputeCreated, Order: "o_1", API: base}},
		{"account updated", []string{"account-updated", "--organization", "org_1"},
			stripeEventArgs{Type: stripe.EventTypeAccountUpdated, Organization: "org_1", API: base}},
		{"account ready", []string{"account-updated", "--organization", "org_1", "--ready"},
			stripeEventArgs{Type: stripe.EventTypeAccountUpdated, Organization: "org_1", Ready: true, API: base}},
		{"subscribed", []string{"subscription-created", "--organization", "org_1", "--plan", "business"},
			stripeEventArgs{Type: stripe.EventTypeCustomerSubscriptionCreated, Organization: "org_1", Plan: "business", API: base}},
		{"past due, to end", []string{"subscription-updated", "--organization", "org_1", "--status", "past_due", "--cancel-at-period-end"},
			stripeEventArgs{Type: stripe.EventTypeCustomerSubscriptionUpdated, Organization: "org_1", Status: "past_due", CancelAtEnd: true, API: base}},
		{"renewal declined", []string{"invoice-failed", "--organization", "org_1"},
			stripeEventArgs{Type: stripe.EventTypeInvoicePaymentFailed, Organization: "org_1", API: base}},
		{"invoice paid", []string{"invoice-paid", "--organization", "org_1", "--invoice", "in_1"},
			stripeEventArgs{Type: stripe.EventTypeInvoicePaid, Organization: "org_1", Invoice: "in_1", API: base}},
		{"card added", []string{"payment-method-attached", "--organization", "org_1"},
			stripeEventArgs{Type: stripe.EventTypePaymentMethodAttached, Organization: "org_1", API: base}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseStripeEvent(tc.args, base, io.Discard)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestParseStripeEvent_RefusesWhatDoesNotGoTogether(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		nil,
		{"--order", "o_1", "authorized"},
		{"charge.refunded", "--order", "o_1"},
		{"authorized"},
		{"authorized", "--order", "o_1", "extra"},
		{"authorized", "--order", "o_1", "--organization", "org_1"},
		{"authorized", "--order", "o_1", "--ready"},
		{"authorized", "--order", "o_1", "--amount", "100"},
		{"refunded", "--order", "o_1", "--amount", "-1"},
		{"canceled", "--order", "o_1", "--decline-code", "lost_card"},
		{"account-updated"},
		{"account-updated", "--order", "o_1"},
		{"account-updated", "--organization", "org_1", "--api", ""},
		{"authorized", "--order", "o_1", "--unknown"},
		{"authorized", "--order", "o_1", "--plan", "pro"},
		{"subscription-created"},
		{"subscription-created", "--order", "o_1"},
		{"subscription-created", "--organization", "org_1", "--invoice", "in_1"},
		{"subscription-created", "--organization", "org_1", "--cancel-at-period-end"},
		{"invoice-paid", "--organization", "org_1"},
		{"invoice-failed", "--organization", "org_1", "--plan", "pro"},
		{"payment-method-attached", "--organization", "org_1", "--status", "active"},
	} {
		var usage bytes.Buffer
		_, err := parseStripeEvent(args, "http://localhost:8080", &usage)
		require.ErrorIs(t, err, errUsage, "%q", args)
		require.Contains(t, usage.String(), "Usage: reptidex stripe-event", "%q", args)
	}
}

func TestParseStripeEvent_HelpIsNotAnError(t *testing.T) {
	t.Parallel()
	var usage bytes.Buffer
	_, err := parseStripeEvent([]string{"authorized", "-h"}, "http://localhost:8080", &usage)
	require.ErrorIs(t, err, flag.ErrHelp)
	require.Contains(t, usage.String(), "account-updated")
}

func TestStripeEvent_ReadyOnlyInDevelopment(t *testing.T) {
	t.Parallel()
	for _, env := range []string{"test", "production"} {
		a := &app{cfg: config.Config{Env: env}, log: slog.New(slog.DiscardHandler)}
		a.cfg.HTTP.PublicBaseURL = "http://localhost:8080"
		a.cfg.Database.AdminURL = "postgres://nobody@127.0.0.1:1/none" // never reached
		err := a.runStripeEvent(context.Background(), []string{"account-updated", "--organization", "org_1", "--ready"},
			io.Discard, io.Discard)
		require.ErrorContains(t, err, "REPTIDEX_ENV=development only", env)
	}
}
