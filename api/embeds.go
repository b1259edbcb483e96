package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/embeds"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/web"
)

// embedRoutes: the widgets of the organization's public animals and profile, for its own
// website; the widget pages themselves are pages (pageRoutes).
func (s *Server) embedRoutes(r chi.Router) {
	r.Use(s.authenticate)
	r.Post("/embed/widgets", s.handle(s.createEmbed))
	r.Get("/embed/widgets", s.handle(s.listEmbeds))
	r.Get("/embed/widgets/{widgetID}", s.handle(s.getEmbed))
	r.Delete("/embed/widgets/{widgetID}", s.handle(s.deleteEmbed))
}

type embedRequest struct {
	// animal (the default when animal_id is sent): one public animal with its pedigree
	// chart; profile: the organization's public animals.
	Kind string `json:"kind,omitempty" text:"max=10" jsonschema:"enum=animal,enum=profile"`
	// Public ID of one of the organization's public animals, not archived; for an animal's
	// widget only.
	AnimalID string `json:"animal_id,omitempty" text:"max=32"`
	// The origins whose pages may frame the widget, 1 to 10: https://host or
	// https://host:port, without a path (http:// only for localhost, 127.0.0.1 and [::1]).
	// They are lower-cased, the default port dropped, and each kept once.
	AllowedOrigins []string `json:"allowed_origins" text:"max=300" jsonschema:"required,minItems=1,maxItems=10"`
}

type embedView struct {
	// Public ID of the widget.
	ID string `json:"id"`
	// animal or profile.
	Kind string `json:"kind" jsonschema:"enum=animal,enum=profile"`
	// The animal an animal's widget shows; absent for a profile.
	AnimalID string `json:"animal_id,omitempty"`
	// The origins whose pages may frame the widget, normalised.
	AllowedOrigins []string `json:"allowed_origins"`
	// The widget page, to frame.
	URL string `json:"url" jsonschema:"format=uri"`
	// The HTML to paste into the site: the widget's iframe and the script that sizes it.
	Snippet   string    `json:"snippet"`
	CreatedAt time.Time `json:"created_at"`
}

type embedPage struct {
	// The organization's widgets, oldest first (at most 100); [] when none.
	Items []embedView `json:"items"`
}

// viewEmbed is an embed with its address and snippet; orgName titles a profile's frame.
func (s *Server) viewEmbed(e store.Embed, orgName string) embedView {
	url := s.links.URL(web.EmbedPath(e.PublicID))
	title, height := "Animals of "+orgName+" on ReptiDex", profileWidgetHeight
	if e.Kind == embeds.KindAnimal {
		title, height = "Pedigree of "+orUnnamed(e.AnimalName)+" on ReptiDex", animalWidgetHeight
	}
	return embedView{ID: e.PublicID, Kind: e.Kind, AnimalID: e.AnimalPublicID, AllowedOrigins: e.AllowedOrigins,
		URL: url, Snippet: embeds.Snippet(url, s.links.URL("/embed.js"), title, height), CreatedAt: e.CreatedAt}
}

// organizationName is the name of the transaction's organization, which titles its widgets.
func organizationName(ctx context.Context, tx pgx.Tx, a access) (string, error) {
	o, err := store.OrganizationByID(ctx, tx, a.OrgID)
	return o.Name, err
}

// createEmbed makes a widget of one of the organization's public animals, or of its
// profile (embeds.Create); keepers and above.
func (s *Server) createEmbed(w http.ResponseWriter, r *http.Request) error {
	var in embedRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	op := idempotentOp{Name: "embed.create", Request: in}
	return s.idempotent(w, r, op, func(r *http.Request, k *keyed) (response, error) {
		var resp response
		err := s.withKeeper(r, func(tx pgx.Tx, a access) error {
			e, err := embeds.Create(r.Context(), tx, a, embeds.NewEmbed{Kind: in.Kind, AnimalPublicID: in.AnimalID,
				AllowedOrigins: in.AllowedOrigins})
			if err != nil {
				return embedProblem(err)
			}
			name, err := organizationName(r.Context(), tx, a)
			if err != nil {
				return err
			}
			resp = response{Status: http.StatusCreated, Body: s.viewEmbed(e, name), Location: "/api/v1/embed/widgets/" + e.PublicID}
			return k.save(r.Context(), tx, resp)
		})
		return resp, err
	})
}

// listEmbeds lists the organization's widgets.
func (s *Server) listEmbeds(w http.ResponseWriter, r *http.Request) error {
	out := embedPage{Items: []embedView{}}
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		all, err := store.EmbedsOfOrganization(r.Context(), tx)
		if err != nil {
			return err
		}
		name, err := organizationName(r.Context(), tx, a)
		for _, e := range all {
			out.Items = append(out.Items, s.viewEmbed(e, name))
		}
		return err
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// getEmbed answers one of the organization's widgets.
func (s *Server) getEmbed(w http.ResponseWriter, r *http.Request) error {
	var out embedView
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		e, err := store.EmbedByPublicID(r.Context(), tx, chi.URLParam(r, "widgetID"))
		if err != nil {
			return embedProblem(err)
		}
		name, err := organizationName(r.Context(), tx, a)
		out = s.viewEmbed(e, name)
		return err
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// deleteEmbed deletes one of the organization's widgets (keepers and above): its page then
// answers 404 wherever it is framed.
func (s *Server) deleteEmbed(w http.ResponseWriter, r *http.Request) error {
	err := s.withKeeper(r, func(tx pgx.Tx, _ access) error {
		return embedProblem(store.DeleteEmbed(r.Context(), tx, chi.URLParam(r, "widgetID")))
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// embedProblem answers what embeds refuse; other errors pass as they are.
func embedProblem(err error) error {
	var fields embeds.FieldErrors
	switch {
	case errors.As(err, &fields):
		return invalidFields(fields)
	case errors.Is(err, embeds.ErrNoAnimal):
		return notFound("animal")
	case errors.Is(err, embeds.ErrTooMany):
		return newProblem(kindConflict, "The organization has "+strconv.Itoa(embeds.MaxPerOrganization)+
			" widgets, as many as it may; delete one it no longer uses first.")
	case errors.Is(err, store.ErrNotFound):
		return notFound("widget")
	}
	return err
}
