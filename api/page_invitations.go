package api

import (
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/invitations"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/web"
)

// The page an invitation's email opens: who invites the person into which organization with
// which role; logged in with the invited address, they accept it with one button (as the
// API's POST /invitations/accept does) and their session moves to the organization.

// invitationPageData is what the invitation's page shows.
type invitationPageData struct {
	Invitation store.TokenInvitation
	Role       string
	Token      string
	// Here is this page's address, where logging in or registering returns.
	Here string
}

// invitationLinkPage shows the invitation a link's token names, whatever the tenant: the
// token is the proof.
func (s *Server) invitationLinkPage(w http.ResponseWriter, r *http.Request, v *web.View) error {
	w.Header().Set("Referrer-Policy", "no-referrer")
	token := strings.TrimSpace(r.URL.Query().Get("token"))
	inv, err := s.invitationOfLink(r.Context(), token)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if inv.Status == store.InvitationRevoked || inv.Status == store.InvitationExpired {
		status = http.StatusGone
	}
	v.Title = "Join " + inv.OrgName + " on ReptiDex"
	v.Path = "" // the header's links would carry the token: the page offers its own
	v.Data = invitationPageData{Invitation: inv, Role: invitations.RoleWithArticle(inv.Role), Token: token,
		Here: web.InvitationPath(token)}
	return s.renderPage(w, r, status, "invitation", v)
}

// acceptInvitationForm accepts the invitation for the person logged in, and moves their
// session to the organization.
func (s *Server) acceptInvitationForm(w http.ResponseWriter, r *http.Request, v *web.View) error {
	w.Header().Set("Referrer-Policy", "no-referrer")
	if err := needPerson(v); err != nil {
		return err
	}
	hash, ok := store.ParseLinkToken(strings.TrimSpace(r.URL.Query().Get("token")))
	if !ok {
		return errBadInvitationLink
	}
	var org string
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		m, err := invitations.Accept(r.Context(), tx, hash, a.UserID)
		if err != nil {
			return acceptProblem(err)
		}
		org = m.OrgPublicID
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.switchPageSession(r, org); err != nil {
		return err
	}
	return redirectTo(w, "/")
}
