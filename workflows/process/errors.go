package process

import (
	"errors"

	"go.temporal.io/sdk/temporal"
)

// IsErrorType reports whether err is, or wraps, an application error of type typ: how a
// caller tells a process's refusals (its contract's ErrType constants) from failures.
func IsErrorType(err error, typ string) bool {
	var appErr *temporal.ApplicationError
	return errors.As(err, &appErr) && appErr.Type() == typ
}
