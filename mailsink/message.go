package mailsink

import "time"

// Message is the summary of one received email as returned by the list endpoint.
type Message struct {
	// ID identifies the message in the HTTP API.
	ID string `json:"id"`
	// From is the envelope sender (MAIL FROM).
	From string `json:"from"`
	// To holds every envelope recipient (RCPT TO).
	To []string `json:"to"`
	// Subject is the decoded Subject header.
	Subject string `json:"subject"`
	// ReceivedAt is when the sink accepted the message.
	ReceivedAt time.Time `json:"received_at"`
	// Size is the length of the raw message in bytes.
	Size int `json:"size"`
}

// MessageDetail is a Message together with its decoded text and HTML bodies.
type MessageDetail struct {
	Message
	// Text is the decoded text/plain body, empty if the message has none.
	Text string `json:"text"`
	// HTML is the decoded text/html body, empty if the message has none.
	HTML string `json:"html"`
}
