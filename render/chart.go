// Package render draws an animal's pedigree chart for people to print or look at: a classic
// left-to-right chart, the animal first and each animal's sire above its dam, as a PDF
// (A4 landscape, with gofpdf) or as SVG. It draws what the lineage read lets the caller see
// (pedigree.Graph.Chart), so a chart never shows more than GET /api/v1/lineage/{id} does:
// another breeder's animal that is not public is drawn as "not public".
package render

import (
	"time"

	"github.com/reptidex/reptidex/pedigree"
	"github.com/reptidex/reptidex/store"
)

// MinGenerations and MaxGenerations bound the generations of ancestors a chart draws: fewer
// is not a pedigree worth printing, more does not fit a page legibly.
const (
	MinGenerations = 3
	MaxGenerations = 5
)

// Animal is what one box of the chart shows of an animal.
// Its JSON names are those of a certificate's signed snapshot, which holds its pedigree as
// a chart's slots.
type Animal struct {
	// Visible says whether the caller may see the animal's fields; when not, the box says
	// "not public" and shows the species only.
	Visible bool `json:"visible"`
	// ID is the animal's public ID.
	ID      string `json:"id"`
	Name    string `json:"name"`
	Species string `json:"species"`
	Sex     string `json:"sex"`
	// HatchDate is the hatch date as YYYY-MM-DD; empty when unknown.
	HatchDate string `json:"hatch_date"`
	// Genetics are the animal's genetics in trade names, such as "Pastel het Clown".
	Genetics string `json:"genetics"`
	// Breeder and Owner name the organizations; Breeder is empty for a reference animal.
	Breeder string `json:"breeder"`
	Owner   string `json:"owner"`
}

// Chart is a pedigree as the renderer draws it.
type Chart struct {
	// Generations of ancestors drawn, from MinGenerations to MaxGenerations.
	Generations int
	// Date is the day the chart is drawn, printed on it.
	Date time.Time
	// Slots are the chart's positions in ahnentafel order: 0 the animal, 2k+1 and 2k+2 the
	// sire and dam of position k; nil where the parent is unknown. There are
	// 2^(Generations+1)-1 of them.
	Slots []*Animal
	// Photo is the animal's photo (its primary photo's thumbnail), JPEG or PNG, drawn above its
	// box; none when empty. A photo of another format is left out.
	Photo []byte
}

// FromChart lays out a pedigree read by pedigree.Graph.Chart, generations deep, as the lineage
// endpoint answers it: a position with no card is unknown, a card the caller may not see is
// "not public", and an ancestor reached through several lines fills each of its positions.
func FromChart(c pedigree.Chart, generations int, date time.Time) Chart {
	out := Chart{Generations: generations, Date: date, Slots: make([]*Animal, 1<<(generations+1)-1)}
	// at[k] is the position in c.Ancestors of the animal in slot k; -1 when unknown.
	at := make([]int32, len(out.Slots))
	for k := range at {
		at[k] = -1
	}
	if len(c.Cards) > 0 {
		at[0] = 0
	}
	views := make([]*Animal, len(c.Cards)) // one view per animal however many slots it fills
	for k := range out.Slots {
		p := at[k]
		if p < 0 || int(p) >= len(c.Cards) || c.Cards[p] == nil {
			continue
		}
		if views[p] == nil {
			views[p] = animalOf(c.Cards[p])
		}
		out.Slots[k] = views[p]
		if s := 2*k + 1; s < len(out.Slots) {
			at[s], at[s+1] = c.Ancestors.Sire[p], c.Ancestors.Dam[p]
		}
	}
	return out
}

// animalOf is a card as the lineage endpoint shows it.
func animalOf(c *store.AnimalCard) *Animal {
	if !c.Visible {
		return &Animal{Species: c.SpeciesKey}
	}
	a := &Animal{Visible: true, ID: c.PublicID, Name: c.Name, Species: c.SpeciesKey, Sex: c.Sex,
		Genetics: c.GeneticsText, Breeder: c.BreederName, Owner: c.OwnerName}
	if c.HatchDate != nil {
		a.HatchDate = c.HatchDate.Format(time.DateOnly)
	}
	return a
}
