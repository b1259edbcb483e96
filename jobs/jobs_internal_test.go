package jobs

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"

	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/process"
)

// A job whose error retrying cannot mend is cancelled at once instead of being tried
// maxAttempts times over days.
func TestCancelIfPermanent(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		err    error
		cancel bool
	}{
		{"a NUL the database refuses", &pgconn.PgError{Code: "22021"}, true},
		{"a constraint the row breaks", &pgconn.PgError{Code: "23514"}, true},
		{"a row that is gone", store.ErrNotFound, true},
		{"a start Temporal refuses as invalid", serviceerror.NewInvalidArgument("workflow ID too long"), true},
		{"a process started with another input", process.ErrStartedOtherwise, true},
		{"Temporal unreachable", serviceerror.NewUnavailable("connection refused"), false},
		{"a serialization failure", &pgconn.PgError{Code: "40001"}, false},
		{"a timeout", context.DeadlineExceeded, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := cancelIfPermanent(fmt.Errorf("start transfer: %w", c.err))
			var cancel *rivertype.JobCancelError
			require.Equal(t, c.cancel, errors.As(err, &cancel), "%v", err)
			require.ErrorIs(t, err, c.err)
		})
	}
	require.NoError(t, cancelIfPermanent(nil))
}
