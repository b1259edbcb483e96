package marketplace

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/payments"
)

func TestStripeRefusal_TheCountryRefusedIsInvalidCountry(t *testing.T) {
	t.Parallel()
	country := fmt.Errorf("stripe: create account: %w",
		&stripe.Error{Type: stripe.ErrorTypeInvalidRequest, Param: "country", HTTPStatusCode: 400})
	require.ErrorIs(t, stripeRefusal(country), ErrInvalidCountry)

	email := &stripe.Error{Type: stripe.ErrorTypeInvalidRequest, Param: "email", HTTPStatusCode: 400}
	require.NotErrorIs(t, stripeRefusal(email), ErrInvalidCountry)
	unavailable := fmt.Errorf("stripe: %w", payments.ErrUnavailable)
	require.ErrorIs(t, stripeRefusal(unavailable), payments.ErrUnavailable)
	require.NotErrorIs(t, stripeRefusal(errors.New("x")), ErrInvalidCountry)
}
