package breeding_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/breeding"
)

func TestPairingPlan_ValidateDefaultsToPlannedAndRefusesBadFields(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		plan  breeding.PairingPlan
		field string // empty when accepted
	}{
		{"no status", breeding.PairingPlan{}, ""},
		{"a season", breeding.PairingPlan{Status: "active", Season: ptr(2025)}, ""},
		{"unknown status", breeding.PairingPlan{Status: "done"}, "status"},
		{"season before 1900", breeding.PairingPlan{Season: ptr(1899)}, "season"},
		{"season after 2200", breeding.PairingPlan{Season: ptr(2201)}, "season"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			plan := c.plan
			err := plan.Validate()
			if c.field != "" {
				requireInvalid(t, err, c.field)
				return
			}
			require.NoError(t, err)
			if c.plan.Status == "" {
				require.Equal(t, "planned", plan.Status)
			}
		})
	}
}
