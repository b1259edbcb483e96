// Package genetics is the genetics engine: genes and their inheritance modes per species,
// genotypes with hets and possible hets, the trade-name parser and formatter, and the exact
// prediction of a pairing's offspring. It is pure: no I/O.
package genetics

import (
	"fmt"
	"sort"
	"strings"
)

// Mode is how a gene is inherited.
type Mode string

// The inheritance modes.
const (
	// Recessive genes show only with two copies; one copy is a het.
	Recessive Mode = "recessive"
	// IncompleteDominant (co-dominant) genes show with one copy and show a distinct super
	// form with two.
	IncompleteDominant Mode = "incomplete_dominant"
	// Dominant genes show the same with one or two copies.
	Dominant Mode = "dominant"
	// Polygenic (line-bred) traits are not single genes: offspring are only "possible".
	Polygenic Mode = "polygenic"
)

// SexSystem is how a species determines sex, which decides how sex-linked genes pass on.
type SexSystem string

// The sex systems.
const (
	// ZW: females are heterogametic (ZW), males ZZ — snakes and many lizards.
	ZW SexSystem = "ZW"
	// XY: males are heterogametic (XY), females XX.
	XY SexSystem = "XY"
	// TSD: temperature-dependent sex determination; no sex chromosomes, no sex-linked genes.
	TSD SexSystem = "TSD"
)

// Gene is one mutation of a species.
type Gene struct {
	// Stable lower-case key, such as pastel: the gene of claims, hets, genetics_provenance and the
	// gene filter.
	Key string `json:"key" jsonschema:"required"`
	// Trade name, such as Pastel.
	Name string `json:"name" jsonschema:"required"`
	// recessive: shows with two copies, one copy is a het; incomplete_dominant (co-dominant):
	// shows with one copy and a distinct super form with two; dominant: shows the same with one or
	// two copies; polygenic: a line-bred trait, not a single gene.
	Mode Mode `json:"mode" jsonschema:"required,enum=recessive,enum=incomplete_dominant,enum=dominant,enum=polygenic"`
	// incomplete_dominant only: the two-copy form's name, such as Super Pastel.
	SuperName string `json:"super_name,omitempty"`
	// Key of the locus when the gene is allelic with others (such as clown for Cryptic); absent
	// when the gene has its own.
	Locus string `json:"locus,omitempty"`
	// true when two copies are lethal; absent otherwise.
	Lethal bool `json:"lethal_homozygous,omitempty"`
	// true when the gene sits on a sex chromosome; absent otherwise.
	SexLinked bool `json:"sex_linked,omitempty"`
	// Other names breeders write, such as Pied for Piebald.
	Aliases []string `json:"aliases,omitempty"`
	Notes   string   `json:"notes,omitempty"`
}

// LocusKey is the locus the gene sits at.
func (g Gene) LocusKey() string {
	if g.Locus != "" {
		return g.Locus
	}
	return g.Key
}

// Compound names the animal that carries two different alleles of one locus, e.g. Lesser
// with Mojave is a Blue-eyed Leucistic.
type Compound struct {
	// Keys of the two alleles, such as ["lesser", "mojave"].
	Alleles [2]string `json:"alleles" jsonschema:"required,minItems=2,maxItems=2"`
	// What the animal with both is called, such as Blue-eyed Leucistic. Several pairs may share a
	// name.
	Name string `json:"name" jsonschema:"required"`
}

// Combo is a named combination of visual traits, e.g. Bumblebee is Pastel with Spider.
// Traits are gene keys for a visual single form, "super:<key>" for a super form, and
// "compound:<name>" for a compound.
type Combo struct {
	// Such as Bumblebee.
	Name string `json:"name" jsonschema:"required"`
	// The visual traits it is made of: a gene key for one visual gene, super:<key> for a super
	// form, compound:<name> for a compound, such as ["pastel", "spider"].
	Requires []string `json:"requires" jsonschema:"required"`
	// Other names breeders write, such as Bumble Bee.
	Aliases []string `json:"aliases,omitempty"`
}

// Species is everything the engine knows about one species.
type Species struct {
	// Stable key, such as ball-python.
	Key string `json:"key" jsonschema:"required,pattern=^[a-z0-9-]+$"`
	// Common name, such as Ball python.
	Name string `json:"name" jsonschema:"required"`
	// Such as Python regius.
	Scientific string    `json:"scientific_name" jsonschema:"required"`
	SexSystem  SexSystem `json:"sex_system" jsonschema:"required"`
	// The species' genes and polygenic traits, in the order names are written in.
	Genes []Gene `json:"genes" jsonschema:"required"`
	// Names for two different alleles of one locus; absent when none.
	Compounds []Compound `json:"compounds,omitempty"`
	// Names for combinations of visual traits; absent when none.
	Combos []Combo `json:"combos,omitempty"`

	genes  map[string]*Gene // by key
	order  map[string]int   // gene key → position, for canonical ordering
	combos []Combo          // largest first, the order names are matched in
}

