// Package mailsink is a local SMTP server for development and tests that keeps
// every message it receives and serves them back over a small JSON HTTP API.
//
// In development ReptiDex sends its email to a Sink instead of a real mail
// provider; integration tests start a Sink on 127.0.0.1:0 and read the mail
// back with a Client.
package mailsink
