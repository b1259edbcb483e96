package api

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
)

// anonymousBody caps the bodies of what anyone may post without an account: a few short
// fields, far below the general limit, so none is worth scanning at length.
var anonymousBody = limitBody(maxAnonymousBody)

// routes builds the router, one group per resource in the order of the README's API
// overview. Middleware order: request ID, security headers, real IP, metrics, access log,
// panic recovery, then the pages for people (pageRoutes, with body limits of their own), then
// the API's body limit; authentication is per route group.
//
// The groups are chi groups on full paths rather than r.Route sub-routers: a sub-router
// serves its root as "/", which would also answer the path with a trailing slash.
func (s *Server) routes() chi.Router {
	r := chi.NewRouter()
	r.Use(requestID, noSniff, realIP(s.cfg.HTTP.TrustedProxies), newHTTPMetrics(s.reg).middleware,
		accessLog(s.log), s.recoverer, pagesFirst(s.pageRoutes()), limitBody(s.cfg.HTTP.MaxBodyBytes))
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, newProblem(kindNotFound, "No such endpoint."))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, req *http.Request) {
		var allowed []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if r.Match(chi.NewRouteContext(), m, req.URL.Path) {
				allowed = append(allowed, m)
			}
		}
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeProblem(w, req, newProblem(kindMethod, req.Method+" is not allowed here."))
	})

	r.Get("/docs", s.handle(s.docs))
	r.Group(s.unsubscribeRoutes)
	r.Route("/api/v1", func(r chi.Router) {
		r.Group(s.serviceRoutes)
		r.Group(s.accountRoutes)
		r.Group(s.organizationRoutes)
		r.Group(s.taxonomyRoutes)
		r.Group(s.billingRoutes)
		r.Group(s.animalRoutes)
		r.Group(s.geneticsRoutes)
		r.Group(s.lineageRoutes)
		r.Group(s.breedingRoutes)
		r.Group(s.searchRoutes)
		r.Group(s.notificationRoutes)
		r.Group(s.transferRoutes)
		r.Group(s.marketplaceRoutes)
		r.Group(s.orderRoutes)
		r.Group(s.mediaRoutes)
		r.Group(s.invitationRoutes)
		r.Group(s.preferenceRoutes)
		r.Group(s.stripeRoutes)
		r.Group(s.certificateRoutes)
		r.Group(s.exportRoutes)
		r.Group(s.importRoutes)
		r.Group(s.personalRoutes)
		r.Group(s.embedRoutes)
	})
	return r
}

// serviceRoutes: liveness, each dependency's status, and the API's own document.
func (s *Server) serviceRoutes(r chi.Router) {
	r.Get("/health", s.handle(s.health))
	r.Get("/health/deep", s.handle(s.healthDeep))
	r.Get("/openapi.json", s.handle(s.openAPI))
}

// accountRoutes: registration and sessions, throttled per client address, the token
// signing keys, and the caller.
func (s *Server) accountRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.limiter.middleware, anonymousBody)
		r.Post("/auth/register", s.handle(s.register))
		r.Post("/auth/login", s.handle(s.login))
		r.Post("/auth/refresh", s.handle(s.refresh))
	})
	r.With(anonymousBody).Post("/auth/logout", s.handle(s.logout))
	r.Get("/auth/jwks.json", s.handle(s.jwks))
	r.With(s.authenticate).Get("/me", s.handle(s.me))
}

// organizationRoutes: an organization's settings, its members and its plan.
func (s *Server) organizationRoutes(r chi.Router) {
	r.Use(s.authenticate)
	r.Patch("/organizations/{orgID}", s.handle(s.updateOrganization))
	r.Get("/organizations/{orgID}/members", s.handle(s.listMembers))
	r.Post("/organizations/{orgID}/members", s.handle(s.addMember))
	r.Patch("/organizations/{orgID}/members/{userID}", s.handle(s.changeMember))
	r.Delete("/organizations/{orgID}/members/{userID}", s.handle(s.removeMember))
	r.Get("/organizations/{orgID}/plan", s.handle(s.organizationPlan))
}

