package api

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/reptidex/reptidex/media"
	"github.com/reptidex/reptidex/web"
)

// The pages for people: what every link in an email or a text message opens. They are drawn
// on the server from web's templates, share the API's accounts, authorization and limits,
// and answer every refusal with a page rather than a problem document. They live outside
// /api/v1 on a router of their own (pageRoutes), which pagesFirst hands every path that is
// not the API's.

// pageHandler is a page's handler: it draws into v, or returns the error whose problem
// page the funnel draws.
type pageHandler func(w http.ResponseWriter, r *http.Request, v *web.View) error

// pageRoutes serves the pages; the API's middleware runs before it.
func (s *Server) pageRoutes() chi.Router {
	r := chi.NewRouter()
	r.Use(s.pageBodyLimit)
	r.Get("/static/*", s.pages.Static().ServeHTTP)
	r.Get("/verify/{serial}", s.verifyPage)
	r.HandleFunc("/verify/*", func(w http.ResponseWriter, r *http.Request) {
		s.writeVerifyPage(w, r, http.StatusNotFound, verifyPageData{})
	})

	r.Get("/", s.page(s.homePage))
	r.Get("/login", s.page(s.loginPage))
	r.Post("/login", s.page(s.loginForm))
	r.Get("/register", s.page(s.registerPage))
	r.Post("/register", s.page(s.registerForm))
	r.Post("/logout", s.page(s.logoutForm))
	r.Post("/organization", s.page(s.switchOrganizationForm))
	r.Get("/verify-email", s.page(s.verifyEmailLinkPage))
	r.Post("/verify-email", s.page(s.verifyEmailForm))
	r.Post("/verify-email/resend", s.page(s.resendVerificationForm))
	r.Get("/invitations/accept", s.page(s.invitationLinkPage))
	r.Post("/invitations/accept", s.page(s.acceptInvitationForm))

	r.Get("/animals/{animalID}", s.page(s.publicAnimalPage))
	r.Get("/breeders/{orgID}", s.page(s.breederPage))
	r.Get("/embed/{widgetID}", s.widgetPage)
	r.Get("/embed.js", s.embedScript)

	r.Get("/transfers/{transferID}", s.page(s.transferPage))
	r.Post("/transfers/{transferID}/accept", s.pageWaiting(s.acceptTransferForm))
	r.Post("/transfers/{transferID}/decline", s.pageWaiting(s.declineTransferForm))

	r.Get("/orders/{orderID}", s.page(s.orderPage))
	r.Post("/orders/{orderID}/confirm", s.pageWaiting(s.confirmOrderForm))
	r.Post("/orders/{orderID}/cancel", s.pageWaiting(s.cancelOrderForm))
	r.Post("/orders/{orderID}/ship", s.pageWaiting(s.shipOrderForm))
	r.Post("/orders/{orderID}/report-problem", s.pageWaiting(s.reportOrderProblemForm))
	r.Post("/orders/{orderID}/resolve", s.pageWaiting(s.resolveOrderForm))

	r.Get("/seller/onboarding/return", s.page(s.sellerReturnPage))
	r.Get("/seller/onboarding/refresh", s.page(s.sellerOnboardingRefresh))
	r.Post("/seller/onboarding", s.page(s.sellerOnboardingForm))

	r.Get("/billing", s.page(s.billingPage))
	r.Post("/billing/portal", s.page(s.billingPortalForm))
	r.Post("/billing/invoices/{invoice}/pay", s.page(s.payInvoiceForm))

	r.Get("/certificates/{serial}", s.page(s.certificatePage))
	r.Get("/exports/{exportID}", s.page(s.exportPage))
	r.Get("/imports/{importID}", s.page(s.importPage))
	r.Post("/imports/{importID}/apply", s.pageWaiting(s.applyImportForm))
	r.Post("/imports/{importID}/cancel", s.pageWaiting(s.cancelImportForm))
	r.Get("/me/exports/{exportID}", s.page(s.personalExportPage))
	r.Get("/me/deletion", s.page(s.deletionPage))
	r.Post("/me/deletion/cancel", s.pageWaiting(s.keepAccountForm))

	notFound := s.page(func(http.ResponseWriter, *http.Request, *web.View) error {
		return newProblem(kindNotFound, "There is no page at this address. Check that the link was copied whole.")
	})
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		if !wantsPage(r) {
			writeProblem(w, r, newProblem(kindNotFound, "No such endpoint."))
			return
		}
		notFound(w, r)
	})
	methodNotAllowed := s.page(func(w http.ResponseWriter, _ *http.Request, _ *web.View) error {
		return newProblem(kindMethod, "This page cannot be used that way.")
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		if !wantsPage(r) {
			writeProblem(w, r, newProblem(kindMethod, r.Method+" is not allowed here."))
			return
		}
		methodNotAllowed(w, r)
	})
	return r
}

