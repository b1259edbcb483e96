package activities_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/reptidex/reptidex/activities"
)

// What Postgres answers for the values it was given fails the same way every time: it is
// not retried. Everything else may pass on a later try.
func TestClassify_DataErrorsAreNotRetried(t *testing.T) {
	t.Parallel()
	cases := []struct {
		code      string
		name      string
		permanent bool
	}{
		{"22021", "invalid byte sequence (a NUL, bytes that are not UTF-8)", true},
		{"22P05", "untranslatable character", true},
		{"22001", "string data right truncation", true},
		{"22003", "numeric value out of range", true},
		{"22007", "invalid datetime format", true},
		{"23505", "unique violation", true},
		{"23503", "foreign key violation", true},
		{"23514", "check violation", true},
		{"23502", "not null violation", true},
		{"54000", "program limit exceeded (index row too large)", true},
		{"40001", "serialization failure", false},
		{"40P01", "deadlock detected", false},
		{"57P01", "admin shutdown", false},
		{"57014", "query canceled (statement timeout)", false},
		{"08006", "connection failure", false},
		{"53300", "too many connections", false},
		{"42P01", "undefined table (a migration not yet applied)", false},
		{"55000", "object not in prerequisite state", false},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			t.Parallel()
			pgErr := &pgconn.PgError{Code: c.code, Message: c.name}
			err := activities.Classify(fmt.Errorf("end transfer: %w", pgErr))
			var appErr *temporal.ApplicationError
			if !c.permanent {
				require.False(t, errors.As(err, &appErr), "%s stays retryable: %v", c.name, err)
				require.ErrorIs(t, err, pgErr)
				return
			}
			require.ErrorAs(t, err, &appErr, c.name)
			require.True(t, appErr.NonRetryable(), c.name)
			require.Equal(t, activities.ErrTypeInvalidData, appErr.Type())
			require.ErrorIs(t, err, pgErr, "the database's error is kept as the cause")
		})
	}
}

func TestClassify_LeavesOtherErrorsAsTheyAre(t *testing.T) {
	t.Parallel()
	chosen := temporal.NewApplicationError("the database is unreachable", "Unreachable")
	plain := errors.New("connection refused")
	cases := []struct {
		name string
		err  error
	}{
		{"no error", nil},
		{"an application error the activity chose", chosen},
		{"a refusal wrapping a data error", temporal.NewNonRetryableApplicationError("refused", "MoveRefused", &pgconn.PgError{Code: "23505"})},
		{"an error from outside Postgres", plain},
		{"a cancelled context", context.Canceled},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, c.err, activities.Classify(c.err))
		})
	}
}
