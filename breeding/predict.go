package breeding

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/domain/lineage"
	"github.com/reptidex/reptidex/pedigree"
	"github.com/reptidex/reptidex/store"
)

// Parent names one side of a pairing to predict: an animal, by public ID, or a genotype in
// trade names; exactly one of them.
type Parent struct {
	AnimalID string
	Genetics string
}

// PredictionQuery asks for the offspring of two parents; the species is needed unless both
// parents are animals.
type PredictionQuery struct {
	Species string
	Sire    Parent
	Dam     Parent
}

// Validate refuses a side given neither or both ways.
func (q PredictionQuery) Validate() error {
	for _, side := range []struct {
		field string
		p     Parent
	}{{"sire", q.Sire}, {"dam", q.Dam}} {
		if side.p.AnimalID == "" && side.p.Genetics == "" {
			return invalid(side.field, "give animal_id or genetics")
		}
		if side.p.AnimalID != "" && side.p.Genetics != "" {
			return invalid(side.field, "give animal_id or genetics, not both")
		}
	}
	return nil
}

// Prediction is what the offspring of a pairing are expected to be.
type Prediction struct {
	Species   *genetics.Species
	Sire, Dam genetics.Genotype
	Offspring genetics.Prediction
	// COI is the inbreeding of the offspring of two animals; nil for a genotype given as
	// text.
	COI *COI
}

// COI is the inbreeding coefficient of a pairing's offspring: its parents' coancestry over
// their nearest generations within lineage.MaxAncestors ancestors.
type COI struct {
	F      float64 // to ten decimal places
	Extent lineage.Extent
}

// OffspringCOI is the offspring's inbreeding coefficient, nil unless both parents are
// animals.
func (p Prediction) OffspringCOI() *float64 {
	if p.COI == nil {
		return nil
	}
	f := p.COI.F
	return &f
}

// Predict gives the exact probabilities of the offspring of two animals the caller may look
// at (their own, or another breeder's public ones) or two genotypes, or one of each: every
// joint outcome, or beyond genetics.DefaultLimits the most likely ones, and each gene's
// distribution; for two animals, also the inbreeding of their offspring. It reads the
// database only for parents given as animals.
func Predict(ctx context.Context, tx pgx.Tx, deps Deps, q PredictionQuery) (Prediction, error) {
	if err := q.Validate(); err != nil {
		return Prediction{}, err
	}
	animals, speciesKey, err := visibleParents(ctx, tx, q)
	if err != nil {
		return Prediction{}, err
	}
	sp, err := deps.Species(ctx, speciesKey, "species")
	if err != nil {
		return Prediction{}, err
	}
	parents, err := genotypesOf(sp, q, animals)
	if err != nil {
		return Prediction{}, err
	}
	return predict(ctx, tx, deps.Pedigree, sp, parents)
}

// visibleParents reads the genetics of the sides given as animals, and the species: the
// query's, or else the animals'.
func visibleParents(ctx context.Context, tx pgx.Tx, q PredictionQuery) ([2]*store.AnimalGenetics, string, error) {
	var animals [2]*store.AnimalGenetics
	speciesKey := q.Species
	for i, side := range []struct {
		field string
		p     Parent
	}{{"sire", q.Sire}, {"dam", q.Dam}} {
		if side.p.AnimalID == "" {
			continue
		}
		g, err := store.VisibleAnimalGenetics(ctx, tx, side.p.AnimalID)
		if errors.Is(err, store.ErrNotFound) {
			return animals, "", invalid(side.field+".animal_id", "no animal "+side.p.AnimalID+" that you may look at (yours, or another breeder's public animal)")
		}
		if err != nil {
			return animals, "", err
		}
		if speciesKey == "" {
			speciesKey = g.SpeciesKey
		}
		if g.SpeciesKey != speciesKey {
			return animals, "", invalid(side.field+".animal_id", "is a "+g.SpeciesKey+", not a "+speciesKey)
		}
		animals[i] = &g
	}
	if speciesKey == "" {
		return animals, "", invalid("species", "is required when neither side is an animal")
	}
	return animals, speciesKey, nil
}

// genotypesOf gives each side's genotype: an animal's from its stored genetics, the sire
// male and the dam female, or the text's.
func genotypesOf(sp *genetics.Species, q PredictionQuery, animals [2]*store.AnimalGenetics) ([2]parent, error) {
	var parents [2]parent
	for i, side := range []struct {
		field string
		p     Parent
		sex   genetics.Sex
	}{{"sire", q.Sire, genetics.Male}, {"dam", q.Dam, genetics.Female}} {
		if a := animals[i]; a != nil {
			if a.Sex != side.sex {
				return parents, invalid(side.field+".animal_id", fmt.Sprintf("the %s must be %s, and %s is %s", side.field, side.sex, side.p.AnimalID, a.Sex))
			}
			gt, err := sp.Genotype(a.Sex, a.Claims)
			if err != nil {
				return parents, fmt.Errorf("stored genetics of %s: %w", side.p.AnimalID, err)
			}
			parents[i] = parent{id: a.ID, gt: gt, animal: true}
			continue
		}
		gt, err := sp.Parse(side.p.Genetics, side.sex)
		if err != nil {
			return parents, invalidGenetics(side.field+".genetics", err)
		}
		parents[i] = parent{gt: gt}
	}
	return parents, nil
}

// parent is one side of a pairing once read.
type parent struct {
	id     uuid.UUID // uuid.Nil for a genotype given as text
	gt     genetics.Genotype
	animal bool
}

// predict predicts the offspring of two parents and, when both are animals, their
// offspring's inbreeding coefficient over the pedigree g gives or, while it cannot, the
// database.
func predict(ctx context.Context, tx pgx.Tx, g *pedigree.Graph, sp *genetics.Species, parents [2]parent) (Prediction, error) {
	offspring, err := sp.Predict(parents[0].gt, parents[1].gt)
	if errors.Is(err, genetics.ErrTooManyLoci) {
		return Prediction{}, invalid("genetics", fmt.Sprintf("a pairing may involve at most %d genes; predict fewer at once", genetics.DefaultLimits.Loci))
	}
	if err != nil {
		return Prediction{}, err
	}
	p := Prediction{Species: sp, Sire: parents[0].gt, Dam: parents[1].gt, Offspring: offspring}
	if parents[0].animal && parents[1].animal {
		ped, ids, ext, err := g.Pedigree(ctx, tx, parents[0].id, parents[1].id)
		if err != nil {
			return Prediction{}, err
		}
		f, err := ped.Coancestry(ids[parents[0].id], ids[parents[1].id])
		if err != nil {
			return Prediction{}, err
		}
		p.COI = &COI{F: math.Round(f*1e10) / 1e10, Extent: ext}
	}
	return p, nil
}