// billingRoutes: the plans, public to read; platform admins edit them and grant them to
// organizations.
func (s *Server) billingRoutes(r chi.Router) {
	r.Get("/billing/plans", s.handle(s.listPlans))
	r.With(s.authenticate).Patch("/admin/billing/plans/{plan}", s.handle(s.updatePlan))
	r.With(s.authenticate).Put("/admin/organizations/{orgID}/plan-grant", s.handle(s.grantPlan))
	r.With(s.authenticate).Delete("/admin/organizations/{orgID}/plan-grant", s.handle(s.ungrantPlan))
	r.Group(func(r chi.Router) {
		r.Use(s.authenticate)
		r.Post("/billing/checkout", s.handle(s.checkout))
		r.Get("/billing/subscription", s.handle(s.getSubscription))
		r.Patch("/billing/subscription", s.handle(s.changeSubscription(s.changePlan)))
		r.Post("/billing/subscription/cancel", s.handle(s.changeSubscription(cancelSubscription)))
		r.Post("/billing/subscription/resume", s.handle(s.changeSubscription(resumeSubscription)))
		r.Get("/billing/portal", s.handle(s.billingPortal))
		r.Get("/billing/invoices", s.handle(s.listInvoices))
		r.Get("/billing/invoices/{invoice}/pay", s.handle(s.payInvoice))
	})
}

// taxonomyRoutes: the species catalogues, public to read; platform admins replace them.
func (s *Server) taxonomyRoutes(r chi.Router) {
	r.Get("/taxonomy/species", s.handle(s.listSpecies))
	r.Get("/taxonomy/species/{species}", s.handle(s.getSpecies))
	r.With(s.authenticate).Put("/taxonomy/species/{species}", s.handle(s.replaceSpecies))
}

// animalRoutes: the organization's animals.
func (s *Server) animalRoutes(r chi.Router) {
	r.Use(s.authenticate)
	r.Get("/animals", s.handle(s.listAnimals))
	r.Post("/animals", s.handle(s.createAnimal))
	r.Get("/animals/{animalID}", s.handle(s.getAnimal))
	r.Patch("/animals/{animalID}", s.handle(s.updateAnimal))
	r.Post("/animals/{animalID}/archive", s.handle(s.archiveAnimal))
	r.Post("/animals/{animalID}/replace", s.handle(s.replaceReference))
	r.Get("/animals/{animalID}/inbreeding", s.handle(s.inbreeding))
	r.Get("/animals/search", s.handle(s.searchOwn))
}

// geneticsRoutes: predicted offspring of a pairing.
func (s *Server) geneticsRoutes(r chi.Router) {
	r.With(s.authenticate).Post("/genetics/predict", s.handle(s.predict))
}

// lineageRoutes: an animal's ancestors and descendants, and its pedigree chart drawn.
func (s *Server) lineageRoutes(r chi.Router) {
	r.Use(s.authenticate)
	r.Get("/lineage/{animalID}", s.handle(s.lineage))
	r.Get("/lineage/{animalID}/descendants", s.handle(s.descendants))
	r.Get("/render/pedigree/{animalID}", s.handle(s.renderPedigree))
}

// breedingRoutes: pairings, their clutches and the hatchlings registered from them.
func (s *Server) breedingRoutes(r chi.Router) {
	r.Use(s.authenticate)
	r.Get("/breeding/pairs", s.handle(s.listPairings))
	r.Post("/breeding/pairs", s.handle(s.createPairing))
	r.Get("/breeding/pairs/{pairID}", s.handle(s.getPairing))
	r.Post("/breeding/pairs/{pairID}/clutches", s.handle(s.createClutch))
	r.Patch("/breeding/clutches/{clutchID}", s.handle(s.updateClutch))
	r.Post("/breeding/clutches/{clutchID}/hatchlings", s.handle(s.createHatchlings))
}

// searchRoutes: public animals of every breeder, without an account, throttled per client
// address.
func (s *Server) searchRoutes(r chi.Router) {
	r.With(s.limits.search.middleware).Get("/search", s.handle(s.searchPublic))
}

// notificationRoutes: the caller's inbox, and messages to an organization's members.
func (s *Server) notificationRoutes(r chi.Router) {
	r.Use(s.authenticate)
	r.Get("/notifications", s.handle(s.listNotifications))
	r.Get("/notifications/unread-count", s.handle(s.unreadNotifications))
	r.Get("/notifications/{notificationID}", s.handle(s.getNotification))
	r.Post("/notifications/{notificationID}/read", s.handle(s.readNotification))
	r.Post("/notifications/read-all", s.handle(s.readAllNotifications))
	r.Post("/notifications/send", s.handle(s.sendMessage))
}