// wantsPage is whether the client reads pages: a browser, which asks for HTML. A path no page
// has answers any other client (a program guessing at the API) with a problem document.
func wantsPage(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// pagesFirst hands every path that is not the API's (/api/, /docs, /unsubscribe) to the
// pages.
func pagesFirst(pages http.Handler) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := r.URL.Path
			if strings.HasPrefix(p, "/api/") || p == "/api" || p == "/docs" || p == "/unsubscribe" {
				next.ServeHTTP(w, r)
				return
			}
			pages.ServeHTTP(w, r)
		})
	}
}

// page adapts a pageHandler under the request deadline; pageWaiting under the longer one of
// requests that wait for a workflow.
func (s *Server) page(h pageHandler) http.HandlerFunc {
	return s.pageWithin(s.cfg.HTTP.RequestTimeout, h)
}

func (s *Server) pageWaiting(h pageHandler) http.HandlerFunc {
	return s.pageWithin(s.cfg.HTTP.WorkflowRequestTimeout, h)
}

// pageWithin is the funnel every page runs through, as handleWithin is the API's: the path
// and query are checked, the session cookie is read (the person's claims join the context,
// as a bearer token's do), a form's CSRF token is checked, and the handler runs. Its error
// is drawn as a problem page.
func (s *Server) pageWithin(deadline time.Duration, h pageHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := &web.View{Path: r.URL.Path}
		if p := checkRequestText(r); p != nil {
			s.problemPage(w, r, v, p)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), deadline)
		defer cancel()
		r = r.WithContext(ctx)
		r, err := s.pageSession(w, r, v)
		if err == nil && r.Method == http.MethodPost {
			err = s.checkForm(r, v)
		}
		aw := &answerWriter{ResponseWriter: w}
		if err == nil {
			err = h(aw, r, v)
		}
		if err != nil {
			if aw.began {
				s.log.ErrorContext(ctx, "page failed after its answer began", "error", err, "method", r.Method, "path", r.URL.Path)
				return
			}
			s.problemPage(aw, r, v, err)
		}
	}
}

// pageHeaders are sent with every page: drawn for one person and never cached (but a public
// page drawn for nobody, renderPublicPage), never framed, loading only our stylesheet and
// the photos' storage.
func (s *Server) pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if h.Get("Cache-Control") == "" { // a public page drawn for nobody logged in may be cached
		h.Set("Cache-Control", "no-store")
	}
	if h.Get("Referrer-Policy") == "" { // a page whose address holds a token sends none
		h.Set("Referrer-Policy", "same-origin")
	}
	h.Set("X-Frame-Options", "DENY")
	if h.Get("Content-Security-Policy") == "" { // a page whose forms lead to Stripe allows it (formsToStripe)
		h.Set("Content-Security-Policy", s.pagePolicy("'self'"))
	}
}

// pagePolicy is the Content-Security-Policy of a page whose forms may post to, and be
// redirected to, formAction.
func (s *Server) pagePolicy(formAction string) string {
	return "default-src 'none'; style-src 'self'; img-src 'self' data: " + s.photoOrigin +
		"; form-action " + formAction + "; frame-ancestors 'none'; base-uri 'none'"
}

// stripePages are where a form that opens one of Stripe's pages (the billing portal, an
// invoice, Connect onboarding) is redirected; a browser checks form-action on redirects too.
const stripePages = "'self' https://*.stripe.com"

// formsToStripe lets the page's forms lead to Stripe's pages.
func (s *Server) formsToStripe(w http.ResponseWriter) {
	w.Header().Set("Content-Security-Policy", s.pagePolicy(stripePages))
}