// Prepare validates the species and builds its indexes. Call it once after loading.
func (s *Species) Prepare() error {
	s.genes = make(map[string]*Gene, len(s.Genes))
	s.order = make(map[string]int, len(s.Genes))
	var errs []string
	switch s.SexSystem {
	case ZW, XY, TSD:
	default:
		errs = append(errs, fmt.Sprintf("sex system %q is not ZW, XY or TSD", s.SexSystem))
	}
	for i := range s.Genes {
		g := &s.Genes[i]
		if g.Key == "" || g.Name == "" {
			errs = append(errs, fmt.Sprintf("gene %d has no key or name", i))
			continue
		}
		if _, dup := s.genes[g.Key]; dup {
			errs = append(errs, "gene "+g.Key+" is listed twice")
		}
		switch g.Mode {
		case Recessive, Dominant, Polygenic:
			if g.SuperName != "" {
				errs = append(errs, "gene "+g.Key+": only incomplete dominant genes have a super form")
			}
		case IncompleteDominant:
			if g.SuperName == "" {
				errs = append(errs, "gene "+g.Key+": an incomplete dominant gene needs its super form's name")
			}
		default:
			errs = append(errs, fmt.Sprintf("gene %s: unknown mode %q", g.Key, g.Mode))
		}
		if g.SexLinked && s.SexSystem == TSD {
			errs = append(errs, "gene "+g.Key+": a species without sex chromosomes has no sex-linked genes")
		}
		if g.Mode == Polygenic && (g.Locus != "" || g.SexLinked || g.Lethal) {
			errs = append(errs, "gene "+g.Key+": a polygenic trait has no locus, sex linkage or lethality")
		}
		s.genes[g.Key] = g
	}
	// Canonical order, as breeders write names: genes that show with one copy first, then
	// recessives, then polygenic traits; within each, the catalogue's order.
	modeRank := func(m Mode) int {
		switch m {
		case Recessive:
			return 1
		case Polygenic:
			return 2
		}
		return 0
	}
	for i := range s.Genes {
		s.order[s.Genes[i].Key] = modeRank(s.Genes[i].Mode)*len(s.Genes) + i
	}
	loci := map[string]Gene{}
	for _, g := range s.Genes {
		if first, ok := loci[g.LocusKey()]; ok {
			if first.SexLinked != g.SexLinked {
				errs = append(errs, "locus "+g.LocusKey()+" mixes sex-linked and autosomal genes")
			}
			continue
		}
		loci[g.LocusKey()] = g
	}
	for _, c := range s.Compounds {
		a, okA := s.genes[c.Alleles[0]]
		b, okB := s.genes[c.Alleles[1]]
		if !okA || !okB {
			errs = append(errs, "compound "+c.Name+" names an unknown gene")
			continue
		}
		if a.LocusKey() != b.LocusKey() || a.Key == b.Key {
			errs = append(errs, "compound "+c.Name+" needs two different alleles of one locus")
		}
	}
	for _, c := range s.Combos {
		for _, req := range c.Requires {
			if !s.knownTrait(req) {
				errs = append(errs, "combo "+c.Name+" requires unknown trait "+req)
			}
		}
	}
	s.combos = append([]Combo(nil), s.Combos...)
	sort.SliceStable(s.combos, func(i, j int) bool { return len(s.combos[i].Requires) > len(s.combos[j].Requires) })
	if len(errs) > 0 {
		sort.Strings(errs)
		return fmt.Errorf("species %s: %s", s.Key, strings.Join(errs, "; "))
	}
	return nil
}

func (s *Species) knownTrait(t string) bool {
	switch {
	case strings.HasPrefix(t, "super:"):
		g, ok := s.genes[strings.TrimPrefix(t, "super:")]
		return ok && g.Mode == IncompleteDominant
	case strings.HasPrefix(t, "compound:"):
		name := strings.TrimPrefix(t, "compound:")
		for _, c := range s.Compounds {
			if c.Name == name {
				return true
			}
		}
		return false
	}
	_, ok := s.genes[t]
	return ok
}

// Gene returns the gene with key.
func (s *Species) Gene(key string) (*Gene, bool) {
	g, ok := s.genes[key]
	return g, ok
}

// compoundName names two different alleles of one locus, if the species names them.
func (s *Species) compoundName(a, b string) string {
	for _, c := range s.Compounds {
		if (c.Alleles[0] == a && c.Alleles[1] == b) || (c.Alleles[0] == b && c.Alleles[1] == a) {
			return c.Name
		}
	}
	return ""
}
