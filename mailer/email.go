package mailer

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"
)

// Email is a notification in ReptiDex's branded layout: a title, a few short paragraphs and
// optionally one action, with the reason it was sent and an unsubscribe link in the footer.
// Message renders it as plain text and HTML. Every field is plain text; nothing is trusted
// as markup.
type Email struct {
	// To is the recipient, an RFC 5322 address such as "Ada <ada@example.com>".
	To string
	// Subject is required and must be one line.
	Subject string
	// Preheader is the optional preview line mail clients show after the subject; the HTML
	// part carries it hidden, the text part leaves it out.
	Preheader string
	// Greeting opens the body, e.g. "Hello Ada,"; optional.
	Greeting string
	// Title is the headline; required.
	Title string
	// Paragraphs are the body, one entry per paragraph; line breaks within one are kept.
	Paragraphs []string
	// ActionLabel is the button's text, e.g. "View the clutch"; given together with ActionURL.
	ActionLabel string
	// ActionURL is the absolute http(s) URL of the thing the email is about in the web app.
	ActionURL string
	// Reason tells the recipient why they receive this email, e.g. "You receive this email
	// because you follow Clutch 12."; shown in the footer.
	Reason string
	// UnsubscribeURL is an absolute http(s) URL that stops these emails without logging in;
	// when set, the footer links to it and the message carries it as List-Unsubscribe. A GET
	// (a click in the footer) should ask for confirmation, a POST (one-click, RFC 8058) should
	// unsubscribe at once.
	UnsubscribeURL string
}

//go:embed templates
var templates embed.FS

// The templates are part of the binary; a template that does not parse is a programming error
// that every test of this package reports, hence Must at package initialization.
var (
	htmlLayout = htmltemplate.Must(htmltemplate.ParseFS(templates, "templates/email.html"))
	textLayout = texttemplate.Must(texttemplate.ParseFS(templates, "templates/email.txt"))
)

// layoutData is an Email cleaned up for the templates: one-line fields with their whitespace
// collapsed, paragraphs as their non-blank lines.
type layoutData struct {
	Preheader, Greeting, Title string
	Paragraphs                 [][]string
	ActionLabel, ActionURL     string
	Reason, UnsubscribeURL     string
}

// Message renders e in the layout, as a Message with a plain-text and an HTML body and, when
// e has an unsubscribe URL, the List-Unsubscribe header. It fails when the subject or title is
// missing or a URL is not an absolute http(s) URL.
func (e Email) Message() (Message, error) {
	if err := e.validate(); err != nil {
		return Message{}, err
	}
	d := layoutData{
		Preheader:      oneLine(e.Preheader),
		Greeting:       oneLine(e.Greeting),
		Title:          oneLine(e.Title),
		ActionLabel:    oneLine(e.ActionLabel),
		ActionURL:      e.ActionURL,
		Reason:         oneLine(e.Reason),
		UnsubscribeURL: e.UnsubscribeURL,
	}
	for _, p := range e.Paragraphs {
		var lines []string
		for l := range strings.Lines(p) {
			if l = oneLine(l); l != "" {
				lines = append(lines, l)
			}
		}
		if len(lines) > 0 {
			d.Paragraphs = append(d.Paragraphs, lines)
		}
	}
	var text, html bytes.Buffer
	if err := textLayout.Execute(&text, d); err != nil {
		return Message{}, fmt.Errorf("render email text: %w", err)
	}
	if err := htmlLayout.Execute(&html, d); err != nil {
		return Message{}, fmt.Errorf("render email HTML: %w", err)
	}
	return Message{
		To:              e.To,
		Subject:         strings.TrimSpace(e.Subject),
		Text:            text.String(),
		HTML:            html.String(),
		ListUnsubscribe: e.UnsubscribeURL,
	}, nil
}

// validate reports every field that keeps e from rendering.
func (e Email) validate() error {
	var errs []error
	switch {
	case strings.TrimSpace(e.Subject) == "":
		errs = append(errs, errors.New("email: subject is required"))
	case strings.ContainsAny(e.Subject, "\r\n"):
		errs = append(errs, errors.New("email: subject must be one line"))
	}
	if oneLine(e.Title) == "" {
		errs = append(errs, errors.New("email: title is required"))
	}
	if (oneLine(e.ActionLabel) == "") != (e.ActionURL == "") {
		errs = append(errs, errors.New("email: action needs both a label and a URL"))
	}
	if e.ActionURL != "" {
		if err := checkURL(e.ActionURL); err != nil {
			errs = append(errs, fmt.Errorf("email: action URL: %w", err))
		}
	}
	if e.UnsubscribeURL != "" {
		if err := checkURL(e.UnsubscribeURL); err != nil {
			errs = append(errs, fmt.Errorf("email: unsubscribe URL: %w", err))
		}
	}
	return errors.Join(errs...)
}

// oneLine collapses every run of whitespace in s, line breaks included, into one space.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// maxURL keeps "List-Unsubscribe: <url>" within SMTP's 998-character line limit.
const maxURL = 998 - len("List-Unsubscribe: <>")

// checkURL accepts an absolute http(s) URL that can be written out as it is: in a header
// between angle brackets (so printable ASCII only, and no CR or LF to start a header of its
// own) and in a plain-text body (no spaces, so clients link all of it).
func checkURL(raw string) error {
	if len(raw) > maxURL {
		return fmt.Errorf("longer than %d characters", maxURL)
	}
	for _, r := range raw {
		if r <= ' ' || r >= 0x7f || r == '<' || r == '>' {
			return fmt.Errorf("character %q is not allowed; percent-encode it", r)
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	return nil
}
