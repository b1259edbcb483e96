package breeding_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/breeding"
	"github.com/reptidex/reptidex/store"
)

func ptr[T any](v T) *T { return &v }

// requireInvalid checks err refuses the given field of the request.
func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var inv *breeding.InvalidError
	require.True(t, errors.As(err, &inv), "want a refusal of %s, got %v", field, err)
	require.Equal(t, field, inv.Field, "%s", inv.Message)
}

func TestClutchChange_ApplyRefusesCountsAndDatesThatDoNotAddUp(t *testing.T) {
	t.Parallel()
	laid := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		change breeding.ClutchChange
		field  string // empty when accepted
	}{
		{"hatch recorded", breeding.ClutchChange{HatchedOn: ptr("2025-05-28"), Hatched: ptr(4)}, ""},
		{"hatch date cleared", breeding.ClutchChange{HatchedOn: ptr("")}, ""},
		{"more fertile and infertile than laid", breeding.ClutchChange{Infertile: ptr(2)}, "fertile"},
		{"more hatched than fertile", breeding.ClutchChange{Hatched: ptr(6)}, "hatched"},
		{"negative count", breeding.ClutchChange{Eggs: ptr(-1)}, "eggs"},
		{"count past the bound", breeding.ClutchChange{Infertile: ptr(501)}, "infertile"},
		{"not a date", breeding.ClutchChange{LaidOn: ptr("1 April 2025")}, "laid_on"},
		{"laying cleared", breeding.ClutchChange{LaidOn: ptr("")}, "laid_on"},
		{"laid in the future", breeding.ClutchChange{LaidOn: ptr("2999-01-01")}, "laid_on"},
		{"hatched before laid", breeding.ClutchChange{HatchedOn: ptr("2025-03-01")}, "hatched_on"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			clutch := store.Clutch{LaidOn: laid, Eggs: 6, Fertile: 5, Infertile: 1}
			err := c.change.Apply(&clutch)
			if c.field == "" {
				require.NoError(t, err)
				return
			}
			requireInvalid(t, err, c.field)
		})
	}
}

func TestClutchChange_ApplySetsWhatIsGiven(t *testing.T) {
	t.Parallel()
	hatched := time.Date(2025, 5, 28, 0, 0, 0, 0, time.UTC)
	c := store.Clutch{LaidOn: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), Eggs: 6, Fertile: 5, Infertile: 1}
	require.NoError(t, breeding.ClutchChange{HatchedOn: ptr("2025-05-28"), Hatched: ptr(4)}.Apply(&c))
	require.Equal(t, store.Clutch{LaidOn: c.LaidOn, Eggs: 6, Fertile: 5, Infertile: 1, HatchedOn: &hatched, Hatched: 4}, c)
}

func TestNewClutch_NeedsTheEggsAndTheDayTheyWereLaid(t *testing.T) {
	t.Parallel()
	_, err := breeding.NewClutch(breeding.ClutchChange{LaidOn: ptr("2025-04-01")})
	requireInvalid(t, err, "eggs")
	_, err = breeding.NewClutch(breeding.ClutchChange{Eggs: ptr(4)})
	requireInvalid(t, err, "laid_on")

	c, err := breeding.NewClutch(breeding.ClutchChange{LaidOn: ptr("2025-04-01"), Eggs: ptr(4), Fertile: ptr(3)})
	require.NoError(t, err)
	require.NotEmpty(t, c.PublicID)
	require.Equal(t, 4, c.Eggs)
	require.Equal(t, 3, c.Fertile)
}
