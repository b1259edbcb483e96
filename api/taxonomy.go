package api

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/store"
)

// catalogues caches the species catalogues; they change only when an admin edits one, so a
// short lifetime keeps every process close to the database without a query per request.
type catalogues struct {
	db     *store.DB
	mu     sync.Mutex
	loaded time.Time
	byKey  map[string]store.SpeciesRow
	order  []string
}

const catalogueTTL = 30 * time.Second

func (c *catalogues) get(ctx context.Context) (map[string]store.SpeciesRow, []string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKey != nil && time.Since(c.loaded) < catalogueTTL {
		return c.byKey, c.order, nil
	}
	rows, err := store.ListSpecies(ctx, c.db.Pool)
	if err != nil {
		return nil, nil, err
	}
	c.byKey = make(map[string]store.SpeciesRow, len(rows))
	c.order = c.order[:0]
	for _, r := range rows {
		c.byKey[r.Key] = r
		c.order = append(c.order, r.Key)
	}
	c.loaded = time.Now()
	return c.byKey, c.order, nil
}

// species returns one catalogue, or a problem naming the field when it does not exist.
func (c *catalogues) species(ctx context.Context, key, field string) (*genetics.Species, error) {
	all, order, err := c.get(ctx)
	if err != nil {
		return nil, err
	}
	r, ok := all[key]
	if !ok {
		return nil, invalid(FieldError{field, "is not a known species (" + joinQuoted(order) + ")"})
	}
	return r.Catalog, nil
}

func (c *catalogues) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byKey = nil
}

// speciesList lists the species the registry knows.
type speciesList struct {
	// Every species, ordered by key.
	Items []speciesSummary `json:"items"`
}

// speciesCatalogue is one species' catalogue at its version.
type speciesCatalogue struct {
	// The catalogue's version, also the ETag.
	Version int               `json:"version" jsonschema:"minimum=1"`
	Species *genetics.Species `json:"species"`
}

type speciesSummary struct {
	// Stable key of the species, such as ball-python.
	Key string `json:"key" jsonschema:"pattern=^[a-z0-9-]+$"`
	// Common name, such as Ball python.
	Name string `json:"name"`
	// Such as Python regius.
	ScientificName string `json:"scientific_name"`
	SexSystem      string `json:"sex_system" schema:"SexSystem"`
	// How many genes the catalogue lists.
	Genes int `json:"genes"`
	// The catalogue's version; it grows with every edit.
	Version int `json:"version" jsonschema:"minimum=1"`
}

// listSpecies lists the species the registry knows.
func (s *Server) listSpecies(w http.ResponseWriter, r *http.Request) error {
	all, order, err := s.species.get(r.Context())
	if err != nil {
		return err
	}
	out := make([]speciesSummary, 0, len(order))
	for _, k := range order {
		sp := all[k]
		out = append(out, speciesSummary{Key: k, Name: sp.Catalog.Name, ScientificName: sp.Catalog.Scientific,
			SexSystem: string(sp.Catalog.SexSystem), Genes: len(sp.Catalog.Genes), Version: sp.Version})
	}
	return writeJSON(w, http.StatusOK, speciesList{Items: out})
}

// getSpecies returns one species' whole catalogue: genes with their inheritance, allelic
// loci, compounds and named combinations.
func (s *Server) getSpecies(w http.ResponseWriter, r *http.Request) error {
	all, _, err := s.species.get(r.Context())
	if err != nil {
		return err
	}
	sp, ok := all[chi.URLParam(r, "species")]
	if !ok {
		return notFound("species")
	}
	w.Header().Set("ETag", etag(sp.Version))
	return writeJSON(w, http.StatusOK, speciesCatalogue{Version: sp.Version, Species: sp.Catalog})
}

func joinQuoted(keys []string) string {
	out := ""
	for i, k := range keys {
		if i > 0 {
			out += ", "
		}
		out += k
	}
	return out
}