// renderPage draws the page name with v at status.
func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, status int, name string, v *web.View) error {
	v.Status = status
	var b bytes.Buffer
	if err := s.pages.Render(&b, name, v); err != nil {
		return err
	}
	s.pageHeaders(w)
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
	return nil
}

// pageTitles are the headings of problem pages, by status, in a person's words.
var pageTitles = map[int]string{
	http.StatusBadRequest:            "This link or form is not complete",
	http.StatusUnauthorized:          "Log in to continue",
	http.StatusPaymentRequired:       "Your plan does not include this",
	http.StatusForbidden:             "You cannot do this",
	http.StatusNotFound:              "Not found",
	http.StatusMethodNotAllowed:      "Not here",
	http.StatusConflict:              "This has changed",
	http.StatusGone:                  "This link has expired",
	http.StatusRequestEntityTooLarge: "Too large",
	http.StatusUnsupportedMediaType:  "This form could not be read",
	http.StatusUnprocessableEntity:   "Check what you entered",
	http.StatusTooManyRequests:       "Too many tries",
	http.StatusInternalServerError:   "Something went wrong",
	http.StatusServiceUnavailable:    "Try again in a moment",
}

// problemData is what a problem page shows.
type problemData struct {
	Detail    string
	RequestID string
	// LogIn offers to log in or register: the page needs a person.
	LogIn bool
}

// problemPage draws err as a page, as the problem the API would answer (asProblem).
func (s *Server) problemPage(w http.ResponseWriter, r *http.Request, v *web.View, err error) {
	p := s.asProblem(r, err)
	w.Header().Set("Cache-Control", "no-store")
	v.Title = pageTitles[p.Status]
	if v.Title == "" {
		v.Title = p.Title
	}
	v.Data = problemData{Detail: p.Detail, RequestID: middleware.GetReqID(r.Context()),
		LogIn: p.Status == http.StatusUnauthorized}
	if p.Status == http.StatusServiceUnavailable || p.Status == http.StatusTooManyRequests {
		retry := p.retryAfter
		if retry <= 0 {
			retry = unavailableRetryAfter
		}
		w.Header().Set("Retry-After", retryAfterSeconds(retry))
	}
	if err := s.renderPage(w, r, p.Status, "problem", v); err != nil {
		s.log.ErrorContext(r.Context(), "problem page failed to draw", "error", err)
		http.Error(w, p.Detail, p.Status)
	}
}

// redirectTo redirects a form's post to the page that shows its outcome.
func redirectTo(w http.ResponseWriter, to string) error {
	w.Header().Set("Location", to)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusSeeOther)
	return nil
}

// localPath is next if it is a path on this site (where logging in may return), else "/".
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

func retryAfterSeconds(d time.Duration) string { return strconv.Itoa(int(d.Seconds() + 0.999)) }

// throttled takes a request from l's budget for its client, the API's throttle for the same
// action, or answers why not.
func throttled(l *ipLimiter, r *http.Request) error {
	if ok, wait := l.take(clientOf(clientIP(r))); !ok {
		p := newProblem(kindRateLimited, "Too many tries from your address just now; wait a minute and try again.")
		p.retryAfter = wait
		return p
	}
	return nil
}

// problemReport is the path of the one form that carries files.
var problemReport = regexp.MustCompile(`^/orders/[1-9A-HJ-NP-Za-km-z]{1,32}/report-problem$`)

// maxEvidenceForm bounds the one page form that carries files, a reported problem: its
// photos at their largest, and the reason.
const maxEvidenceForm = media.MaxEvidence*media.MaxBytes + 64<<10

// pageBodyLimit caps what a page's form may send: a few short fields (maxAnonymousBody), or
// a reported problem's photos. A larger body is refused with a page before it is read.
func (s *Server) pageBodyLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := int64(maxAnonymousBody)
		if r.Method == http.MethodPost && problemReport.MatchString(r.URL.Path) {
			limit = maxEvidenceForm
		}
		if r.ContentLength > limit {
			s.problemPage(w, r, &web.View{Path: r.URL.Path}, newProblem(kindTooLarge,
				"What was sent is too large: "+strconv.FormatInt(limit>>10, 10)+" KB at most."))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}
