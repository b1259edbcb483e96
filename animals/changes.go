package animals

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/store"
)

// Bounds of an animal's free-text fields.
const (
	maxNameLength     = 120
	MaxIdentifiers    = 20
	MaxIdentifierKey  = 50
	MaxIdentifierSize = 200
)

// Changes are the fields of an animal a command sets, as a person gives them; a nil field
// stays as it is. They are checked against the animal's species and lineage when applied.
type Changes struct {
	Species            *string // must be the animal's own: an animal's species never changes
	Sex                *string
	Name               *string
	HatchDate          *string // a date such as 2024-05-31; empty clears it
	Identifiers        map[string]string
	Status             *string
	Visibility         *string
	Genetics           *string           // a trade name, such as "Pastel het Clown"
	GeneticsProvenance map[string]string // gene → provenance of the animal's het or possible het in it
	Sire, Dam          Parent
	Reference          *bool // a reference animal is a lineage-only record of an off-platform parent
}

// Parent names a parent to set: unset leaves the parent as it is, set with an empty public
// ID clears it. Read is the parent as the caller has read it already in the same
// transaction (store.ParentsByPublicID, or one it recorded), which is then not read again;
// nil: it is read here.
type Parent struct {
	Set      bool
	PublicID string
	Read     *store.ParentCandidate
}

// apply checks c against the animal's species sp and its lineage and sets it on a; the first
// refusal is a *FieldError naming the field and the rule. now dates the check that a hatch
// date is not in the future.
func apply(ctx context.Context, q store.Querier, sp *genetics.Species, a *store.Animal, c Changes, now time.Time) error {
	if err := applyFields(sp, a, c, now); err != nil {
		return err
	}
	if c.Sire.Set || c.Dam.Set || c.Sex != nil || c.HatchDate != nil {
		return applyParents(ctx, q, a, c)
	}
	return nil
}

// applyFields checks and sets every field of c but the parents.
func applyFields(sp *genetics.Species, a *store.Animal, c Changes, now time.Time) error {
	if c.Species != nil && *c.Species != a.SpeciesKey {
		return refuse("species", "cannot change; register the animal again under its species")
	}
	if c.Sex != nil {
		if !slices.Contains(Sexes, *c.Sex) {
			return refuse("sex", "must be one of "+strings.Join(Sexes, ", "))
		}
		a.Sex = genetics.Sex(*c.Sex)
	}
	if c.Name != nil {
		name := strings.TrimSpace(*c.Name)
		if utf8.RuneCountInString(name) > maxNameLength {
			return refuse("name", fmt.Sprintf("must be at most %d characters", maxNameLength))
		}
		a.Name = name
	}
	if c.HatchDate != nil {
		if err := applyHatchDate(a, *c.HatchDate, now); err != nil {
			return err
		}
	}
	if c.Identifiers != nil {
		if err := checkIdentifiers(c.Identifiers); err != nil {
			return err
		}
		a.Identifiers = c.Identifiers
	}
	if c.Status != nil {
		if !slices.Contains(Statuses, *c.Status) {
			return refuse("status", "must be one of "+strings.Join(Statuses, ", ")+" (archive with POST /archive)")
		}
		a.Status = *c.Status
	}
	if c.Visibility != nil {
		if !slices.Contains(Visibilities, *c.Visibility) {
			return refuse("visibility", "must be one of "+strings.Join(Visibilities, ", "))
		}
		a.Visibility = *c.Visibility
	}
	if c.Genetics != nil || c.GeneticsProvenance != nil || c.Sex != nil {
		return applyGenetics(sp, a, c)
	}
	return nil
}

// applyHatchDate sets the hatch date, or clears it for an empty one; a day's grace covers
// the time zones ahead of now.
func applyHatchDate(a *store.Animal, date string, now time.Time) error {
	if date == "" {
		a.HatchDate = nil
		return nil
	}
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return refuse("hatch_date", "must be a date such as 2024-05-31")
	}
	if d.After(now.Add(24 * time.Hour)) {
		return refuse("hatch_date", "cannot be in the future")
	}
	a.HatchDate = &d
	return nil
}

func checkIdentifiers(ids map[string]string) error {
	if len(ids) > MaxIdentifiers {
		return refuse("identifiers", fmt.Sprintf("at most %d identifiers", MaxIdentifiers))
	}
	for k, v := range ids {
		if k == "" || len(k) > MaxIdentifierKey || len(v) > MaxIdentifierSize {
			return refuse("identifiers", fmt.Sprintf("keys of 1 to %d characters, values of at most %d", MaxIdentifierKey, MaxIdentifierSize))
		}
	}
	return nil
}

// applyGenetics parses the trade name (or keeps the stored claims), applies provenances and
// validates the genotype against the animal's sex.
func applyGenetics(sp *genetics.Species, a *store.Animal, c Changes) error {
	claims := a.Genetics
	if c.Genetics != nil {
		parsed, err := sp.ParseClaims(*c.Genetics)
		if err != nil {
			return GeneticsRefusal("genetics", err)
		}
		claims = parsed
	}
	for gene, prov := range c.GeneticsProvenance {
		field := "genetics_provenance." + gene
		if !slices.Contains(Provenances, prov) {
			return refuse(field, "must be one of "+strings.Join(Provenances, ", "))
		}
		found := false
		for i := range claims {
			if claims[i].Gene == gene && (claims[i].Kind == genetics.Het || claims[i].Kind == genetics.PossibleHet) {
				claims[i].Provenance = genetics.Provenance(prov)
				found = true
			}
		}
		if !found {
			return refuse(field, "names no het or possible het of the animal")
		}
	}
	gt, err := sp.Genotype(a.Sex, claims)
	if err != nil {
		return GeneticsRefusal("genetics", err)
	}
	a.Genetics = claims
	a.GeneticsText = sp.Format(gt)
	return nil
}

