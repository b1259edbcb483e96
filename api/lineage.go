package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/pedigree"
	"github.com/reptidex/reptidex/store"
)

// cardView is an animal as shown on a pedigree: full public fields when the caller may see
// them, else only that it exists and its species.
type cardView struct {
	Visible      bool     `json:"visible"`
	ID           string   `json:"id,omitempty"`
	Name         string   `json:"name,omitempty"`
	Species      string   `json:"species"`
	Sex          string   `json:"sex,omitempty"`
	HatchDate    string   `json:"hatch_date,omitempty"`
	Genetics     string   `json:"genetics,omitempty"`
	Status       string   `json:"status,omitempty"`
	Owner        *orgView `json:"owner,omitempty"`
	Breeder      *orgView `json:"breeder,omitempty"`
	Reference    bool     `json:"reference,omitempty"`
	NotPublicMsg string   `json:"note,omitempty"`
}

type orgView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func viewCard(c store.AnimalCard) cardView {
	if !c.Visible {
		return cardView{Species: c.SpeciesKey, NotPublicMsg: "not public"}
	}
	v := cardView{Visible: true, ID: c.PublicID, Name: c.Name, Species: c.SpeciesKey, Sex: c.Sex, Genetics: c.GeneticsText,
		Status: c.Status, Reference: c.Reference, Owner: &orgView{c.OwnerPublicID, c.OwnerName}}
	if c.HatchDate != nil {
		v.HatchDate = c.HatchDate.Format(time.DateOnly)
	}
	if c.BreederPublicID != "" {
		v.Breeder = &orgView{c.BreederPublicID, c.BreederName}
	}
	return v
}

// lineage returns an animal's ancestor tree, N generations deep (default 4, at most 10),
// across organizations: other breeders' ancestors show their public fields, or "not public".
// The chart is read with the authorization in one round trip (pedigree.Graph.Chart).
func (s *Server) lineage(w http.ResponseWriter, r *http.Request) error {
	gens, err := intParam(r, "generations", 4, 1, 10)
	if err != nil {
		return err
	}
	authorize, err := batchAccess(r)
	if err != nil {
		return err
	}
	chart, err := s.pedigree.Chart(r.Context(), s.db, authorize, chi.URLParam(r, "animalID"), gens)
	if errors.Is(err, pedigree.ErrNotFound) {
		return notFound("animal")
	}
	if err != nil {
		return err
	}
	return writeChart(w, chart.Ancestors, chart.Cards, gens)
}

// batchAccess authorizes the caller in their token's organization in the same round trip as
// a read (pedigree.Authorize), answering as withAccess does.
func batchAccess(r *http.Request) (pedigree.Authorize, error) {
	c := claimsFrom(r.Context())
	sid, err := uuid.Parse(c.SessionID)
	if err != nil {
		return nil, newProblem(kindUnauthenticated, "The access token is invalid or expired.")
	}
	return func(batch *pgx.Batch) func() error {
		authorized := store.QueueAuthorize(batch, c.UserID, c.OrgID, sid)
		return func() error {
			_, err := authorized()
			return accessProblem(err, true)
		}
	}, nil
}

// syncPedigree makes the caller's next pedigree read see what it has just committed (parents,
// an organization's name); handlers that change them call it after their transaction.
func (s *Server) syncPedigree(ctx context.Context) {
	if err := s.pedigree.Sync(ctx); err != nil {
		s.log.WarnContext(ctx, "pedigree graph did not catch up with a committed change", "error", err)
	}
}

type descendantView struct {
	Generation int      `json:"generation"`
	SireID     string   `json:"sire_id,omitempty"`
	DamID      string   `json:"dam_id,omitempty"`
	Animal     cardView `json:"animal"`
}

// descendants lists an animal's offspring generation by generation (default 3, at most 10;
// at most limit animals, default 500) (pedigree.Descendants).
func (s *Server) descendants(w http.ResponseWriter, r *http.Request) error {
	gens, err := intParam(r, "generations", 3, 1, 10)
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", 500, 1, 2000)
	if err != nil {
		return err
	}
	out := struct {
		Items     []descendantView `json:"items"`
		Truncated bool             `json:"truncated"`
	}{Items: []descendantView{}}
	err = s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		ds, truncated, err := pedigree.Descendants(r.Context(), tx, chi.URLParam(r, "animalID"), gens, limit)
		if err != nil {
			return err
		}
		for _, d := range ds {
			out.Items = append(out.Items, descendantView{Generation: d.Generation, SireID: d.SirePublicID,
				DamID: d.DamPublicID, Animal: viewCard(d.Card)})
		}
		out.Truncated = truncated
		return nil
	})
	if errors.Is(err, pedigree.ErrNotFound) {
		return notFound("animal")
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}
