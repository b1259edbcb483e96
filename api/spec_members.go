package api

import (
	"net/http"
)

// memberResource documents members and invitations.
var memberResource = apiResource{
	Tag:   "members",
	About: "Who belongs to an organization, and with which role.",
	Schemas: []schemaDef{
		{Name: "InvitationStatus", Enum: []string{"pending", "accepted", "revoked", "expired"}, Description: "pending: waiting to be accepted; accepted; revoked: withdrawn while it could still be accepted; expired: not accepted in time (an expired invitation revoked later stays expired)."},
		{Name: "ChangeMemberRequest", Type: changeMemberRequest{}},
		{Name: "Member", Type: memberResponse{}},
		{Name: "MemberList", Type: memberList{}},
		{Name: "CreateInvitationRequest", Type: createInvitationRequest{}},
		{Name: "InvitationUser", Type: invitationUser{}},
		{Name: "Invitation", Type: invitationResponse{}},
		{Name: "InvitationList", Type: invitationList{}},
		{Name: "AcceptInvitationRequest", Type: acceptInvitationRequest{}},
	},
	Operations: []operation{
		{
			Method: http.MethodGet, Path: "/api/v1/organizations/{orgID}/members", ID: "listMembers",
			Summary: "List an organization's members",
			Description: "Lists members ordered by user_id, a page at a time, with cursor pagination: pass the " +
				"next_cursor of one page as cursor to get the next; the last page has no next_cursor. Any " +
				"member of the organization may list.",
			Params: []param{orgIDParam, cursorParam, limitParam},
			Responses: []reply{
				{Status: 200, Description: "One page of members.", Body: memberList{}},
				{Status: 400, Description: "malformed-request: limit is not a whole number from 1 to 100, or cursor is not one this " +
					"API issued."},
				organizationNotFound,
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/organizations/{orgID}/members", ID: "addMember",
			Summary: "Invite a person to become a member",
			Description: "Invites an email address into the organization with a role, exactly as POST " +
				"/api/v1/organizations/{orgID}/invitations does, and answers 202 Accepted with the pending " +
				"invitation: the person becomes a member only by accepting it (POST " +
				"/api/v1/invitations/accept), whether or not the address already has an account, and the " +
				"answer is the same either way — it names no account. Kept for clients written when this " +
				"added an existing user at once. Owners and admins only; only an owner may invite an " +
				"owner.",
			Params:          []param{orgIDParam},
			Body:            createInvitationRequest{},
			BodyDescription: "Who to invite and with which role.",
			Responses: append([]reply{
				{Status: 202, Description: "The invitation, pending until the person accepts it.", Body: invitationResponse{}},
			}, inviteRefusals...),
		},
		{
			Method: http.MethodPatch, Path: "/api/v1/organizations/{orgID}/members/{userID}", ID: "changeMember",
			Summary: "Change a member's role",
			Description: "Sets a member's role. Owners and admins only; only an owner may change the role of an " +
				"owner or grant the owner role; the organization always keeps at least one owner. Setting " +
				"the role a member already has changes nothing and answers 200.",
			Params:          []param{orgIDParam, userIDParam},
			Body:            changeMemberRequest{},
			BodyDescription: "The new role.",
			Responses: []reply{
				{Status: 200, Description: "The member with their new role.", Body: memberResponse{}},
				{Status: 403, Description: "forbidden: the caller is neither owner nor admin, or is an admin changing an owner or " +
					"granting the owner role."},
				memberNotFound,
				{Status: 409, Description: "conflict: the change would leave the organization without an owner."},
				{Status: 422, Description: "validation-failed: role is not one of owner, admin, keeper, viewer, or an unknown field " +
					"or a field of the wrong type was sent."},
			},
		},
		{
			Method: http.MethodDelete, Path: "/api/v1/organizations/{orgID}/members/{userID}", ID: "removeMember",
			Summary: "Remove a member",
			Description: "Removes a member from the organization. Owners and admins may remove others (only an " +
				"owner may remove an owner); any member may remove themselves. The last owner cannot be " +
				"removed.",
			Params: []param{orgIDParam, userIDParam},
			Responses: []reply{
				{Status: 204, Description: "The member is removed."},
				{Status: 403, Description: "forbidden: the caller is neither owner nor admin and is removing someone else, or is an " +
					"admin removing an owner."},
				memberNotFound,
				{Status: 409, Description: "conflict: the member is the organization's last owner."},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/organizations/{orgID}/invitations", ID: "listInvitations",
			Summary: "List an organization's invitations",
			Description: "Lists invitations newest first, a page at a time, with cursor pagination (pass " +
				"next_cursor as cursor for the next page), each with its status: pending, accepted, " +
				"revoked or expired. Any member of the organization may list.",
			Params: []param{orgIDParam, {Name: "status", In: "query",
				Description: "Only invitations in this state: pending, accepted, revoked or expired. Omit for all.",
				Schema:      `{"type": "string", "enum": ["pending", "accepted", "revoked", "expired"]}`}, cursorParam, limitParam},
			Responses: []reply{
				{Status: 200, Description: "One page of invitations.", Body: invitationList{}},
				{Status: 400, Description: "malformed-request: status is not one of pending, accepted, revoked, expired; limit is not " +
					"a whole number from 1 to 100; or cursor is not one this API issued."},
				organizationNotFound,
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/organizations/{orgID}/invitations", ID: "createInvitation",
			Summary: "Invite a person by email",
			Description: "Invites an email address into the organization with a role and emails it a link, valid " +
				"for 14 days by default (NOTIFY_INVITATION_TTL), whose page explains how to accept: log in " +
				"(or register) with that address, then POST /api/v1/invitations/accept with the token. The " +
				"address needs no account yet; if it has one, the invitation also appears in that person's " +
				"notifications. Owners and admins only; only an owner may invite an owner. One open " +
				"invitation per address: an expired one is closed automatically, a pending one must be " +
				"revoked first. Before anything else the organization must have an owner with a verified " +
				"email address, and the hourly limits per organization, per sending account and per " +
				"invited address apply. Whether the address has an account changes nothing in the answer " +
				"(status, body or work done): the invitation list shows only the address, role, status and " +
				"inviter.",
			Params:          []param{orgIDParam},
			Body:            createInvitationRequest{},
			BodyDescription: "Who to invite and with which role.",
			Responses: append([]reply{
				{Status: 201, Description: "The invitation, pending.", Body: invitationResponse{}},
			}, inviteRefusals...),
		},
		{
			Method: http.MethodDelete, Path: "/api/v1/organizations/{orgID}/invitations/{invitationID}", ID: "revokeInvitation",
			Summary: "Revoke an invitation",
			Description: "Withdraws an invitation that was not accepted: its link stops working (accepting answers " +
				"410). Revoking it again changes nothing. Owners and admins only; only an owner may revoke " +
				"an invitation to be an owner.",
			Params: []param{orgIDParam, {Name: "invitationID", In: "path",
				Description: "Public ID of the invitation (a random Base58 string, the id of an invitation of this " +
					"organization). Another organization's invitation answers 404, exactly like one that does " +
					"not exist.",
				Schema: `{"type": "string"}`}},
			Responses: []reply{
				{Status: 204, Description: "The invitation is revoked."},
				{Status: 403, Description: "forbidden: the caller is neither owner nor admin, or is an admin revoking an invitation " +
					"to be an owner."},
				{Status: 404, Description: "not-found: the organization or the invitation does not exist, or the caller does not " +
					"belong to the organization."},
				{Status: 409, Description: "conflict: the invitation was accepted already; remove the member instead."},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/invitations/accept", ID: "invitationPage",
			Public:  true,
			Summary: "Open an invitation link",
			Description: "What the link in the invitation email opens: a small self-contained HTML page naming the " +
				"organization, the role and who invited, and telling the person to log in (or register) " +
				"with the invited address and then accept with POST /api/v1/invitations/accept. Nothing " +
				"changes by opening it.",
			Params: []param{{Name: "token", In: "query", Required: true,
				Description: "The token from the emailed invitation link.",
				Schema:      `{"type": "string"}`}},
			Responses: []reply{
				{Status: 200, Description: "The invitation, pending (with how to accept) or accepted already.", Media: "text/html"},
				{Status: 400, Description: "malformed-request: the query string is not text, answered with a problem as by every " +
					"operation; or the token is missing, garbled or unknown: a page saying the link is not valid.", Page: true},
				{Status: 410, Description: "The invitation expired or was revoked: a page saying which.", Media: "text/html"},
				pageInternalError,
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/invitations/accept", ID: "acceptInvitation",
			Summary: "Accept an invitation",
			Description: "Makes the caller a member, with the invitation's role, of the organization the invitation " +
				"is for (any organization: the token is what lets the caller in), and verifies the " +
				"caller's email address, since the token proves they read it. The caller's address must be " +
				"the invited one (compared case-insensitively). The caller's token keeps acting for its " +
				"organization: log in or refresh with organization_id to act for the new one. Accepting " +
				"again answers 200 and changes nothing.",
			Body:            acceptInvitationRequest{},
			BodyDescription: "The token from the emailed link.",
			Responses: []reply{
				planLimitReply("the organization has as many members as its plan allows (limit members), its plan having fallen since the invitation was sent; the invitation stays open until it expires."),
				{Status: 200, Description: "The organization joined and the role in it.", Body: orgMembership{}},
				{Status: 400, Description: "malformed-request: the body is empty, cut short, not valid JSON, not a JSON object, or " +
					"holds more than one JSON value; or the token is garbled or unknown (the link is not " +
					"valid)."},
				{Status: 403, Description: "forbidden: the invitation was sent to another address, which the problem names."},
				{Status: 409, Description: "conflict: someone else accepted the invitation, or the caller is a member of the " +
					"organization already."},
				{Status: 410, Description: "gone: the invitation expired, or the organization revoked it; the problem says which."},
				linkTokenInvalid,
			},
		},
	},
}

// Answers and parameters several of these operations share.
var (
	// inviteRefusals are how both ways of inviting refuse.
	inviteRefusals = []reply{inviteForbidden, organizationNotFound, inviteConflict, inviteInvalid, inviteRateLimited,
		planLimitReply("members and open invitations together are as many as the organization's plan allows (limit members).")}
	inviteForbidden = reply{Status: 403, Description: "forbidden: the caller is neither owner nor admin, or is an admin inviting an owner; or " +
		"email-not-verified: none of the organization's owners has verified their email address " +
		"yet; the owner follows the link emailed at registration (or asks for a new one with POST " +
		"/api/v1/me/verify-email). Organizations are free to create: this ties what one sends to " +
		"strangers to a mailbox someone reads."}
	inviteConflict = reply{Status: 409, Description: "conflict: the address belongs to a member already, or a pending invitation to it is open."}
	inviteInvalid  = reply{Status: 422, Description: "validation-failed: email is not an email address, role is not a role, or the body has an " +
		"unknown field."}
	inviteRateLimited = reply{Status: 429, Description: "rate-limited: an hourly limit of invitations is reached: per organization " +
		"(LIMIT_INVITATIONS_PER_ORG_HOUR, 50 by default), per sending account across all its " +
		"organizations (LIMIT_INVITATIONS_PER_ACCOUNT_HOUR, 50), per invited mailbox from this " +
		"organization (LIMIT_INVITATIONS_PER_RECIPIENT_HOUR, 3), or per invited mailbox from all " +
		"organizations (LIMIT_INVITATIONS_PER_RECIPIENT_ALL_HOUR, 10; this refusal says nothing of " +
		"what other organizations sent). A mailbox is the address lowercased, without a +tag, and " +
		"at Gmail without dots. Retry-After says when the oldest counted invitation leaves the " +
		"hour (to the quarter hour for the count across organizations).",
		Headers: []header{{Name: "Retry-After", Schema: `{"type": "integer"}`,
			Description: "Seconds until the oldest of the hour's count leaves it."}}}
	memberNotFound = reply{Status: 404, Description: "not-found: the organization does not exist or the caller does not belong to it, or the " +
		"user is not a member of it."}
	userIDParam = param{Name: "userID", In: "path",
		Description: "Public ID of the member's user (a random Base58 string, user_id of a Member). A user who " +
			"is not a member of this organization answers 404.",
		Schema: `{"type": "string"}`}
)
