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
	// Whether the caller's organization may see the animal's fields.
	Visible bool `json:"visible"`
	// Public ID of the animal; absent when not visible.
	ID string `json:"id,omitempty" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	// Absent when the animal has no name or is not visible.
	Name string `json:"name,omitempty"`
	// Key of the species, such as ball-python; always shown.
	Species string `json:"species"`
	// Absent when not visible.
	Sex string `json:"sex,omitempty" schema:"Sex"`
	// Absent when unknown or not visible.
	HatchDate string `json:"hatch_date,omitempty" jsonschema:"format=date"`
	// The animal's genetics in canonical trade names, such as "Pastel het Clown"; absent when not
	// visible.
	Genetics string `json:"genetics,omitempty"`
	// Absent when not visible.
	Status string `json:"status,omitempty" jsonschema:"enum=active,enum=on_hold,enum=sold,enum=deceased,enum=archived"`
	// The organization that keeps the animal; absent when not visible.
	Owner *orgView `json:"owner,omitempty"`
	// The breeder of record; absent for a reference animal or when not visible.
	Breeder *orgView `json:"breeder,omitempty"`
	// true for a reference animal (a lineage-only record); absent otherwise.
	Reference bool `json:"reference,omitempty"`
	// "not public" when the animal is not visible; absent otherwise.
	NotPublicMsg string `json:"note,omitempty" jsonschema:"enum=not public"`
	// The animal's primary photo, on a pedigree; absent when it has none or is not visible.
	Photo *photoRef `json:"photo,omitempty"`
}

type orgView struct {
	// Public ID of the organization.
	ID string `json:"id" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	// The organization's name.
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
// across organizations: other breeders' ancestors show their public fields, or "not public";
// each animal the caller may see shows its primary photo's thumbnail.
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
	photos, err := s.chartPhotos(r, chart.Cards)
	if err != nil {
		return err
	}
	return writeChart(w, chart.Ancestors, chart.Cards, photos, gens)
}

// chartPhotos presigns the thumbnails of the primary photos of a chart's visible animals, by
// position; nil where an animal has none.
func (s *Server) chartPhotos(r *http.Request, cards []*store.AnimalCard) ([]*photoRef, error) {
	photos := make([]*photoRef, len(cards))
	for p, c := range cards {
		if c == nil || !c.Visible {
			continue
		}
		var err error
		if photos[p], err = s.photoRefOf(r, c.PhotoPublicID, c.PhotoThumbnailKey); err != nil {
			return nil, err
		}
	}
	return photos, nil
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

// descendantList answers an animal's descendants.
type descendantList struct {
	// At most limit descendants, by generation, then by an internal key; [] when none.
	Items []descendantView `json:"items"`
	// True when the limit cut the list short; ask again with fewer generations or a larger limit.
	Truncated bool `json:"truncated"`
}

type descendantView struct {
	// 1 for offspring, 2 for grand-offspring, and so on.
	Generation int `json:"generation" jsonschema:"minimum=1,maximum=10"`
	// Public ID of the descendant's sire, given only when the sire is the animal asked about or a
	// visible descendant listed in the same answer; absent otherwise (a mate from outside the
	// line, a parent not visible to the caller, or one left out by limit).
	SireID string `json:"sire_id,omitempty" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	// Public ID of the descendant's dam, given under the same rule as sire_id.
	DamID  string   `json:"dam_id,omitempty" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	Animal cardView `json:"animal"`
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
	out := descendantList{Items: []descendantView{}}
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
