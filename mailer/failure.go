package mailer

import (
	"errors"
	"net/textproto"
)

// ErrPermanent marks a failed Send that will fail the same way every time: the server refused
// the message or its recipient for good, or the message itself is invalid. Callers drop or
// record such a message instead of retrying it; every other Send error is temporary.
var ErrPermanent = errors.New("mailer: permanent failure")

// permanentError is an error for which errors.Is(err, ErrPermanent) holds, with the cause's
// text and chain (e.g. the *textproto.Error with the server's reply) kept as they were.
type permanentError struct{ err error }

// Error returns the cause's text unchanged.
func (e *permanentError) Error() string { return e.err.Error() }

// Unwrap returns the cause, so errors.As still finds the server's reply.
func (e *permanentError) Unwrap() error { return e.err }

// Is makes errors.Is(err, ErrPermanent) true.
func (e *permanentError) Is(target error) bool { return target == ErrPermanent }

// permanent marks err as permanent.
func permanent(err error) error { return &permanentError{err: err} }

// classify marks err as permanent when the server's reply to the command was a 5xx, a
// permanent negative completion (RFC 5321, section 4.2.1); 4xx replies and transport errors
// stay temporary.
func classify(err error) error {
	var reply *textproto.Error
	if errors.As(err, &reply) && reply.Code >= 500 && reply.Code <= 599 {
		return permanent(err)
	}
	return err
}
