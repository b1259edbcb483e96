package billing_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/billing"
)

func intp(v int) *int       { return &v }
func int64p(v int64) *int64 { return &v }
func strp(v string) *string { return &v }

func TestEditCheck_NamesTheFieldAtFault(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		edit  billing.Edit
		field string // empty: accepted
	}{
		{"nothing", billing.Edit{}, ""},
		{"everything valid", billing.Edit{Name: strp(" Pro "), PriceMinor: int64p(100_000_000), Currency: strp("eur"),
			StripePriceID: strp("price_1Nx2abc"), Animals: billing.Limit{Set: true, Value: intp(0)},
			Members: billing.Limit{Set: true}}, ""},
		{"empty stripe price", billing.Edit{StripePriceID: strp("")}, ""},
		{"blank name", billing.Edit{Name: strp("   ")}, "name"},
		{"long name", billing.Edit{Name: strp(strings.Repeat("x", 61))}, "name"},
		{"negative price", billing.Edit{PriceMinor: int64p(-1)}, "price_minor"},
		{"price too high", billing.Edit{PriceMinor: int64p(100_000_001)}, "price_minor"},
		{"upper-case currency", billing.Edit{Currency: strp("USD")}, "currency"},
		{"product instead of price", billing.Edit{StripePriceID: strp("prod_123")}, "stripe_price_id"},
		{"bare price prefix", billing.Edit{StripePriceID: strp("price_")}, "stripe_price_id"},
		{"negative limit", billing.Edit{SMS: billing.Limit{Set: true, Value: intp(-1)}}, "limits.sms_per_month"},
		{"limit too high", billing.Edit{Certificates: billing.Limit{Set: true, Value: intp(100_000_001)}}, "limits.certificates_per_month"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.edit.Check()
			if tc.field == "" {
				require.NoError(t, err)
				return
			}
			var fe *billing.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.field, fe.Field)
		})
	}
}

func TestEditApply_KeepsWhatIsNotSentAndNullMakesUnlimited(t *testing.T) {
	t.Parallel()
	p := billing.Plan{Key: "pro", Name: "Pro", PriceMinor: 1200, Currency: "usd", StripePriceID: "price_a",
		Limits: billing.Limits{Animals: intp(1000), Members: intp(5), SMSPerMonth: intp(100)}}
	five := 5
	e := billing.Edit{Name: strp(" Pro plus "), Animals: billing.Limit{Set: true, Value: &five},
		Members: billing.Limit{Set: true}}
	out := e.Apply(p)
	require.Equal(t, "Pro plus", out.Name)
	require.Equal(t, int64(1200), out.PriceMinor)
	require.Equal(t, "price_a", out.StripePriceID)
	require.Equal(t, intp(5), out.Limits.Animals)
	require.Nil(t, out.Limits.Members, "null makes it unlimited")
	require.Equal(t, intp(100), out.Limits.SMSPerMonth, "a limit not sent is kept")
	five = 6
	require.Equal(t, intp(5), out.Limits.Animals, "the plan does not share the edit's memory")
	require.Equal(t, intp(5), p.Limits.Members, "the plan given is left as it was")
}