// transferRoutes: handovers of an animal between organizations. The answers wait for the
// transfer's workflow, under the longer deadline.
func (s *Server) transferRoutes(r chi.Router) {
	r.Use(s.authenticate)
	r.Get("/transfers", s.handle(s.listTransfers))
	r.Post("/transfers", s.handle(s.createTransfer))
	r.Get("/transfers/{transferID}", s.handle(s.getTransfer))
	r.Post("/transfers/{transferID}/accept", s.handleWaiting(s.acceptTransfer))
	r.Post("/transfers/{transferID}/decline", s.handleWaiting(s.declineTransfer))
	r.Post("/transfers/{transferID}/cancel", s.handleWaiting(s.cancelTransfer))
	r.Get("/animals/{animalID}/ownership", s.handle(s.animalOwnership))
}

// marketplaceRoutes: selling: the organization's seller account and its listings. Anyone may
// browse and read active listings, throttled per client address as search is; a member's
// token shows them their own organization's withdrawn and sold ones too.
func (s *Server) marketplaceRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.authenticate)
		r.Post("/marketplace/seller-account", s.handle(s.createSellerAccount))
		r.Get("/marketplace/seller-account", s.handle(s.getSellerAccount))
		r.Post("/marketplace/seller-account/onboarding-link", s.handle(s.createOnboardingLink))
		r.Post("/marketplace/listings", s.handle(s.createListing))
		r.Patch("/marketplace/listings/{listingID}", s.handle(s.updateListing))
		r.Post("/marketplace/listings/{listingID}/withdraw", s.handle(s.withdrawListing))
		r.Post("/marketplace/listings/{listingID}/resume", s.handle(s.resumeListing))
	})
	r.With(s.limits.search.middleware).Get("/marketplace/listings", s.handle(s.browseListings))
	r.With(s.limits.search.middleware, s.authenticateIfSent).Get("/marketplace/listings/{listingID}", s.handle(s.getListing))
}

// mediaRoutes: photos of animals, uploaded straight to object storage. Anyone may list and
// read a public animal's photos; a member's token shows them their own organization's.
func (s *Server) mediaRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.authenticate)
		r.Post("/media/uploads", s.handle(s.startUpload))
		r.Get("/media/usage", s.handle(s.mediaUsage))
		r.Post("/media/{mediaID}/confirm", s.handle(s.confirmUpload))
		r.Patch("/media/{mediaID}", s.handle(s.arrangeMedia))
		r.Delete("/media/{mediaID}", s.handle(s.deleteMedia))
	})
	r.With(s.limits.search.middleware, s.authenticateIfSent).Get("/media/{mediaID}", s.handle(s.getMedia))
	r.With(s.limits.search.middleware, s.authenticateIfSent).Get("/animals/{animalID}/media", s.handle(s.animalMedia))
}

// orderRoutes: buying and selling listed animals: orders, their sale's updates (which wait
// for the sale's workflow, under the longer deadline), the seller's inventory, and the
// platform admins' decision on a reported problem.
func (s *Server) orderRoutes(r chi.Router) {
	r.Use(s.authenticate)
	r.Get("/orders", s.handle(s.listOrders))
	r.Post("/orders", s.handle(s.createOrder))
	r.Get("/orders/{orderID}", s.handle(s.getOrder))
	r.Post("/orders/{orderID}/ship", s.handleWaiting(s.shipOrder))
	r.Post("/orders/{orderID}/delivered", s.handleWaiting(s.deliveredOrder))
	r.Post("/orders/{orderID}/confirm", s.handleWaiting(s.confirmOrder))
	r.Post("/orders/{orderID}/report-problem", s.handleWaiting(s.reportOrderProblem))
	r.Post("/orders/{orderID}/cancel", s.handleWaiting(s.cancelOrder))
	r.Post("/admin/orders/{orderID}/resolve", s.handleWaiting(s.resolveOrder))
	r.Get("/inventory", s.handle(s.inventory))
}

