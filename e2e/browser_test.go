package e2e_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
	"github.com/stripe/stripe-go/v76"

	"github.com/reptidex/reptidex/mailsink"
	"github.com/reptidex/reptidex/stripehooks"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/workflows/certificate"
)

// The pages, driven in headless Chromium as a person uses them: links read from the emails
// the system sent, forms filled in and buttons pressed. Each page a journey passes is kept
// as a screenshot in SCREENSHOT_DIR (make test: .testdata/screenshots) for a person to look
// at.

// phone is the window the browser tests draw in: a common phone's, so the screenshots show
// the pages as most people see them.
const phoneWidth, phoneHeight = 412, 915

// chromePath finds Chromium: CHROME_PATH, or chromium, chromium-browser or google-chrome on
// the PATH.
func chromePath() string {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// tab is one browser of one test, and where its screenshots go.
type tab struct {
	ctx  context.Context
	test string
}

// newTab starts headless Chromium for the test, in a profile of its own, and stops it when
// the test ends.
func newTab(t *testing.T) *tab {
	t.Helper()
	path := chromePath()
	require.NotEmpty(t, path, "the browser tests need Chromium: run `make test`, which installs Debian's chromium "+
		"package when it can (scripts/ensure-chromium.sh), or install it, or set CHROME_PATH")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(phoneWidth, phoneHeight),
		// This machine's network is closed: Chromium's own connections would only fail.
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-gpu", true))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first run starts the browser, and must not carry a deadline (chromedp.Run).
	require.NoError(t, chromedp.Do(ctx), "start Chromium at %s", path)
	return &tab{ctx: ctx, test: t.Name()}
}

// open loads the URL, following its redirects, and returns the final page's response.
func (b *tab) open(t *testing.T, url string) *network.Response {
	t.Helper()
	return b.load(t, chromedp.Navigate(url))
}

// load runs steps that end in a page load (a link followed, a form sent) and returns the
// page's response.
func (b *tab) load(t *testing.T, steps ...chromedp.Action[chromedp.Void]) *network.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, processWait)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, steps...)
	require.NoError(t, err)
	return resp
}

// do runs steps that do not load a page (typing, choosing).
func (b *tab) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	require.NoError(t, chromedp.Do(ctx, steps...))
}

// text is the visible text of the page.
func (b *tab) text(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	require.NoError(t, err)
	return s
}

// location is the address of the page shown.
func (b *tab) location(t *testing.T) string {
	t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Location())
	require.NoError(t, err)
	return s
}

// screenshot keeps the whole page as <test>/<name>.png in SCREENSHOT_DIR.
func (b *tab) screenshot(t *testing.T, name string) {
	t.Helper()
	dir := os.Getenv("SCREENSHOT_DIR")
	if dir == "" {
		dir = filepath.Join("..", ".testdata", "screenshots")
	}
	dir = filepath.Join(dir, strings.ReplaceAll(b.test, "/", "_"))
	require.NoError(t, os.MkdirAll(dir, 0o755))
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
}

// pageLink is the path of the link to one of the pages in a message's text.
func pageLink(t *testing.T, text string, path *regexp.Regexp) string {
	t.Helper()
	m := path.FindString(text)
	require.NotEmpty(t, m, "the message links to %s: %s", path, text)
	return m
}

var (
	transferPageLink    = regexp.MustCompile(`/transfers/[1-9A-HJ-NP-Za-km-z]+`)
	verifyEmailPageLink = regexp.MustCompile(`/verify-email\?token=[A-Za-z0-9_-]+`)
)

