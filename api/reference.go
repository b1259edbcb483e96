package api

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/animals"
)

// referenceReplaced answers a replaced reference animal.
type referenceReplaced struct {
	// How many children, in every organization, now have the real animal as parent.
	Relinked int `json:"relinked_children" jsonschema:"minimum=0"`
	// The reference animal as it is now: archived, its version grown by one.
	Animal animalView `json:"reference"`
}

type replaceRequest struct {
	// Public ID of the real animal that takes the reference's place: the organization's own or another
	// breeder's public animal.
	AnimalID string `json:"animal_id" jsonschema:"required"`
}

// replaceReference replaces a reference animal (a lineage-only record of an off-platform
// parent) by the real animal once it is on the platform: every child, in any organization,
// is re-linked to the real animal, and the reference is retired. The real animal must be
// the caller's or public, of the same species and sex, hatched before every child, and not
// descended from any of them.
func (s *Server) replaceReference(w http.ResponseWriter, r *http.Request) error {
	var req replaceRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.AnimalID == "" {
		return invalid(FieldError{"animal_id", "is required: the real animal that takes the reference's place"})
	}
	ctx := r.Context()
	var out referenceReplaced
	err := s.withKeeper(r, func(tx pgx.Tx, _ access) error {
		done, err := animals.ReplaceReference(ctx, tx, chi.URLParam(r, "animalID"), req.AnimalID)
		if err != nil {
			return animalProblem(err)
		}
		out.Relinked = done.Relinked
		out.Animal, err = s.viewAnimal(ctx, done.Reference)
		return err
	})
	if err != nil {
		return err
	}
	if out.Relinked > 0 {
		s.syncPedigree(ctx)
	}
	return writeJSON(w, http.StatusOK, out)
}
