package api

import (
	"net/http"
)

// orderResource documents buying and selling a listed animal: orders, the updates of their
// sale, the seller's inventory, and the platform admins' decisions.
var orderResource = apiResource{
	Tag: "orders",
	About: "Buying a listed animal. An order reserves the listing for its buyer and starts the sale: the card is " +
		"authorized (the buyer confirms it with the payment's client secret), captured when the seller ships, " +
		"and held by the platform until the buyer confirms the animal arrived alive and as described (or the " +
		"live-arrival window passes in silence); only then is the seller paid, less the platform's fee, and the " +
		"animal's record moved to the buyer. A problem the buyer reports is decided by a platform admin.",
	Schemas: []schemaDef{
		{Name: "ListingRef", Type: listingRef{}},
		{Name: "ShippingTerms", Type: shippingTermsView{}, Description: "The listing's terms, as the order copied them."},
		{Name: "Shipment", Type: shipmentView{}},
		{Name: "OrderPayment", Type: orderPaymentView{}},
		{Name: "OrderMoney", Type: orderMoneyView{}, Description: "The order's money, as the ledger records it."},
		{Name: "OrderEvidence", Type: evidenceView{}, Description: "A photo the buyer sent with a reported problem, cleaned of its metadata."},
		{Name: "Order", Type: orderView{}},
		{Name: "OrderList", Type: orderList{}},
		{Name: "CreateOrderRequest", Type: createOrderRequest{}},
		{Name: "ShipOrderRequest", Type: shipOrderRequest{}},
		{Name: "ReportProblemRequest", Type: reportProblemRequest{}},
		{Name: "CancelOrderRequest", Type: cancelOrderRequest{}},
		{Name: "ResolveOrderRequest", Type: resolveOrderRequest{}},
		{Name: "InventoryItem", Type: inventoryItemView{}},
		{Name: "InventoryList", Type: inventoryList{}},
	},
	Operations: []operation{
		{
			Method: http.MethodPost, Path: "/api/v1/orders", ID: "createOrder",
			Summary: "Order a listed animal",
			Description: "An owner or admin of the buying organization, with a verified email address, orders a listing " +
				"at the price and currency they were shown, to a country the seller ships to. The listing is reserved " +
				"for the order (no other buyer until it ends) until the payment window closes (30 minutes by default); " +
				"the sale then asks Stripe for the payment, and payment.client_secret appears on the order for the " +
				"buyer to confirm the card with. Idempotency-Key is required: for 24 hours the same key with the same " +
				"body gets the first answer again (201 with the same body and Location, and Idempotent-Replayed: " +
				"true); with another body, 422; while the first request with the key is still being handled, 409 with " +
				"Retry-After.",
			Params: []param{{Name: "Idempotency-Key", In: "header", Required: true,
				Description: "A key of the caller's choosing, remembered for 24 hours, per organization, caller and " +
					"operation; a repeated order with the same key and body gets the first answer again.",
				Schema: `{"type": "string", "maxLength": 200}`}},
			Body: createOrderRequest{},
			Responses: []reply{
				{Status: 201, Description: "The order, placed.", Body: orderView{}, Headers: []header{replayedHeaderDoc}},
				{Status: 403, Description: "forbidden: only owners and admins order for an organization; or email-not-verified: " +
					"the caller has not verified their email address."},
				{Status: 404, Description: "not-found: no listing has this ID."},
				{Status: 409, Description: "conflict: the listing is the caller's organization's own, withdrawn or sold, " +
					"reserved by another buyer's order, or its price or currency is no longer the one ordered; or " +
					"seller-not-ready: the seller cannot take payments now; or a request with this Idempotency-Key is " +
					"still being handled (with Retry-After).",
					Headers: []header{retryAfterDoc}},
				{Status: 422, Description: "validation-failed: Idempotency-Key missing or used for another order; listing_id " +
					"missing; amount not from 1 to 100,000,000; currency not an ISO 4217 code in lower case; ship_to " +
					"not an ISO 3166-1 alpha-2 code in capitals, or a country the seller does not ship to."},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/orders", ID: "listOrders",
			Summary: "List orders",
			Description: "The caller's organization's orders as buyer (side=buying, the default) or as seller " +
				"(side=selling), newest first, a page at a time, without their money and timeline.",
			Params: []param{{Name: "side", In: "query", Description: "buying (the default) or selling.",
				Schema: `{"type": "string", "enum": ["buying", "selling"]}`}, cursorParam, limitParam},
			Responses: []reply{
				{Status: 200, Description: "One page of orders.", Body: orderList{}},
				{Status: 400, Description: "malformed-request: side is not buying or selling; limit or cursor is invalid."},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/orders/{orderID}", ID: "getOrder",
			Summary: "One order with its money and timeline",
			Description: "An order as its parties see it: its status, deadlines, shipment, the ledger's totals of its " +
				"money and its timeline, read from the database (kept by the sale's workflow). The payment's client " +
				"secret is shown to the buyer's organization only.",
			Params:    []param{orderIDParam},
			Responses: []reply{{Status: 200, Description: "The order.", Body: orderView{}}, orderNotFound},
		},
		orderUpdate("ship", "shipOrder", "Mark the order shipped",
			"An owner or admin of the seller marks a paid order shipped, with the carrier and tracking number. "+
				"The buyer's card is captured; the money is held by the platform.",
			shipOrderRequest{}, "validation-failed: carrier or tracking_number missing or over 100 characters, or expected_delivery not within the next 60 days."),
		orderUpdate("delivered", "deliveredOrder", "Mark the order delivered",
			"Either party says the shipped animal arrived; the live-arrival window opens.", nil, ""),
		orderUpdate("confirm", "confirmOrder", "Confirm the arrival",
			"The buyer confirms the animal arrived alive and as described: the seller is paid, less the platform's "+
				"fee, and the animal's record moves to the buyer.", nil, ""),
		orderUpdate("report-problem", "reportOrderProblem", "Report a problem",
			"The buyer reports, within the live-arrival window, that the animal did not arrive alive and as "+
				"described. The money stays held until a platform admin decides.",
			reportProblemRequest{}, "validation-failed: reason missing or over 2,000 characters."),
		orderUpdate("cancel", "cancelOrder", "Cancel the order",
			"Either party cancels before shipping: the card's authorization is released and the listing is free again.",
			cancelOrderRequest{}, "validation-failed: reason over 500 characters."),
		{
			Method: http.MethodPost, Path: "/api/v1/admin/orders/{orderID}/resolve", ID: "resolveOrder",
			Summary: "Decide a reported problem (platform admins)",
			Description: "A platform admin decides a problem the buyer reported: refund_amount goes back to the buyer " +
				"(all that was captured, part of it, or nothing) and the rest to the seller; unless the refund is in " +
				"full, the animal's record moves to the buyer. The order is one whose sale asked the admin to decide " +
				"(it names the order in their notifications). Idempotency-Key as for the parties' updates.",
			Params: []param{orderIDParam, orderKeyParam},
			Body:   resolveOrderRequest{},
			Responses: []reply{
				{Status: 200, Description: "Decided: the order as it then stands.", Body: orderView{}, Headers: []header{replayedHeaderDoc}},
				{Status: 403, Description: "forbidden: the caller is not a platform admin."},
				{Status: 404, Description: "not-found: no order of this ID has asked the caller to decide."},
				orderEndedReply,
				{Status: 422, Description: "validation-failed: refund_amount below what was already refunded or above what was " +
					"captured; note over 2,000 characters; Idempotency-Key used for another request."},
				orderUnanswered,
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/inventory", ID: "inventory",
			Summary: "The seller's inventory",
			Description: "The caller's organization's listings that are listed (open to orders), reserved (an open order " +
				"holds them) or sold, with the order that holds or bought each, newest first, a page at a time.",
			Params: []param{{Name: "state", In: "query",
				Description: "listed, reserved or sold, or several separated by commas; omit for all three.",
				Schema:      `{"type": "string", "maxLength": 30}`}, cursorParam, limitParam},
			Responses: []reply{
				{Status: 200, Description: "One page of the inventory.", Body: inventoryList{}},
				{Status: 400, Description: "malformed-request: state is not listed, reserved or sold; limit or cursor is invalid."},
			},
		},
	},
}

// orderUpdate documents one party's update of an order's sale.
func orderUpdate(action, id, summary, description string, body any, invalidBody string) operation {
	invalidDesc := "validation-failed: the sale refuses the update's content; Idempotency-Key over 200 characters or used " +
		"for another update of this order."
	if invalidBody != "" {
		invalidDesc = invalidBody + " Or " + invalidDesc
	}
	return operation{
		Method: http.MethodPost, Path: "/api/v1/orders/{orderID}/" + action, ID: id,
		Summary: summary,
		Description: description + " The sale's workflow decides whether the caller's side may act and whether the order " +
			"is at the stage for it; the answer is the order once the sale has acted.",
		Params: []param{orderIDParam, orderKeyParam},
		Body:   body,
		Responses: []reply{
			{Status: 200, Description: "Done: the order as it then stands.", Body: orderView{}, Headers: []header{replayedHeaderDoc}},
			{Status: 403, Description: "forbidden: the caller's side may not send this update (the detail says who may)."},
			orderNotFound,
			orderEndedReply,
			{Status: 422, Description: invalidDesc},
			orderUnanswered,
		},
	}
}

// Answers and parameters the order operations share.
var (
	orderIDParam = param{Name: "orderID", In: "path",
		Description: "Public ID of the order. An order the caller's organization is no party to answers 404, exactly like one that does not exist.",
		Schema:      `{"type": "string"}`}
	orderKeyParam = param{Name: "Idempotency-Key", In: "header",
		Description: "A key of the caller's choosing, remembered for 24 hours. Retried with the same key and body, an " +
			"answer that went through gets its first answer again (Idempotent-Replayed: true); one whose outcome was " +
			"unknown (a 5xx) is sent again as the same update of the sale, so it is applied once. A key names one " +
			"update of one order by one person.",
		Schema: `{"maxLength": 200, "type": "string"}`}
	orderNotFound   = reply{Status: 404, Description: "not-found: no such order, or the caller's organization is no party to it."}
	orderEndedReply = reply{Status: 409, Description: "conflict: the order is not at the stage for this update; or it has ended " +
		"(the detail says how); or its sale has not started yet, moments after the order (with Retry-After); or a " +
		"request with this Idempotency-Key is still being handled (with Retry-After).",
		Headers: []header{retryAfterDoc}}
	orderUnanswered = reply{Status: 503, Description: "unavailable: the sale did not answer within 20 s, or Temporal or the " +
		"database is unavailable; the outcome will show on GET /api/v1/orders/{orderID}.",
		Headers: []header{{Name: "Retry-After", Schema: `{"type": "integer"}`, Description: "Whole seconds to wait before retrying."}}}
	replayedHeaderDoc = header{Name: "Idempotent-Replayed", Schema: `{"type": "string", "enum": ["true"]}`,
		Description: "true when this is the stored answer to an earlier request with the same Idempotency-Key and body, replayed."}
	retryAfterDoc = header{Name: "Retry-After", Schema: `{"type": "integer"}`, Description: "Seconds to wait before retrying the request."}
)