// A person with no account is offered an animal by email. From the email's link they
// register, confirm their address from the next email, and accept the animal into their new
// organization, all in the browser.
func TestBrowser_TransferOfferedByEmailAcceptedFromThePage(t *testing.T) {
	t.Parallel()
	s := start(t)
	ada := s.register(t, "Ada", true)
	sire := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "male", "name": "Atlas"})
	dam := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "female", "name": "Juniper"})
	clementine := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "female", "name": "Clementine",
		"hatch_date": "2024-06-01", "genetics": "Pastel het Clown", "sire_id": sire, "dam_id": dam})
	newcomer := testkit.UniqueEmail("newcomer")
	r := s.offer(t, ada.Token, "browser-offer", map[string]any{"animal_id": clementine, "recipient_email": newcomer,
		"message": "She is yours if you want her."})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	id := r.Body["id"].(string)

	offer := pageLink(t, s.waitMail(t, newcomer, "Ada's Reptiles offers you Clementine").Text, transferPageLink)
	b := newTab(t)
	b.open(t, s.URL+offer)
	require.Contains(t, b.location(t), "/login?next=", "the link asks a stranger to log in first")
	b.screenshot(t, "1-login")
	b.load(t, chromedp.Click(chromedp.CSS(`a[href^="/register"]`), chromedp.NodeVisible))
	b.do(t,
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), newcomer),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"),
		chromedp.SendKeys(chromedp.CSS(`input[name=display_name]`), "Nia Newcomer"),
		chromedp.SendKeys(chromedp.CSS(`input[name=organization_name]`), "Nia's Vivarium"))
	b.screenshot(t, "2-register")
	resp := b.load(t, chromedp.Click(chromedp.CSS(`main button[type=submit]`), chromedp.NodeVisible))
	require.Equal(t, s.URL+offer, b.location(t), "registering returns to the offer")
	require.Equal(t, int64(http.StatusNotFound), resp.Status)
	require.Contains(t, b.text(t), "once you confirm the address")
	b.screenshot(t, "3-offer-before-confirming")

	confirm := pageLink(t, s.waitMail(t, newcomer, "Confirm your email address").Text, verifyEmailPageLink)
	b.open(t, s.URL+confirm)
	b.screenshot(t, "4-confirm-email")
	b.load(t, chromedp.Click(chromedp.CSS(`main button[type=submit]`), chromedp.NodeVisible))
	require.Contains(t, b.text(t), newcomer+" is confirmed")

	resp = b.open(t, s.URL+offer)
	require.Equal(t, int64(http.StatusOK), resp.Status)
	page := b.text(t)
	for _, want := range []string{"Clementine", "Pastel het Clown", "She is yours if you want her.", "Nia's Vivarium"} {
		require.Contains(t, page, want)
	}
	b.screenshot(t, "5-offer")
	b.load(t, chromedp.Click(chromedp.CSS(`form[action$="/accept"] button`), chromedp.NodeVisible))
	require.Contains(t, b.text(t), "Accepted")
	b.screenshot(t, "6-accepted")

	got := s.waitStatus(t, ada.Token, id, "accepted")
	require.NotEmpty(t, got["to_organization_id"], "the animal moved to the newcomer's organization")
}

var orderPageLink = regexp.MustCompile(`/orders/[1-9A-HJ-NP-Za-km-z]+`)

