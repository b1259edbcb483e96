// Package sms sends text messages through a Twilio-compatible HTTP API and says of every
// failure whether trying again could help.
package sms

import (
	"context"
	"errors"
)

// ErrPermanent marks a failure that sending the same message again cannot fix: the provider
// refused the number or the message. Callers must not retry an error that wraps it.
var ErrPermanent = errors.New("permanent failure")

// Message is one text message to send.
type Message struct {
	To   string // the recipient; normalized with NormalizePhone before sending
	Body string
}

// Receipt is the provider's acknowledgement of a message it accepted.
type Receipt struct {
	ProviderID string // the provider's message ID (Twilio's SM… sid)
	Status     string // the provider's status at acceptance, e.g. "queued"
}

// Sender delivers text messages. An error wrapping ErrPermanent must not be retried; any
// other error may succeed on a later attempt.
type Sender interface {
	Send(ctx context.Context, m Message) (Receipt, error)
}
