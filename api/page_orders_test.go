package api_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// sentFile is a file a browser sends in a form.
type sentFile struct {
	field, name string
	body        []byte
}

// postFiles sends a multipart form with files, as a browser sends a form with a file field.
func (br *browser) postFiles(t *testing.T, path string, form url.Values, files ...sentFile) page {
	t.Helper()
	if !form.Has("csrf") {
		form.Set("csrf", br.csrf)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			require.NoError(t, mw.WriteField(k, v))
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile(f.field, f.name)
		require.NoError(t, err)
		_, err = w.Write(f.body)
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, br.b.URL+path, &body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return br.do(t, req)
}

// smallPNG is a small PNG image.
func smallPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := range 40 {
		img.Set(x, x%30, color.RGBA{200, 40, 40, 255})
	}
	return pngOf(t, img)
}

func TestPages_OrderShowsEachPartyWhatItMayDo(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := b.placeOrder(t)
	path := "/orders/" + p.id

	buyer := b.browser(t)
	require.Equal(t, http.StatusSeeOther, buyer.get(t, path).Status, "to the login page first")
	buyer.logIn(t, p.buyer.Owner.Email)
	page := buyer.get(t, path)
	require.Equal(t, http.StatusOK, page.Status, "%s", page.Body)
	require.Contains(t, page.Body, "Waiting for your card to be authorized.")
	require.Contains(t, page.Body, "150.00 USD")
	require.Contains(t, page.Body, `action="/orders/`+p.id+`/cancel"`, "the buyer may cancel before shipping")
	require.NotContains(t, page.Body, `/ship"`)

	seller := b.browser(t)
	seller.logIn(t, p.seller.Owner.Email)
	page = seller.get(t, path)
	require.Contains(t, page.Body, "Waiting for the buyer")
	_, err := b.Admin.Exec(context.Background(), `UPDATE orders SET status = 'paid', authorized_at = now(), ship_by = now() + interval '3 days' WHERE public_id = $1`, p.id)
	require.NoError(t, err)
	page = seller.get(t, path)
	require.Contains(t, page.Body, `action="/orders/`+p.id+`/ship"`, "a paid order is the seller's to ship")

	// The seller's shipment is checked as the API checks it, on the page.
	page = seller.post(t, path+"/ship", url.Values{"carrier": {""}, "tracking_number": {strings.Repeat("9", 101)}, "expected_delivery": {"2020-01-01"}})
	require.Equal(t, http.StatusUnprocessableEntity, page.Status)
	for _, field := range []string{"carrier", "tracking_number", "expected_delivery"} {
		require.Regexp(t, `name="`+field+`"[^>]*aria-invalid="true"`, page.Body, "the page marks %s", field)
	}
	page = seller.post(t, path+"/ship", url.Values{"carrier": {"UPS"}, "tracking_number": {"1Z"}, "expected_delivery": {"tomorrow"}})
	require.Equal(t, http.StatusUnprocessableEntity, page.Status)
	require.Contains(t, page.Body, "must be a date such as")

	// A buyer acting for another of their organizations is moved to the order's.
	third := b.newOrg(t, "third")
	b.mustAddMember(t, third.Owner.Tokens.AccessToken, third.ID, p.buyer.Owner.Email, "admin")
	buyer.get(t, "/")
	require.Equal(t, http.StatusSeeOther, buyer.post(t, "/organization", url.Values{"organization_id": {third.ID}}).Status)
	require.Contains(t, buyer.get(t, "/").Body, "Vivarium of third", "the session acts for the third organization")
	page = buyer.get(t, path)
	require.Equal(t, http.StatusSeeOther, page.Status, "%s", page.Body)
	require.Equal(t, path, page.Header.Get("Location"))
	page = buyer.get(t, path)
	require.Equal(t, http.StatusOK, page.Status)
	require.Contains(t, page.Body, "Paid: the platform holds your payment")

	// Another organization sees nothing of it.
	stranger := b.browser(t)
	stranger.logIn(t, b.newOrg(t, "stranger").Owner.Email)
	page = stranger.get(t, path)
	require.Equal(t, http.StatusNotFound, page.Status)
	require.NotContains(t, page.Body, "150.00")
	page = stranger.post(t, path+"/cancel", url.Values{})
	require.Equal(t, http.StatusNotFound, page.Status)
}

