package mailsink

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"unicode/utf8"
)

// maxMIMEDepth bounds how deeply nested multipart bodies are walked.
const maxMIMEDepth = 10

// wordDecoder decodes RFC 2047 encoded words in headers.
var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

// headerInfo is what the store needs from a message's header.
type headerInfo struct {
	subject string
	from    string
	to      []string
}

// parseHeaderInfo reads the header of raw and returns the decoded subject, the
// From address and the To/Cc/Bcc addresses. A message whose header cannot be
// parsed yields an empty headerInfo and an error.
func parseHeaderInfo(raw []byte) (headerInfo, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return headerInfo{}, fmt.Errorf("read message header: %w", err)
	}
	h := msg.Header
	info := headerInfo{
		subject: decodeHeader(h.Get("Subject")),
		from:    parseAddress(h.Get("From")),
	}
	for _, key := range []string{"To", "Cc", "Bcc"} {
		for _, v := range h[textproto.CanonicalMIMEHeaderKey(key)] {
			info.to = append(info.to, parseAddressList(v)...)
		}
	}
	return info, nil
}

// decodeHeader decodes RFC 2047 encoded words in s, returning s unchanged if
// it cannot be decoded.
func decodeHeader(s string) string {
	decoded, err := wordDecoder.DecodeHeader(s)
	if err != nil {
		return s
	}
	return decoded
}

// parseAddress returns the bare address of s, or s trimmed if it is not a
// valid RFC 5322 address.
func parseAddress(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	addr, err := mail.ParseAddress(s)
	if err != nil {
		return s
	}
	return addr.Address
}

// parseAddressList returns the bare addresses of the list s, falling back to
// splitting on commas if s is not a valid RFC 5322 address list.
func parseAddressList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	if list, err := mail.ParseAddressList(s); err == nil {
		out := make([]string, 0, len(list))
		for _, a := range list {
			out = append(out, a.Address)
		}
		return out
	}
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if a := parseAddress(part); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// bodies holds the first text/plain and text/html parts found in a message.
type bodies struct {
	text, html       string
	hasText, hasHTML bool
}

// extractBodies returns the decoded text/plain and text/html bodies of raw,
// walking multipart containers and undoing quoted-printable and base64
// transfer encodings. Line endings are normalized to LF.
func extractBodies(raw []byte) (text, html string, err error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", "", fmt.Errorf("read message: %w", err)
	}
	var b bodies
	if err := walkPart(textproto.MIMEHeader(msg.Header), msg.Body, 0, &b); err != nil {
		// Return whatever was decoded before the error alongside it.
		return b.text, b.html, err
	}
	return b.text, b.html, nil
}

// walkPart collects text bodies from one MIME entity, recursing into
// multipart entities.
func walkPart(h textproto.MIMEHeader, body io.Reader, depth int, b *bodies) error {
	if depth > maxMIMEDepth {
		return errors.New("MIME structure nested too deeply")
	}
	if disp, _, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil && disp == "attachment" {
		return nil
	}
	// A missing or unparseable Content-Type means text/plain (RFC 2045).
	mediaType, params := "text/plain", map[string]string{}
	if mt, p, _ := mime.ParseMediaType(h.Get("Content-Type")); mt != "" {
		mediaType, params = mt, p
	}

	switch {
	case strings.HasPrefix(mediaType, "multipart/"):
		boundary := params["boundary"]
		if boundary == "" {
			return fmt.Errorf("%s part without boundary", mediaType)
		}
		mr := multipart.NewReader(body, boundary)
		for {
			// NextRawPart keeps Content-Transfer-Encoding so every encoding is
			// handled in one place.
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("read %s part: %w", mediaType, err)
			}
			if err := walkPart(p.Header, p, depth+1, b); err != nil {
				return err
			}
			if b.hasText && b.hasHTML {
				return nil
			}
		}
	case mediaType == "text/plain" && !b.hasText:
		s, err := decodeBody(h, body, params["charset"])
		if err != nil {
			return err
		}
		b.text, b.hasText = s, true
	case mediaType == "text/html" && !b.hasHTML:
		s, err := decodeBody(h, body, params["charset"])
		if err != nil {
			return err
		}
		b.html, b.hasHTML = s, true
	}
	return nil
}

// decodeBody undoes the part's Content-Transfer-Encoding, converts it from
// charset to UTF-8 where supported and normalizes line endings.
func decodeBody(h textproto.MIMEHeader, body io.Reader, charset string) (string, error) {
	var r io.Reader = body
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return "", fmt.Errorf("decode %s body: %w", h.Get("Content-Type"), err)
	}
	if isLatin1(charset) {
		data = latin1ToUTF8(data)
	}
	return strings.ReplaceAll(string(data), "\r\n", "\n"), nil
}

// charsetReader lets mime.WordDecoder accept UTF-8, US-ASCII and ISO-8859-1
// (its built-in set) under their common aliases; other charsets are an error,
// which leaves the header undecoded.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	switch {
	case isLatin1(charset):
		data, err := io.ReadAll(input)
		if err != nil {
			return nil, fmt.Errorf("read latin1 text: %w", err)
		}
		return bytes.NewReader(latin1ToUTF8(data)), nil
	case isUTF8Compatible(charset):
		return input, nil
	default:
		return nil, fmt.Errorf("unsupported charset %q", charset)
	}
}

// isUTF8Compatible reports whether text in charset is already valid UTF-8.
func isUTF8Compatible(charset string) bool {
	switch strings.ToLower(strings.TrimSpace(charset)) {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return true
	}
	return false
}

// isLatin1 reports whether charset names ISO-8859-1.
func isLatin1(charset string) bool {
	switch strings.ToLower(strings.TrimSpace(charset)) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1":
		return true
	}
	return false
}

// latin1ToUTF8 converts ISO-8859-1 bytes to UTF-8.
func latin1ToUTF8(data []byte) []byte {
	out := make([]byte, 0, len(data)+len(data)/4)
	for _, c := range data {
		out = utf8.AppendRune(out, rune(c))
	}
	return out
}
