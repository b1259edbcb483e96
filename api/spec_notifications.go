package api

import (
	"net/http"
)

// notificationResource documents the inbox, preferences and messages.
var notificationResource = apiResource{
	Tag:   "notifications",
	About: "The inbox, channel preferences, phone verification and unsubscribing.",
	Schemas: []schemaDef{
		{Name: "Delivery", Type: deliveryView{}},
		{Name: "Notification", Type: notificationView{}},
		{Name: "NotificationList", Type: notificationList{}},
		{Name: "UnreadCount", Type: unreadCount{}},
		{Name: "MarkedRead", Type: markedRead{}},
		{Name: "SendMessageRequest", Type: messageInput{}},
		{Name: "MessageSent", Type: messageResult{}},
		{Name: "Preference", Type: preferenceView{}},
		{Name: "PreferenceList", Type: preferenceList{}},
		{Name: "SetPreferenceRequest", Type: setPreferenceRequest{}},
		{Name: "SetPhoneRequest", Type: setPhoneRequest{}},
		{Name: "VerifyPhoneRequest", Type: verifyPhoneRequest{}},
		{Name: "Phone", Type: phoneView{}},
	},
	Operations: []operation{
		{
			Method: http.MethodGet, Path: "/api/v1/notifications", ID: "listNotifications",
			Summary: "The caller's inbox",
			Description: "Lists the notifications delivered to the caller in-app, newest first, a page at a time, " +
				"each with the state of every channel it went out on (in_app, email, sms: pending, sent, " +
				"failed for good with the reason, or skipped with the reason). The inbox is the person's, " +
				"across every organization they belong to.",
			Params: []param{{Name: "unread", In: "query",
				Description: "true: only unread notifications.",
				Schema:      `{"type": "boolean", "default": false}`}, cursorParam, limitParam},
			Responses: []reply{
				{Status: 200, Description: "One page of notifications.", Body: notificationList{}},
				{Status: 400, Description: "malformed-request: unread is not true or false; limit is not a whole number from 1 to " +
					"100; or cursor is not one this API issued."},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/notifications/unread-count", ID: "countUnreadNotifications",
			Summary:     "Count unread notifications",
			Description: "How many notifications in the caller's inbox are unread.",
			Responses: []reply{
				{Status: 200, Description: "The count.", Body: unreadCount{}},
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/notifications/read-all", ID: "readAllNotifications",
			Summary:     "Mark every notification read",
			Description: "Marks every unread notification in the caller's inbox read and says how many.",
			Responses: []reply{
				{Status: 200, Description: "How many were marked.", Body: markedRead{}},
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/notifications/send", ID: "sendMessage",
			Summary: "Message the organization's members",
			Description: "An owner or admin of the token's organization sends a message to its members (all, or " +
				"those with the given roles). Each member gets it on the channels they chose for " +
				"organization messages (in-app and email unless they changed it). Only members receive it: " +
				"people invited but not yet accepted do not. At most NOTIFY_MESSAGES_PER_HOUR messages (10 " +
				"by default) per organization per hour, and LIMIT_MESSAGES_PER_ACCOUNT_HOUR (20) per " +
				"sending account across all its organizations. Send an Idempotency-Key to make a retried " +
				"request deliver nothing more: for 24 hours the same key and body get the first answer " +
				"again (same status and body, with Idempotent-Replayed: true) without sending or counting; " +
				"the same key with another body is a 422; while the first request with the key is still " +
				"being handled, a 409 with Retry-After.",
			Params: []param{{Name: "Idempotency-Key", In: "header",
				Description: "A key of the caller's choosing, remembered for 24 hours, per organization, caller and " +
					"operation: a request repeated with the same key and body gets the first answer again and " +
					"sends nothing more.",
				Schema: `{"type": "string", "maxLength": 200}`}},
			Body: messageInput{},
			Responses: []reply{
				{Status: 202, Description: "The message is recorded for every recipient; emails follow.", Body: messageResult{},
					Headers: []header{{Name: "Idempotent-Replayed", Schema: `{"type": "string", "enum": ["true"]}`,
						Description: "true when this is the stored answer to an earlier request with the same Idempotency-Key " +
							"and body, replayed."}}},
				{Status: 403, Description: "forbidden: only owners and admins send messages."},
				{Status: 409, Description: "conflict: a request with this Idempotency-Key (and the same caller and organization) is " +
					"still being handled; retry after Retry-After seconds to get its answer.",
					Headers: []header{{Name: "Retry-After", Schema: `{"type": "integer"}`,
						Description: "Seconds to wait before retrying the request."}}},
				{Status: 422, Description: "validation-failed: title must be 1 to 200 characters, body 1 to 5,000, roles known roles; " +
					"Idempotency-Key at most 200 characters, and not one used in the last 24 hours for a " +
					"different message."},
				{Status: 429, Description: "rate-limited: the organization has sent its messages for this hour, or the caller has, " +
					"counting every organization they belong to.",
					Headers: []header{{Name: "Retry-After", Schema: `{"type": "integer"}`,
						Description: "Seconds to wait before sending again."}}},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/notifications/{notificationID}", ID: "getNotification",
			Summary:     "One notification",
			Description: "One of the caller's notifications with the delivery state of each channel.",
			Params:      []param{notificationIDParam},
			Responses: []reply{
				{Status: 200, Description: "The notification.", Body: notificationView{}},
				notificationNotFound,
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/notifications/{notificationID}/read", ID: "readNotification",
			Summary: "Mark a notification read",
			Description: "Marks one of the caller's notifications read (the first time it was read is kept). A " +
				"notification that is read before its escalation reaches email or SMS goes no further.",
			Params: []param{notificationIDParam},
			Responses: []reply{
				{Status: 200, Description: "The notification, read.", Body: notificationView{}},
				notificationNotFound,
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/me/notification-preferences", ID: "listNotificationPreferences",
			Summary: "The caller's notification channels",
			Description: "For every notification type a person can choose for, the channels in use for the caller: " +
				"their choice, or the type's defaults. Account security messages (email verification, " +
				"phone codes) are always sent and not listed.",
			Responses: []reply{
				{Status: 200, Description: "The preferences.", Body: preferenceList{}},
			},
		},
		{
			Method: http.MethodPut, Path: "/api/v1/me/notification-preferences/{type}", ID: "setNotificationPreference",
			Summary: "Choose the channels of a notification type",
			Description: "Sets the channels (in_app, email, sms) on which the caller receives one notification " +
				"type; an empty list turns it off. SMS is allowed only for types worth a text and is sent " +
				"only once the caller's phone number is verified.",
			Params: []param{{Name: "type", In: "path",
				Description: "The notification type, e.g. transfer.offered.",
				Schema:      `{"type": "string"}`}},
			Body: setPreferenceRequest{},
			Responses: []reply{
				{Status: 200, Description: "The preference as it now stands.", Body: preferenceView{}},
				{Status: 404, Description: "not-found: no notification type of that name, or one that cannot be turned off."},
				{Status: 422, Description: "validation-failed: channels is required and may hold only channels the type allows."},
			},
		},
		{
			Method: http.MethodPut, Path: "/api/v1/me/phone", ID: "setPhone",
			Summary: "Add or change the caller's phone number",
			Description: "Stores the number (as E.164, from what people type, such as +44 7700 900123; a leading + " +
				"and country code are required), unverified, and texts it a six-digit code valid for " +
				"NOTIFY_PHONE_CODE_TTL (10 minutes by default). SMS notifications go to the number only " +
				"once it is verified. At most one code a minute and ten a day, whatever the number.",
			Body: setPhoneRequest{},
			Responses: []reply{
				{Status: 202, Description: "The code is on its way.", Body: phoneView{}},
				{Status: 422, Description: "validation-failed: the phone number is not a number with a leading + and country code."},
				{Status: 429, Description: "rate-limited: a code was sent less than a minute ago, or ten were sent in the last day " +
					"(removing the number does not reset either).",
					Headers: []header{{Name: "Retry-After", Schema: `{"type": "integer"}`,
						Description: "Seconds to wait before asking again."}}},
			},
		},
		{
			Method: http.MethodDelete, Path: "/api/v1/me/phone", ID: "deletePhone",
			Summary:     "Remove the caller's phone number",
			Description: "Removes the number: no more SMS.",
			Responses: []reply{
				{Status: 204, Description: "Removed."},
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/me/phone/verify", ID: "verifyPhone",
			Summary:     "Verify the caller's phone number",
			Description: "Checks the texted code. Five wrong codes end it.",
			Body:        verifyPhoneRequest{},
			Responses: []reply{
				{Status: 200, Description: "The number is verified.", Body: phoneView{}},
				{Status: 400, Description: "malformed-request: the code is wrong; the detail says how many attempts are left."},
				{Status: 409, Description: "conflict: there is no phone number to verify."},
				{Status: 410, Description: "gone: the code has expired or too many wrong codes were tried; ask for a new one."},
				{Status: 422, Description: "validation-failed: code is required."},
			},
		},
		{
			Method: http.MethodGet, Path: "/unsubscribe", ID: "unsubscribePage",
			Public:  true,
			Summary: "Unsubscribe page (emailed link)",
			Description: "The page an email's unsubscribe link opens, without logging in: it names the notification " +
				"type and asks to confirm with a button that POSTs here, so that link scanners change " +
				"nothing.",
			Params: []param{{Name: "token", In: "query", Required: true,
				Description: "The signed token from the emailed unsubscribe link.",
				Schema:      `{"type": "string"}`}},
			Responses: []reply{
				unsubscribeConfirmPage,
				unsubscribeLinkInvalid,
			},
		},
		{
			Method: http.MethodPost, Path: "/unsubscribe", ID: "unsubscribe",
			Public:  true,
			Summary: "Unsubscribe (emailed link, one-click)",
			Description: "Stops the notification type of the token reaching its person by email, without logging " +
				"in: the confirmation page's button and one-click unsubscribe (RFC 8058, " +
				"List-Unsubscribe-Post) both post here. Other channels stay as they were.",
			Params: []param{{Name: "token", In: "query", Required: true,
				Description: "The signed token from the emailed unsubscribe link.",
				Schema:      `{"type": "string"}`}},
			Responses: []reply{
				unsubscribeConfirmPage,
				unsubscribeLinkInvalid,
			},
		},
	},
}

// Answers and parameters several of these operations share.
var (
	notificationNotFound   = reply{Status: 404, Description: "not-found: the caller has no notification with this ID."}
	unsubscribeConfirmPage = reply{Status: 200, Description: "The confirmation page.", Media: "text/html"}
	unsubscribeLinkInvalid = reply{Status: 400, Description: "malformed-request: the link is not valid."}
	notificationIDParam    = param{Name: "notificationID", In: "path",
		Description: "Public ID of one of the caller's notifications. Another person's notification answers " +
			"404, exactly like one that does not exist.",
		Schema: `{"type": "string"}`}
)
