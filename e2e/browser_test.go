package e2e_test

import (
	"context"
	"net/http"
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

	"github.com/reptidex/reptidex/testkit"
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

// text is the visible text of the page's main part.
func (b *tab) text(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
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