// invitationRoutes: invitations to an organization and email verification; the emailed
// links open pages anyone may load.
func (s *Server) invitationRoutes(r chi.Router) {
	r.Group(func(r chi.Router) {
		r.Use(s.authenticate)
		r.Get("/organizations/{orgID}/invitations", s.handle(s.listInvitations))
		r.Post("/organizations/{orgID}/invitations", s.handle(s.createInvitation))
		r.Delete("/organizations/{orgID}/invitations/{invitationID}", s.handle(s.revokeInvitation))
		r.Post("/invitations/accept", s.handle(s.acceptInvitation))
		r.Post("/me/verify-email", s.handle(s.resendVerification))
	})
	r.Get("/invitations/accept", s.handle(s.invitationPage))
	r.With(anonymousBody).Post("/auth/verify-email", s.handle(s.verifyEmail))
	r.Get("/auth/verify-email", s.handle(s.verifyEmailPage))
}

// preferenceRoutes: how the caller is reached: preferences per notification type and the
// phone number for text messages.
func (s *Server) preferenceRoutes(r chi.Router) {
	r.Use(s.authenticate)
	r.Get("/me/notification-preferences", s.handle(s.listPreferences))
	r.Put("/me/notification-preferences/{type}", s.handle(s.setPreference))
	r.Put("/me/phone", s.handle(s.setPhone))
	r.Delete("/me/phone", s.handle(s.deletePhone))
	r.Post("/me/phone/verify", s.handle(s.verifyPhone))
}

// unsubscribeRoutes: the emailed unsubscribe link, outside /api/v1 and without a login.
func (s *Server) unsubscribeRoutes(r chi.Router) {
	r.Get("/unsubscribe", s.handle(s.unsubscribePrompt))
	r.With(anonymousBody).Post("/unsubscribe", s.handle(s.unsubscribe))
}

// stripeRoutes: Stripe's webhook deliveries, signed with the endpoint's secret instead of a
// bearer token.
func (s *Server) stripeRoutes(r chi.Router) {
	r.Post("/stripe/webhooks", s.handle(s.stripeWebhook))
}

// certificateRoutes: the public keys certificates are verified with; anyone's check of a
// certificate by serial, throttled per client address; the organization's certificates:
// requested for an animal, listed, and read by serial; and a platform admin's revocation.
func (s *Server) certificateRoutes(r chi.Router) {
	r.Get("/certificates/keys", s.handle(s.certificateKeys))
	r.With(s.limits.verify.middleware).Get("/verify/{serial}", s.handle(s.verifyCertificate))
	r.With(s.authenticate).Post("/admin/certificates/{serial}/revoke", s.handle(s.revokeCertificate))
	r.Group(func(r chi.Router) {
		r.Use(s.authenticate)
		r.Post("/animals/{animalID}/certificates", s.handle(s.requestCertificate))
		r.Get("/animals/{animalID}/certificates", s.handle(s.animalCertificates))
		r.Get("/certificates/{serial}", s.handle(s.getCertificate))
	})
}

// importRoutes: imports of animals from a spreadsheet: uploaded, checked, applied or
// cancelled; the breeder's updates wait for the import's process.
func (s *Server) importRoutes(r chi.Router) {
	r.Use(s.authenticate)
	r.Post("/imports", s.handle(s.startImport))
	r.Get("/imports", s.handle(s.listImports))
	r.Get("/imports/{importID}", s.handle(s.getImport))
	r.Post("/imports/{importID}/check", s.handleWaiting(s.checkImport))
	r.Post("/imports/{importID}/apply", s.handleWaiting(s.applyImport))
	r.Post("/imports/{importID}/cancel", s.handleWaiting(s.cancelImport))
}

// exportRoutes: exports of the organization's data, asked for or on schedules.
func (s *Server) exportRoutes(r chi.Router) {
	r.Use(s.authenticate)
	r.Post("/exports", s.handle(s.requestExport))
	r.Get("/exports", s.handle(s.listExports))
	r.Get("/exports/{exportID}", s.handle(s.getExport))
	r.Post("/exports/schedules", s.handle(s.createExportSchedule))
	r.Get("/exports/schedules", s.handle(s.listExportSchedules))
	r.Get("/exports/schedules/{scheduleID}", s.handle(s.getExportSchedule))
	r.Patch("/exports/schedules/{scheduleID}", s.handle(s.updateExportSchedule))
	r.Delete("/exports/schedules/{scheduleID}", s.handle(s.deleteExportSchedule))
}
