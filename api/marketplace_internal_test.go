package api

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/marketplace"
)

// RequireSeller's refusal is a 409 seller-not-ready naming what is missing, for every
// endpoint that lists or sells.
func TestSellerProblem_NotReadyNamesWhatIsMissing(t *testing.T) {
	t.Parallel()
	var p *Problem
	require.True(t, errors.As(sellerProblem(&marketplace.NotReadyError{NoAccount: true}), &p))
	require.Equal(t, http.StatusConflict, p.Status)
	require.Equal(t, "/docs#problem-seller-not-ready", p.Type)
	require.Contains(t, p.Detail, "no seller account")
	require.Contains(t, p.Detail, "POST /api/v1/marketplace/seller-account")

	require.True(t, errors.As(sellerProblem(&marketplace.NotReadyError{ChargesDisabled: true, PayoutsDisabled: true,
		RequirementsDue: []string{"external_account", "individual.dob.day"}}), &p))
	require.Equal(t, http.StatusConflict, p.Status)
	for _, want := range []string{"charges are not enabled", "payouts are not enabled", "external_account",
		"individual.dob.day", "onboarding-link"} {
		require.Contains(t, p.Detail, want)
	}

	require.True(t, errors.As(sellerProblem(&marketplace.NotReadyError{PayoutsDisabled: true}), &p))
	require.NotContains(t, p.Detail, "charges")
	require.Contains(t, p.Detail, "payouts are not enabled")

	other := errors.New("x")
	require.Same(t, other, sellerProblem(other))
	require.NoError(t, sellerProblem(nil))
}