// logIn fills in the login page the browser is on and sends it.
func (b *tab) logIn(t *testing.T, email string) {
	t.Helper()
	require.Contains(t, b.location(t), "/login?next=", "the link asks to log in first")
	b.do(t, chromedp.SendKeys(chromedp.CSS(`input[name=email]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"))
	b.load(t, chromedp.Click(chromedp.CSS(`main button[type=submit]`), chromedp.NodeVisible))
}

// A sale, its steps taken from the pages its emails open: the seller marks the paid order
// shipped, and the buyer confirms the animal arrived; the seller is paid and the record moves.
func TestBrowser_SaleShippedAndConfirmedFromThePages(t *testing.T) {
	t.Parallel()
	s := start(t)
	m := openHTTPMarket(t, s)
	id := m.order(t)
	m.stripe(t, stripe.EventTypePaymentIntentAmountCapturableUpdated, id, stripehooks.SalePayment{})
	m.waitOrder(t, id, "paid")

	ctx, cancel := context.WithTimeout(context.Background(), processWait)
	defer cancel()
	paid, err := s.Mail.WaitFor(ctx, m.seller.Email, func(m mailsink.MessageDetail) bool {
		return strings.HasPrefix(m.Subject, "Mango is paid for: ship it by")
	})
	require.NoError(t, err)
	ship := pageLink(t, paid.Text, orderPageLink)
	require.Equal(t, "/orders/"+id, ship)
	seller := newTab(t)
	seller.open(t, s.URL+ship)
	seller.logIn(t, m.seller.Email)
	require.Contains(t, seller.text(t), "Paid: the platform holds the payment. Ship the animal")
	seller.do(t, chromedp.SendKeys(chromedp.CSS(`input[name=carrier]`), "UPS"),
		chromedp.SendKeys(chromedp.CSS(`input[name=tracking_number]`), "1Z999AA10123456784"))
	seller.screenshot(t, "1-seller-ships")
	seller.load(t, chromedp.Click(chromedp.CSS(`form[action$="/ship"] button`), chromedp.NodeVisible))
	require.Contains(t, seller.text(t), "Shipped. You are paid when the buyer confirms")
	require.Contains(t, seller.text(t), "1Z999AA10123456784")
	seller.screenshot(t, "2-seller-shipped")

	arriving := pageLink(t, s.waitMail(t, m.buyer.Email, "Mango is on its way").Text, orderPageLink)
	buyer := newTab(t)
	buyer.open(t, s.URL+arriving)
	buyer.logIn(t, m.buyer.Email)
	require.Contains(t, buyer.text(t), "On its way.")
	buyer.screenshot(t, "3-buyer-on-its-way")
	buyer.load(t, chromedp.Click(chromedp.CSS(`form[action$="/confirm"] button`), chromedp.NodeVisible))
	require.Contains(t, buyer.text(t), "Completed: the seller was paid")
	buyer.screenshot(t, "4-buyer-completed")

	o := m.waitOrder(t, id, "completed")
	money := o["money"].(map[string]any)
	require.Equal(t, float64(30000), money["captured"])
	require.Equal(t, true, money["settled"])
	require.Equal(t, "Mango", s.must(t, http.StatusOK, http.MethodGet, "/api/v1/animals/"+m.animal, m.buyer.Token, nil)["name"],
		"the record moved to the buyer")
}

// A buyer reports a problem with a photo from the order's page; the platform admin the
// sale asks opens the order from their email, sees the photo, and decides a partial refund
// there.
func TestBrowser_ProblemReportedWithAPhotoAndDecidedFromThePages(t *testing.T) {
	t.Parallel()
	s := start(t)
	m := openHTTPMarket(t, s)
	admin := s.register(t, "Admin", true)
	require.NoError(t, s.Admin(context.Background(), `UPDATE users SET platform_admin = true WHERE public_id = $1`, admin.UserID))
	id := m.order(t)
	m.stripe(t, stripe.EventTypePaymentIntentAmountCapturableUpdated, id, stripehooks.SalePayment{})
	m.waitOrder(t, id, "paid")
	r := m.update(t, m.seller, id, "ship", map[string]any{"carrier": "UPS", "tracking_number": "1Z999AA10123456784"})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)

	photo := filepath.Join(t.TempDir(), "retained-shed.png")
	require.NoError(t, os.WriteFile(photo, testPNG(t), 0o644))
	buyer := newTab(t)
	buyer.open(t, s.URL+pageLink(t, s.waitMail(t, m.buyer.Email, "Mango is on its way").Text, orderPageLink))
	buyer.logIn(t, m.buyer.Email)
	buyer.do(t, chromedp.SendKeys(chromedp.CSS(`textarea[name=reason]`), "Arrived with a retained shed on the tail."),
		chromedp.SetUploadFiles(chromedp.CSS(`input[name=photos]`), []string{photo}))
	buyer.screenshot(t, "1-buyer-reports")
	buyer.load(t, chromedp.Click(chromedp.CSS(`form[action$="/report-problem"] button`), chromedp.NodeVisible))
	require.Contains(t, buyer.text(t), "A problem was reported")
	require.Contains(t, buyer.text(t), "Arrived with a retained shed on the tail.")
	buyer.screenshot(t, "2-buyer-reported")
	o := m.waitOrder(t, id, "problem")
	require.Len(t, o["evidence"], 1, "the photo is kept with the order")

	decide := pageLink(t, s.waitMail(t, admin.Email, "Order "+id+": a problem waits for your decision").Text, orderPageLink)
	staff := newTab(t)
	staff.open(t, s.URL+decide)
	staff.logIn(t, admin.Email)
	require.Contains(t, staff.text(t), "you decide as a platform admin")
	ctx, cancel := context.WithTimeout(staff.ctx, 20*time.Second)
	defer cancel()
	photos, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('.photos img')].filter(i => i.complete && i.naturalWidth > 0).length`))
	require.NoError(t, err)
	require.Equal(t, 1, photos, "the admin sees the buyer's photo, loaded from storage")
	staff.do(t, chromedp.SendKeys(chromedp.CSS(`input[name=refund]`), "50.00"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=note]`), "A partial refund for the shed."))
	staff.screenshot(t, "3-admin-decides")
	staff.load(t, chromedp.Click(chromedp.CSS(`form[action$="/resolve"] button`), chromedp.NodeVisible))
	staff.screenshot(t, "4-admin-decided")

	done := m.waitOrder(t, id, "completed")
	money := done["money"].(map[string]any)
	require.Equal(t, float64(5000), money["refunded"], "%v", money)
	require.Equal(t, true, money["settled"], "%v", money)
}

// testPNG is a small photo a person might take.
func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(120 + x), uint8(90 + y), 60, 255})
		}
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

// The address a certificate's QR code holds, printed beneath it, opened in the browser:
// anyone sees that the certificate is genuine, and what it certifies.
func TestBrowser_CertificateVerifiedFromItsQRLink(t *testing.T) {
	t.Parallel()
	s := start(t)
	in, token := requestCertificate(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), processWait)
	defer cancel()
	var res certificate.Result
	require.NoError(t, testkit.Temporal(t).GetWorkflow(ctx, certificate.WorkflowID(in.CertificateID), "").Get(ctx, &res))

	pdf := filepath.Join(t.TempDir(), "certificate.pdf")
	require.NoError(t, os.WriteFile(pdf, downloadPDF(t, s, token, in.Serial), 0o644))
	text, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	require.NoError(t, err, "pdftotext (poppler-utils) reads the certificate")
	printed := regexp.MustCompile(`https?://\S+(/verify/` + regexp.QuoteMeta(in.Serial) + `)`).FindStringSubmatch(string(text))
	require.NotNil(t, printed, "the certificate prints the address its QR code holds: %s", text)

	b := newTab(t)
	resp := b.open(t, s.URL+printed[1])
	require.Equal(t, int64(http.StatusOK), resp.Status)
	page := b.text(t)
	require.Contains(t, page, "Genuine and current")
	require.Contains(t, page, "Noodle")
	require.Contains(t, page, in.Serial)
	b.screenshot(t, "1-verified")

	b.open(t, s.URL+"/verify/0000-0000-0000-0")
	require.Contains(t, b.text(t), "Certificate not found")
	b.screenshot(t, "2-unknown-serial")
}

// A breeder embeds an animal's pedigree on their own site: pasted into a page of the origin
// they listed, the widget draws and embed.js sizes its frame to it; pasted into a page of
// another origin, the browser refuses to frame it.
func TestBrowser_WidgetDrawsOnlyInTheOriginsItLists(t *testing.T) {
	t.Parallel()
	s := start(t)
	ada := s.register(t, "Ada", true)
	sire := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "male", "name": "Atlas", "visibility": "public"})
	dam := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "female", "name": "Juniper", "visibility": "public"})
	star := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "female", "name": "Saffron",
		"genetics": "Banana Clown", "visibility": "public", "sire_id": sire, "dam_id": dam})

	var snippet string
	host := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!doctype html><html><head><title>Ada's Reptiles</title></head><body>"+
			"<h1>Our breeders</h1>"+snippet+"</body></html>")
	}
	listed := httptest.NewServer(http.HandlerFunc(host))
	t.Cleanup(listed.Close)
	other := httptest.NewServer(http.HandlerFunc(host))
	t.Cleanup(other.Close)
	unlisted := strings.Replace(other.URL, "127.0.0.1", "localhost", 1) // another origin, same machine

	w := s.must(t, http.StatusCreated, http.MethodPost, "/api/v1/embed/widgets", ada.Token,
		map[string]any{"animal_id": star, "allowed_origins": []string{listed.URL}})
	snippet = strings.ReplaceAll(w["snippet"].(string), strings.TrimRight(s.Cfg.HTTP.PublicBaseURL, "/"), s.URL)
	require.Contains(t, snippet, s.URL+"/embed/"+w["id"].(string))
	initial := regexp.MustCompile(`height="(\d+)"`).FindStringSubmatch(snippet)[1]

	height := func(b *tab) string {
		t.Helper()
		h, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector('iframe').getAttribute('height')`))
		require.NoError(t, err)
		return h
	}
	b := newTab(t)
	b.open(t, listed.URL)
	require.Eventually(t, func() bool { return height(b) != initial }, 20*time.Second, 100*time.Millisecond,
		"the widget told embed.js its height, so it drew")
	b.screenshot(t, "1-framed-by-a-listed-origin")

	b.open(t, unlisted)
	time.Sleep(3 * time.Second) // as long as the listed page took many times over
	require.Equal(t, initial, height(b), "the browser refused to frame the widget, so it never told its height")
	b.screenshot(t, "2-refused-by-an-unlisted-origin")
}

// A person who asked for their account's deletion keeps it from the email's link, in the
// browser, within the grace: the deletion's process ends cancelled and the account works.
func TestBrowser_DeletionKeptFromTheEmailedLink(t *testing.T) {
	t.Parallel()
	s := start(t)
	ada := s.register(t, "Ada", true)
	s.must(t, http.StatusAccepted, http.MethodPost, "/api/v1/me/deletion", ada.Token, map[string]any{"password": "correct horse battery"})
	link := pageLink(t, s.waitMail(t, ada.Email, "Your account will be deleted").Text, regexp.MustCompile(`/me/deletion\b`))

	b := newTab(t)
	b.open(t, s.URL+link)
	b.logIn(t, ada.Email)
	require.Contains(t, b.text(t), "Ada's Reptiles")
	b.screenshot(t, "1-deletion-scheduled")
	b.load(t, chromedp.Click(chromedp.CSS(`form[action="/me/deletion/cancel"] button`), chromedp.NodeVisible))
	b.screenshot(t, "2-account-kept")

	require.Equal(t, "none", s.must(t, http.StatusOK, http.MethodGet, "/api/v1/me/deletion", ada.Token, nil)["status"])
	s.waitMail(t, ada.Email, "Your account will not be deleted")
	s.must(t, http.StatusOK, http.MethodGet, "/api/v1/me", ada.Token, nil)
}
