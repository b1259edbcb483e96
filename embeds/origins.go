package embeds

import (
	"slices"
	"strconv"
	"strings"
)

// The origins an embed may be framed by, as the widget page's frame-ancestors lists them.
// Each is written https://host[:port]: lower case, without the default port, path, query,
// fragment, user or wildcard. Plain http:// is allowed only for a developer's own machine
// (localhost, 127.0.0.1, [::1]). Nothing else gets through, so an origin can never carry a
// character that means something in a CSP header (space, semicolon, comma, quote, star).

// MaxOrigins bounds the origins of one embed.
const MaxOrigins = 10

// maxOriginLen bounds one origin as sent: scheme, a host name of at most 253 characters and
// a port, with room for a trailing slash.
const maxOriginLen = 300

// loopbacks are the hosts plain http:// is allowed for.
var loopbacks = map[string]bool{"localhost": true, "127.0.0.1": true, "[::1]": true}

// Origins checks and normalises the origins of an embed: 1 to MaxOrigins, each as
// NormaliseOrigin has it, each kept once. The field errors name allowed_origins, or the
// item at fault (allowed_origins[2]).
func Origins(in []string) ([]string, error) {
	if len(in) == 0 || len(in) > MaxOrigins {
		return nil, FieldErrors{{"allowed_origins", "must list 1 to " + strconv.Itoa(MaxOrigins) + " origins"}}
	}
	var (
		out  []string
		errs FieldErrors
	)
	for i, raw := range in {
		o, msg := NormaliseOrigin(raw)
		if msg != "" {
			errs = append(errs, FieldError{"allowed_origins[" + strconv.Itoa(i) + "]", msg})
			continue
		}
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// NormaliseOrigin is raw as an origin, https://host[:port], or why it is not one.
func NormaliseOrigin(raw string) (origin, problem string) {
	const want = "must be an origin such as https://breeder.example or https://breeder.example:8443, without a path"
	if raw == "" || len(raw) > maxOriginLen {
		return "", want
	}
	for i := 0; i < len(raw); i++ {
		// Printable ASCII only: anything else is either not an origin or a name to write in
		// its punycode (xn--) form.
		if c := raw[i]; c <= ' ' || c >= 0x7f {
			return "", "must be written in ASCII, without spaces or control characters (write an international name in its xn-- form)"
		}
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return "", want
	}
	scheme = strings.ToLower(scheme)
	if scheme != "https" && scheme != "http" {
		return "", "must start with https://"
	}
	rest = strings.TrimSuffix(rest, "/")
	if strings.ContainsAny(rest, "/?#@\\*,;'\"%") {
		return "", want
	}
	host, port := splitHostPort(strings.ToLower(rest))
	if host == "" || !validHost(host) {
		return "", "must name a host such as breeder.example"
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || !digits(port) || n < 1 || n > 65535 || port[0] == '0' {
			return "", "must have a port from 1 to 65535, if any"
		}
		if (scheme == "https" && n == 443) || (scheme == "http" && n == 80) {
			port = ""
		}
	}
	if scheme == "http" && !loopbacks[host] {
		return "", "must start with https:// (http:// only for localhost)"
	}
	origin = scheme + "://" + host
	if port != "" {
		origin += ":" + port
	}
	return origin, ""
}

// splitHostPort splits host[:port]; a bracketed IPv6 host keeps its brackets. A port that
// is present but empty ("host:") comes back as ":" so that it is refused.
func splitHostPort(s string) (host, port string) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", ""
		}
		host, rest := s[:end+1], s[end+1:]
		if rest == "" {
			return host, ""
		}
		if !strings.HasPrefix(rest, ":") {
			return "", ""
		}
		return host, nonEmptyPort(rest[1:])
	}
	host, port, found := strings.Cut(s, ":")
	if found {
		return host, nonEmptyPort(port)
	}
	return host, ""
}

// digits says whether s is all decimal digits: strconv.Atoi takes a sign too.
func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func nonEmptyPort(p string) string {
	if p == "" {
		return ":"
	}
	return p
}

// validHost says whether host is a DNS name of letters, digits and hyphens (labels of 1 to
// 63, 253 in all, with a dot unless it is localhost), or the IPv6 loopback [::1].
func validHost(host string) bool {
	if host == "[::1]" || host == "localhost" {
		return true
	}
	if len(host) > 253 || !strings.Contains(host, ".") {
		return false
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