// GeneticsRefusal turns a refusal of the genetics parser or genotype check into a
// *FieldError on field naming the token or gene, with the closest known names for a typo;
// other errors pass as they are.
func GeneticsRefusal(field string, err error) error {
	if genetics.IsRefusal(err) {
		return refuse(field, err.Error())
	}
	return err
}

// applyParents resolves and checks the sire and dam: visible to the caller, of the same
// species, sire male and dam female, hatched before the child where dates are known, never
// the child itself or one of its descendants. A kept parent is checked again against the
// child's new sex or date.
func applyParents(ctx context.Context, q store.Querier, a *store.Animal, c Changes) error {
	sire, err := resolveParent(ctx, q, a, "sire_id", c.Sire, a.SireID)
	if err != nil {
		return err
	}
	dam, err := resolveParent(ctx, q, a, "dam_id", c.Dam, a.DamID)
	if err != nil {
		return err
	}
	if sire != nil && dam != nil && sire.ID == dam.ID {
		return refuse("dam_id", "cannot be the same animal as the sire")
	}
	a.SireID, a.SirePublicID = parentIDs(sire)
	a.DamID, a.DamPublicID = parentIDs(dam)
	return nil
}

// parentIDs are a parent's ID and public ID; none for no parent.
func parentIDs(p *store.ParentCandidate) (*uuid.UUID, string) {
	if p == nil {
		return nil, ""
	}
	return &p.ID, p.PublicID
}

// resolveParent finds and checks the parent in field: the one p names, or the current one
// when p is unset; nil for none.
func resolveParent(ctx context.Context, q store.Querier, child *store.Animal, field string, p Parent, current *uuid.UUID) (*store.ParentCandidate, error) {
	if !p.Set {
		if current == nil {
			return nil, nil
		}
		kept, err := store.ParentByID(ctx, q, *current)
		if err != nil {
			return nil, err
		}
		// A kept link was checked for a cycle when it was made.
		return &kept, parentRule(field, child, kept)
	}
	if p.PublicID == "" {
		return nil, nil
	}
	var parent store.ParentCandidate
	var err error
	if p.Read != nil && p.Read.PublicID == p.PublicID {
		parent = *p.Read
	} else {
		parent, err = store.ParentByPublicID(ctx, q, p.PublicID)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, refuse(field, "no animal "+p.PublicID+" that you may name as a parent (yours, or another breeder's public animal)")
	}
	if err != nil {
		return nil, err
	}
	if current != nil && *current == parent.ID {
		// The same parent again: its link was checked for a cycle when it was made.
		return &parent, parentRule(field, child, parent)
	}
	if err := checkParent(ctx, q, field, child, parent); err != nil {
		return nil, err
	}
	return &parent, nil
}

// checkParent refuses p as child's parent in field unless parentRule allows it and p does
// not descend from child (which one being recorded cannot).
func checkParent(ctx context.Context, q store.Querier, field string, child *store.Animal, p store.ParentCandidate) error {
	if err := parentRule(field, child, p); err != nil {
		return err
	}
	if child.Version == 0 {
		return nil // an animal not yet recorded has no descendants
	}
	cycle, err := store.WouldCycle(ctx, q, child.ID, p.ID)
	if err != nil {
		return err
	}
	if cycle {
		role, _ := parentRole(field)
		return refuse(field, "the "+role+" descends from the animal, which would make it its own ancestor")
	}
	return nil
}

// parentRule is what a parent in field must be to child without looking at the pedigree:
// another animal, of the child's species, of the role's sex, hatched before the child where
// both dates are known.
func parentRule(field string, child *store.Animal, p store.ParentCandidate) error {
	role, want := parentRole(field)
	switch {
	case p.ID == child.ID:
		return refuse(field, "an animal cannot be its own "+role)
	case p.SpeciesKey != child.SpeciesKey:
		return refuse(field, "the "+role+" is a "+p.SpeciesKey+", the animal a "+child.SpeciesKey)
	case p.Sex != want:
		return refuse(field, "the "+role+" must be "+string(want)+", and "+p.PublicID+" is "+string(p.Sex))
	case p.HatchDate != nil && child.HatchDate != nil && !p.HatchDate.Before(*child.HatchDate):
		return refuse(field, "the "+role+" hatched "+p.HatchDate.Format(time.DateOnly)+
			", not before the animal ("+child.HatchDate.Format(time.DateOnly)+")")
	}
	return nil
}

// parentRole names the parent field's role and the sex it takes.
func parentRole(field string) (string, genetics.Sex) {
	if field == "dam_id" {
		return "dam", genetics.Female
	}
	return "sire", genetics.Male
}
