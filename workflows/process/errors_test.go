package process_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/reptidex/reptidex/workflows/process"
)

func TestIsErrorType_FindsTheTypeOfAWrappedApplicationError(t *testing.T) {
	t.Parallel()
	refused := temporal.NewApplicationError("only the recipient may accept", "Refused")
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"the type itself", refused, true},
		{"wrapped", fmt.Errorf("accept: %w", refused), true},
		{"another type", temporal.NewApplicationError("over", "Ended"), false},
		{"not an application error", errors.New("Refused"), false},
		{"no error", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, c.want, process.IsErrorType(c.err, "Refused"))
		})
	}
}
