package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/store"
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
	err := s.withKeeper(r, func(tx pgx.Tx, acc access) error {
		ref, err := animalInPath(r, tx)
		if err != nil {
			return err
		}
		if !ref.IsReference {
			return newProblem(kindConflict, "Only a reference animal can be replaced.")
		}
		if ref.ReplacedBy != nil {
			return newProblem(kindConflict, "This reference animal was already replaced.")
		}
		real, err := store.ParentByPublicID(ctx, tx, req.AnimalID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && real.ID == ref.ID) {
			return invalid(FieldError{"animal_id", "no other animal " + req.AnimalID + " that you may link (yours, or another breeder's public animal)"})
		}
		if err != nil {
			return err
		}
		switch {
		case real.SpeciesKey != ref.SpeciesKey:
			return invalid(FieldError{"animal_id", "is a " + real.SpeciesKey + ", the reference a " + ref.SpeciesKey})
		case string(ref.Sex) != "unknown" && real.Sex != ref.Sex:
			return invalid(FieldError{"animal_id", "is " + string(real.Sex) + ", the reference " + string(ref.Sex)})
		}
		children, err := store.ChildrenOf(ctx, tx, ref.ID)
		if err != nil {
			return err
		}
		for _, c := range children {
			if (c.ViaSire && real.Sex != "male") || (!c.ViaSire && real.Sex != "female") {
				return invalid(FieldError{"animal_id", "is " + string(real.Sex) + " but the reference is a child's " + map[bool]string{true: "sire", false: "dam"}[c.ViaSire]})
			}
			if real.HatchDate != nil && c.HatchDate != nil && !real.HatchDate.Before(*c.HatchDate) {
				return invalid(FieldError{"animal_id", "hatched " + real.HatchDate.Format(time.DateOnly) + ", not before a child of the reference (" + c.HatchDate.Format(time.DateOnly) + ")"})
			}
			cycle, err := store.WouldCycle(ctx, tx, c.ID, real.ID)
			if err != nil {
				return err
			}
			if cycle {
				return invalid(FieldError{"animal_id", "descends from a child of the reference, which would make it its own ancestor"})
			}
		}
		if out.Relinked, err = store.ReplaceReference(ctx, tx, ref.ID, real.ID); err != nil {
			return err
		}
		if err := store.AppendEvent(ctx, tx, "lineage.reference_replaced", "animal", ref.PublicID,
			map[string]any{"replaced_by": real.PublicID, "relinked_children": out.Relinked}); err != nil {
			return err
		}
		out.Animal, err = s.readAnimalView(ctx, tx, ref.PublicID)
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
