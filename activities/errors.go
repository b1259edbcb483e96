package activities

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/temporal"

	"github.com/reptidex/reptidex/store"
)

// ErrTypeInvalidData is the application error type of an activity whose input the database
// refuses for good (see store.Permanent): retrying it would only repeat the refusal, so the
// workflow takes its failure path at once.
const ErrTypeInvalidData = "InvalidData"

// Classify is how every activity returns an error to Temporal. An error Postgres answers
// for the values it was given (store.Permanent: data exceptions, integrity constraint
// violations, program limits) becomes a non-retryable application error of type
// ErrTypeInvalidData; an application error the activity chose is returned as it is;
// anything else stays retryable, within the bounds of the workflow's retry policy.
func Classify(err error) error {
	var appErr *temporal.ApplicationError
	switch {
	case err == nil || errors.As(err, &appErr):
		return err
	case store.Permanent(err):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeInvalidData, err)
	}
	return err
}

// inTenant runs fn in a tenant transaction, as every activity does, and classifies its error.
func (a *Database) inTenant(ctx context.Context, t store.Tenant, fn func(pgx.Tx) error) error {
	return Classify(a.DB.InTenant(ctx, t, fn))
}

// inTx runs fn in a transaction without a tenant and classifies its error.
func (a *Database) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return Classify(a.DB.InTx(ctx, fn))
}
