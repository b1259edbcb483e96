package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
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
// across organizations: other breeders' ancestors show their public fields, or "not public".
// The tree comes from the pedigree graph in memory and only the cards are read, with the
// authorization, in one round trip; while the graph cannot answer, the tree is walked in
// the database in that same round trip.
func (s *Server) lineage(w http.ResponseWriter, r *http.Request) error {
	gens, err := intParam(r, "generations", 4, 1, 10)
	if err != nil {
		return err
	}
	ctx := r.Context()
	c := claimsFrom(ctx)
	sid, err := uuid.Parse(c.SessionID)
	if err != nil {
		return newProblem(kindUnauthenticated, "The access token is invalid or expired.")
	}
	publicID := chi.URLParam(r, "animalID")
	tree, inMemory := s.pedigree.Ancestors(publicID, gens)
	var nodes []store.PedigreeNode
	cards := make([]*store.AnimalCard, len(tree.IDs)) // by position in tree
	batch := &pgx.Batch{}
	authorized := store.QueueAuthorize(batch, c.UserID, c.OrgID, sid)
	if inMemory {
		store.QueuePedigreeCards(batch, tree.IDs, cards)
	} else {
		store.QueueAncestors(batch, publicID, gens, &nodes)
	}
	if err := s.db.ReadBatch(ctx, batch); err != nil {
		return err
	}
	if _, err := authorized(); err != nil {
		return accessProblem(err, true)
	}
	if inMemory {
		if err := s.nameOrganizations(ctx, cards); err != nil {
			return err
		}
	} else {
		if len(nodes) == 0 || nodes[0].Depth != 0 {
			return notFound("animal")
		}
		tree, cards = ancestorsOf(nodes)
	}
	// The root must be the organization's own animal or a public one, as visible_animal says.
	if cards[0] == nil || !cards[0].Visible {
		return notFound("animal")
	}
	return writeChart(w, tree, cards, gens)
}

// syncPedigree makes the caller's next pedigree read see what it has just committed (parents,
// an organization's name); handlers that change them call it after their transaction.
func (s *Server) syncPedigree(ctx context.Context) {
	if err := s.pedigree.Sync(ctx); err != nil {
		s.log.WarnContext(ctx, "pedigree graph did not catch up with a committed change", "error", err)
	}
}

// nameOrganizations names the owners and breeders of cards read by QueuePedigreeCards, from
// the graph or, for one it does not know yet, from the database.
func (s *Server) nameOrganizations(ctx context.Context, cards []*store.AnimalCard) error {
	var ids []uuid.UUID
	for _, c := range cards {
		if c == nil {
			continue
		}
		for _, id := range [2]uuid.UUID{c.OwnerID, c.BreederID} {
			if id != uuid.Nil && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	names, missing := s.pedigree.Organizations(ids)
	if len(missing) > 0 {
		refs, err := store.OrganizationRefs(ctx, s.db.Pool, missing)
		if err != nil {
			return err
		}
		for id, o := range refs {
			names[id] = pedigree.Organization{PublicID: o.PublicID, Name: o.Name}
		}
	}
	for _, c := range cards {
		if c == nil {
			continue
		}
		if c.OwnerID != uuid.Nil {
			c.OwnerPublicID, c.OwnerName = names[c.OwnerID].PublicID, names[c.OwnerID].Name
		}
		if c.BreederID != uuid.Nil {
			c.BreederPublicID, c.BreederName = names[c.BreederID].PublicID, names[c.BreederID].Name
		}
	}
	return nil
}

// ancestorsOf puts the database's walk in the graph's form, with the cards by position.
func ancestorsOf(nodes []store.PedigreeNode) (pedigree.Ancestors, []*store.AnimalCard) {
	pos := make(map[uuid.UUID]int32, len(nodes))
	a := pedigree.Ancestors{IDs: make([]uuid.UUID, len(nodes)), Sire: make([]int32, len(nodes)), Dam: make([]int32, len(nodes))}
	cards := make([]*store.AnimalCard, len(nodes))
	for i, n := range nodes {
		pos[n.ID] = int32(i)
		a.IDs[i] = n.ID
		cards[i] = &nodes[i].Card
	}
	at := func(id *uuid.UUID) int32 {
		if id == nil {
			return -1
		}
		if p, ok := pos[*id]; ok {
			return p
		}
		return -1
	}
	for i, n := range nodes {
		a.Sire[i], a.Dam[i] = at(n.SireID), at(n.DamID)
	}
	return a, cards
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
	out := descendantList{Items: []descendantView{}}
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
