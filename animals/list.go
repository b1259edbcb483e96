package animals

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/reptidex/reptidex/store"
)

// archivedStatus is the status a list filter names archived animals by: an archived animal
// keeps no other.
const archivedStatus = "archived"

// Filter narrows a list of an organization's animals; an empty field matches every animal.
type Filter struct {
	Species  string
	Sex      string
	Status   string // one of Statuses, or "archived"
	Gene     string // a gene key of Species
	Archived bool   // include archived animals; the status "archived" includes them too
	After    string // the public ID the page starts after
	Limit    int    // the most animals in the page, at least 1
}

// Check refuses a filter that names what no animal has — a sex or status that does not
// exist, a gene that is not of the species — with a *FieldError naming the filter; an
// unknown species is species' own error.
func (f Filter) Check(ctx context.Context, species Catalogue) error {
	if f.Sex != "" && !slices.Contains(Sexes, f.Sex) {
		return refuse("sex", "must be one of "+strings.Join(Sexes, ", "))
	}
	if f.Status != "" && f.Status != archivedStatus && !slices.Contains(Statuses, f.Status) {
		return refuse("status", "must be one of "+strings.Join(Statuses, ", ")+", "+archivedStatus)
	}
	if f.Species == "" {
		return nil
	}
	sp, err := species(ctx, f.Species)
	if err != nil {
		return err
	}
	if _, ok := sp.Gene(f.Gene); f.Gene != "" && !ok {
		return refuse("gene", "is not a gene key of "+sp.Name+" (see /api/v1/taxonomy/species/"+sp.Key+")")
	}
	return nil
}

// Page is one page of a list: its animals and, when more follow, the public ID the next
// page starts after.
type Page struct {
	Animals []store.Animal
	Next    string
}

// List reads the page of q's organization's animals that f, as Check accepts it, names, in
// public ID order.
func List(ctx context.Context, q store.Querier, f Filter) (Page, error) {
	if f.Limit < 1 {
		return Page{}, fmt.Errorf("list animals: a page of %d animals", f.Limit)
	}
	found, err := store.ListAnimals(ctx, q, store.AnimalFilter{Species: f.Species, Sex: f.Sex, Status: f.Status,
		Gene: f.Gene, Archived: f.Archived || f.Status == archivedStatus, After: f.After, Limit: f.Limit + 1})
	if err != nil {
		return Page{}, err
	}
	if len(found) <= f.Limit {
		return Page{Animals: found}, nil
	}
	page := found[:f.Limit]
	return Page{Animals: page, Next: page[len(page)-1].PublicID}, nil
}