func TestPages_ProblemPhotosAreCheckedAndKeptOnlyWithTheReport(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := b.placeOrder(t)
	path := "/orders/" + p.id
	_, err := b.Admin.Exec(context.Background(), `UPDATE orders SET status = 'shipped', authorized_at = now(), shipped_at = now(),
		carrier = 'UPS', tracking_number = '1Z' WHERE public_id = $1`, p.id)
	require.NoError(t, err)
	evidence := func() int {
		return b.count(t, `SELECT count(*) FROM order_evidence e JOIN orders o ON o.id = e.order_id WHERE o.public_id = $1`, p.id)
	}

	buyer := b.browser(t)
	buyer.logIn(t, p.buyer.Owner.Email)
	page := buyer.get(t, path)
	require.Contains(t, page.Body, `enctype="multipart/form-data"`, "the report takes photos")

	// No reason, a file that is no image, too many photos: each refused naming the field, and nothing kept.
	page = buyer.postFiles(t, path+"/report-problem", url.Values{"reason": {" "}})
	require.Equal(t, http.StatusUnprocessableEntity, page.Status)
	require.Contains(t, page.Body, "what is wrong with the animal")
	page = buyer.postFiles(t, path+"/report-problem", url.Values{"reason": {"It arrived sick"}},
		sentFile{"photos", "not-a-photo.png", []byte("<?php echo 1; ?>")})
	require.Equal(t, http.StatusUnprocessableEntity, page.Status)
	require.Contains(t, page.Body, "not-a-photo.png is not a JPEG, PNG or WebP image")
	var five []sentFile
	for range 5 {
		five = append(five, sentFile{"photos", "ok.png", smallPNG(t)})
	}
	page = buyer.postFiles(t, path+"/report-problem", url.Values{"reason": {"It arrived sick"}}, five...)
	require.Equal(t, http.StatusUnprocessableEntity, page.Status)
	require.Contains(t, page.Body, "at most 4 photos")
	require.Zero(t, evidence())

	// The seller cannot send photos as the buyer.
	seller := b.browser(t)
	seller.logIn(t, p.seller.Owner.Email)
	page = seller.postFiles(t, path+"/report-problem", url.Values{"reason": {"x"}}, sentFile{"photos", "ok.png", smallPNG(t)})
	require.Equal(t, http.StatusForbidden, page.Status)
	require.Zero(t, evidence())

	// Good photos, but the sale does not take the report (no worker runs it here): the
	// photos are not kept either.
	page = buyer.postFiles(t, path+"/report-problem", url.Values{"reason": {"It arrived sick"}}, sentFile{"photos", "ok.png", smallPNG(t)})
	require.Equal(t, http.StatusConflict, page.Status, "%s", page.Body)
	require.Contains(t, page.Body, "has not started yet")
	require.Contains(t, page.Body, "It arrived sick", "the reason is kept in the form")
	require.Zero(t, evidence(), "the refused report's photos were removed")
}

func TestPages_AdminDecidesAReportedProblemFromTheOrder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := b.placeOrder(t)
	path := "/orders/" + p.id
	_, err := b.Admin.Exec(context.Background(), `UPDATE orders SET status = 'problem', authorized_at = now(), shipped_at = now(),
		carrier = 'UPS', tracking_number = '1Z', problem = 'It arrived sick', disputed_at = now() WHERE public_id = $1`, p.id)
	require.NoError(t, err)
	admin := b.newUser(t, "admin")
	_, err = b.Admin.Exec(context.Background(), `UPDATE users SET platform_admin = true WHERE public_id = $1`, admin.Tokens.UserID)
	require.NoError(t, err)

	// The admins' email links to the order's page: a platform admin sees it, and the form.
	br := b.browser(t)
	br.logIn(t, admin.Email)
	page := br.get(t, path)
	require.Equal(t, http.StatusOK, page.Status, "%s", page.Body)
	require.Contains(t, page.Body, "you decide as a platform admin")
	require.Contains(t, page.Body, "It arrived sick")
	require.Contains(t, page.Body, `action="/orders/`+p.id+`/resolve"`)
	require.NotContains(t, page.Body, `/cancel"`, "an admin has no party's actions")

	for _, bad := range []string{"", "-1", "1.234", "abc", "1e5", "99999999999", "12."} {
		page = br.post(t, path+"/resolve", url.Values{"refund": {bad}, "note": {"x"}})
		require.Equal(t, http.StatusUnprocessableEntity, page.Status, "refund %q", bad)
		require.Regexp(t, `name="refund"[^>]*aria-invalid="true"`, page.Body)
	}
	page = br.post(t, path+"/resolve", url.Values{"refund": {"151.00"}, "note": {"x"}})
	require.Equal(t, http.StatusUnprocessableEntity, page.Status, "more than was captured (nothing was): %s", page.Body)
	require.Contains(t, page.Body, "the amount captured")

	// Anyone else is no party: not found, and no form works.
	other := b.browser(t)
	other.logIn(t, b.newUser(t, "curious").Email)
	require.Equal(t, http.StatusNotFound, other.get(t, path).Status)
	other.get(t, "/")
	require.Equal(t, http.StatusForbidden, other.post(t, path+"/resolve", url.Values{"refund": {"0"}}).Status)
}
