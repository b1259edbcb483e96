package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

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

// pedigreeNode is one position of a pedigree tree.
type pedigreeNode struct {
	Animal cardView      `json:"animal"`
	Sire   *pedigreeNode `json:"sire"`
	Dam    *pedigreeNode `json:"dam"`
}

type pedigreeResponse struct {
	Generations int           `json:"generations"`
	Pedigree    *pedigreeNode `json:"pedigree"`
}

// intParam reads an optional whole-number query parameter within [lo, hi].
func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, invalid(FieldError{name, "must be a whole number from " + strconv.Itoa(lo) + " to " + strconv.Itoa(hi)})
	}
	return n, nil
}

// lineage returns an animal's ancestor tree, N generations deep (default 4, at most 10),
// across organizations: other breeders' ancestors show their public fields, or "not public".
func (s *Server) lineage(w http.ResponseWriter, r *http.Request) error {
	gens, err := intParam(r, "generations", 4, 1, 10)
	if err != nil {
		return err
	}
	// Authorization and the whole pedigree in one round trip, like /me.
	ctx := r.Context()
	c := claimsFrom(ctx)
	sid, err := uuid.Parse(c.SessionID)
	if err != nil {
		return newProblem(kindUnauthenticated, "The access token is invalid or expired.")
	}
	var nodes []store.PedigreeNode
	batch := &pgx.Batch{}
	authorized := store.QueueAuthorize(batch, c.UserID, c.OrgID, sid)
	store.QueueAncestors(batch, chi.URLParam(r, "animalID"), gens, &nodes)
	if err := s.db.ReadBatch(ctx, batch); err != nil {
		return err
	}
	if _, err := authorized(); err != nil {
		return accessProblem(err, true)
	}
	if len(nodes) == 0 || nodes[0].Depth != 0 {
		return notFound("animal")
	}
	root := nodes[0].ID
	byID := make(map[uuid.UUID]store.PedigreeNode, len(nodes))
	for _, n := range nodes {
		byID[n.ID] = n
	}
	var build func(id uuid.UUID, depth int) *pedigreeNode
	build = func(id uuid.UUID, depth int) *pedigreeNode {
		n, ok := byID[id]
		if !ok {
			return nil
		}
		out := &pedigreeNode{Animal: viewCard(n.Card)}
		if depth < gens {
			if n.SireID != nil {
				out.Sire = build(*n.SireID, depth+1)
			}
			if n.DamID != nil {
				out.Dam = build(*n.DamID, depth+1)
			}
		}
		return out
	}
	resp := pedigreeResponse{Generations: gens, Pedigree: build(root, 0)}
	return writeJSON(w, http.StatusOK, resp)
}

type descendantView struct {
	Generation int      `json:"generation"`
	SireID     string   `json:"sire_id,omitempty"`
	DamID      string   `json:"dam_id,omitempty"`
	Animal     cardView `json:"animal"`
}

// descendants lists an animal's offspring generation by generation (default 3, at most 10;
// at most limit animals, default 500).
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
		root, err := store.VisibleAnimalID(r.Context(), tx, chi.URLParam(r, "animalID"))
		if errors.Is(err, store.ErrNotFound) {
			return notFound("animal")
		}
		if err != nil {
			return err
		}
		// The root comes back too, and one more than asked says the list was cut short.
		nodes, err := store.Descendants(r.Context(), tx, root, gens, limit+2)
		if err != nil {
			return err
		}
		publicIDs := map[uuid.UUID]string{}
		var mates []uuid.UUID
		for _, n := range nodes {
			publicIDs[n.ID] = n.Card.PublicID
		}
		for _, n := range nodes {
			for _, p := range []*uuid.UUID{n.SireID, n.DamID} {
				if _, known := publicIDs[derefID(p)]; p != nil && !known {
					mates = append(mates, *p)
				}
			}
		}
		// Parents from outside the line (the mates) are named when the caller may see them.
		cards, err := store.Cards(r.Context(), tx, mates)
		if err != nil {
			return err
		}
		for id, c := range cards {
			publicIDs[id] = c.PublicID
		}
		for _, n := range nodes {
			if n.Depth == 0 {
				continue
			}
			d := descendantView{Generation: n.Depth, Animal: viewCard(n.Card)}
			if n.SireID != nil {
				d.SireID = publicIDs[*n.SireID]
			}
			if n.DamID != nil {
				d.DamID = publicIDs[*n.DamID]
			}
			out.Items = append(out.Items, d)
		}
		if len(out.Items) > limit {
			out.Items = out.Items[:limit]
			out.Truncated = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func derefID(p *uuid.UUID) uuid.UUID {
	if p == nil {
		return uuid.Nil
	}
	return *p
}
