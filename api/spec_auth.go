package api

import (
	"net/http"

	"github.com/reptidex/reptidex/auth"
	"github.com/reptidex/reptidex/domain/membership"
)

// authResource documents accounts, sessions and tokens.
var authResource = apiResource{
	Tag:   "auth",
	About: "Accounts, sessions and tokens.",
	Schemas: []schemaDef{
		{Name: "RegisterRequest", Type: registerRequest{}, Examples: []string{`{"email": "keeper@example.com", "password": "correct horse battery", "display_name": "Kim Keeper", "organization_name": "Kim's Geckos"}`}},
		{Name: "LoginRequest", Type: loginRequest{}},
		{Name: "RefreshRequest", Type: refreshRequest{}},
		{Name: "LogoutRequest", Type: logoutRequest{}},
		{Name: "Role", Type: membership.Role(""), Description: "A member's role, most privileged first: owners manage everything including owners; admins manage members other than owners; keepers and viewers cannot manage members.", Enum: []string{"owner", "admin", "keeper", "viewer"}},
		{Name: "TokenResponse", Type: tokenResponse{}},
		{Name: "OrgMembership", Type: orgMembership{}},
		{Name: "Me", Type: meResponse{}},
		{Name: "VerifyEmailRequest", Type: verifyEmailRequest{}},
		{Name: "EmailVerified", Type: emailVerifiedResponse{}},
		{Name: "VerificationSent", Type: verificationSentResponse{}},
		{Name: "JWK", Type: auth.JWK{}, Description: "A public RSA key that verifies access tokens."},
		{Name: "JWKS", Type: auth.JWKSet{}},
	},
	Operations: []operation{
		{
			Method: http.MethodGet, Path: "/api/v1/auth/jwks.json", ID: "jwks",
			Public:  true,
			Summary: "Public keys for access tokens",
			Description: "The JSON Web Key Set (RFC 7517) of every RSA public key access tokens may be verified " +
				"with, the current signing key first; tokens name their key by kid. Cacheable for 300 " +
				"seconds.",
			Responses: []reply{
				{Status: 200, Description: "The key set.", Body: auth.JWKSet{}, Media: "application/jwk-set+json"},
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/auth/register", ID: "register",
			Public:  true,
			Summary: "Create an account and its organization",
			Description: "Creates a user and a new organization with the user as its owner and schedules the " +
				"organization's onboarding and starts a session for the new owner, all in one transaction. " +
				"Rate limited per client address.",
			Body:            registerRequest{},
			BodyDescription: "The new user and the name of their organization.",
			Responses: []reply{
				{Status: 201, Description: "Registered and logged in: tokens for a new session acting for the new organization.", Body: tokenResponse{}},
				{Status: 409, Description: "conflict: an account with this email (compared case-insensitively) already exists; log in " +
					"instead."},
				{Status: 422, Description: "validation-failed: errors names each invalid field (email, password, display_name, " +
					"organization_name), or an unknown field or a field of the wrong type."},
				{Status: 429, Description: "rate-limited: too many credential attempts from this client (token bucket per IPv4 " +
					"address or IPv6 /64, 20 per minute with a burst of 10 by default).",
					Headers: []header{{Name: "Retry-After", Required: true, Schema: `{"type": "integer", "minimum": 1}`,
						Description: "Whole seconds to wait before the next attempt from this address will be accepted."}}},
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/auth/login", ID: "login",
			Public:  true,
			Summary: "Log in with email and password",
			Description: "Checks the password and starts a new session acting for organization_id when given, " +
				"otherwise for the user's oldest membership. An unknown email and a wrong password get the " +
				"same answer and take the same time. Rate limited per client (an IPv4 address, an IPv6 " +
				"/64), and failed logins per account: from one network (an IPv4 /24, an IPv6 /64), after " +
				"AUTH_FAILURE_BURST failures (10 by default) the account takes one attempt per " +
				"1/AUTH_FAILURES_PER_HOUR of an hour (10 an hour) from that network; from all networks " +
				"together, after AUTH_FAILURE_ANYWHERE_BURST failures (50) one per " +
				"1/AUTH_FAILURES_ANYWHERE_PER_HOUR of an hour (20 an hour). While either is used up even " +
				"the right password waits; a successful login costs nothing. An unknown email is throttled " +
				"alike, so the throttle reveals no account. An email that is not an email address is " +
				"refused (422) before it is counted.",
			Body:            loginRequest{},
			BodyDescription: "The credentials, and optionally the organization to act for.",
			Responses: []reply{
				{Status: 200, Description: "Logged in: tokens for a new session.", Body: tokenResponse{}},
				{Status: 401, Description: "invalid-credentials: the email or password is wrong."},
				{Status: 403, Description: "forbidden: the user belongs to no organization."},
				tokenOrganizationNotFound,
				{Status: 422, Description: "validation-failed: email is missing or not an email address, password is missing, or an " +
					"unknown field or a field of the wrong type was sent."},
				{Status: 429, Description: "rate-limited: too many credential attempts from this client (token bucket per IPv4 " +
					"address or IPv6 /64, 20 per minute with a burst of 10 by default), or too many failed " +
					"logins to this email address from this network (10 at once, then 10 an hour, by default) " +
					"or from all networks (50 at once, then 20 an hour).",
					Headers: []header{{Name: "Retry-After", Required: true, Schema: `{"type": "integer", "minimum": 1}`,
						Description: "Whole seconds to wait before the next attempt from this address will be accepted."}}},
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/auth/refresh", ID: "refresh",
			Public:  true,
			Summary: "Rotate a refresh token",
			Description: "Exchanges a refresh token for a new access token and a new refresh token in the same " +
				"session; the old refresh token stops working. With organization_id the new tokens act for " +
				"that organization instead (it must be one the user belongs to). Presenting a refresh " +
				"token that was already rotated is treated as a leak: the whole session is revoked. Rate " +
				"limited per client address.",
			Body:            refreshRequest{},
			BodyDescription: "The current refresh token.",
			Responses: []reply{
				{Status: 200, Description: "New tokens for the same session.", Body: tokenResponse{}},
				{Status: 401, Description: "unauthenticated: the refresh token is invalid, expired or revoked (or was already " +
					"rotated, which also revokes its session)."},
				tokenOrganizationNotFound,
				refreshTokenInvalid,
				{Status: 429, Description: "rate-limited: too many credential attempts from this client (token bucket per IPv4 " +
					"address or IPv6 /64, 20 per minute with a burst of 10 by default).",
					Headers: []header{{Name: "Retry-After", Required: true, Schema: `{"type": "integer", "minimum": 1}`,
						Description: "Whole seconds to wait before the next attempt from this address will be accepted."}}},
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/auth/logout", ID: "logout",
			Public:  true,
			Summary: "End a session",
			Description: "Revokes the session of the refresh token: it, every other refresh token of the session, " +
				"and every access token of the session stop working. An unknown or already-ended session " +
				"answers the same 204, so the call reveals nothing. Needs no access token and is not rate " +
				"limited.",
			Body:            logoutRequest{},
			BodyDescription: "The refresh token of the session to end.",
			Responses: []reply{
				{Status: 204, Description: "The session is ended (or there was none to end)."},
				refreshTokenInvalid,
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/me", ID: "me",
			Summary: "The caller",
			Description: "Describes the authenticated user, the organization their access token acts for, and every " +
				"organization they belong to with their role in each.",
			Responses: []reply{
				{Status: 200, Description: "The caller.", Body: meResponse{}},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/auth/verify-email", ID: "verifyEmailPage",
			Public:  true,
			Summary: "Open an email verification link",
			Description: "What the link in the verification email opens: a small self-contained HTML page that asks " +
				"the person to confirm, with a button that posts the same URL (as " +
				"application/x-www-form-urlencoded) and answers a page saying that it worked or why not, " +
				"with the status codes of the JSON POST. Opening the link changes nothing, because mail " +
				"scanners open links too. No login is needed: the token is the proof. A token that is not " +
				"even well formed answers 400 at once.",
			Params: []param{{Name: "token", In: "query", Required: true,
				Description: "The token from the emailed verification link.",
				Schema:      `{"type": "string"}`}},
			Responses: []reply{
				{Status: 200, Description: "The address is verified (now, or already before): a page saying so.", Media: "text/html"},
				{Status: 400, Description: "malformed-request: the query string is not text, answered with a problem as by every " +
					"operation; or the token is missing, garbled, unknown, already used for an address the " +
					"account no longer has: a page saying the link is not valid.", Page: true},
				{Status: 410, Description: "The link expired: a page saying when, and how to get a new one.", Media: "text/html"},
				pageInternalError,
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/auth/verify-email", ID: "verifyEmail",
			Public:  true,
			Form:    true,
			Summary: "Verify an email address",
			Description: "Verifies the address a verification token was emailed to (at registration, or by POST " +
				"/api/v1/me/verify-email): the account's email_verified becomes true. No login is needed: " +
				"the token is the proof. A token of an account that is verified already answers 200 again, " +
				"so following a link twice does no harm. Links work for 48 hours by default " +
				"(NOTIFY_VERIFICATION_TTL). The confirmation page's button posts here as a form, with the " +
				"token in the query, and gets an HTML page back.",
			Body:            verifyEmailRequest{},
			BodyDescription: "The token from the emailed link.",
			Responses: []reply{
				{Status: 200, Description: "The address is verified (now, or already before).", Body: emailVerifiedResponse{}, Page: true},
				{Status: 400, Description: "malformed-request: the body is empty, cut short, not valid JSON, not a JSON object, or " +
					"holds more than one JSON value; or the token is garbled, unknown, or was used for an " +
					"address the account no longer has (the link is not valid).", Page: true},
				{Status: 410, Description: "gone: the link expired; log in and ask for a new one with POST /api/v1/me/verify-email.", Page: true},
				{Status: 500, Description: internalError.Description, Page: true},
				linkTokenInvalid,
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/me/verify-email", ID: "resendEmailVerification",
			Summary: "Send a new email verification link",
			Description: "Emails the caller a new link that verifies their address (links sent before keep working " +
				"until they expire). At most one a minute per account.",
			Responses: []reply{
				{Status: 202, Description: "The email is on its way.", Body: verificationSentResponse{}},
				{Status: 409, Description: "conflict: the caller's address is verified already."},
				{Status: 429, Description: "rate-limited: a link was sent to this account less than a minute ago.",
					Headers: []header{{Name: "Retry-After", Required: true, Schema: `{"type": "integer", "minimum": 1}`,
						Description: "Whole seconds until another link may be asked for."}}},
			},
		},
	},
}

// Answers and parameters several of these operations share.
var (
	tokenOrganizationNotFound = reply{Status: 404, Description: "not-found: organization_id names an organization the user does not belong to (or that " +
		"does not exist)."}
	refreshTokenInvalid = reply{Status: 422, Description: "validation-failed: refresh_token is missing, or an unknown field or a field of the wrong " +
		"type was sent."}
)
