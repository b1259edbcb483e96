package genetics

import (
	"errors"
	"fmt"
	"sort"
)

// Sex of an animal, as far as genetics cares.
type Sex string

// The sexes.
const (
	Male    Sex = "male"
	Female  Sex = "female"
	Unknown Sex = "unknown"
)

// Hemi stands in a pair for the chromosome a heterogametic animal lacks at a sex-linked
// locus (the W of a ZW female, the Y of an XY male): it carries one copy only.
const Hemi = "~"

// Pair is the two alleles at one locus, in order: a gene key, "" for the wild type, or Hemi.
type Pair [2]string

func makePair(a, b string) Pair {
	if rank(a) > rank(b) || (rank(a) == rank(b) && a > b) {
		a, b = b, a
	}
	return Pair{a, b}
}

// rank orders alleles so pairs read gene, then wild type, then Hemi.
func rank(a string) int {
	switch a {
	case Hemi:
		return 2
	case "":
		return 1
	}
	return 0
}

// State is one possible pair at a locus with its probability.
type State struct {
	Pair Pair
	P    Fraction
}

// Provenance says where a het claim comes from.
type Provenance string

// The provenances of a het or possible-het claim.
const (
	FromVisualParent Provenance = "visual_parent" // a parent showed the recessive trait
	ProvenByBreeding Provenance = "proven"        // proven by producing visual offspring
	Statistical      Provenance = "statistical"   // inferred from the parents' genotypes
)

// Locus is what an animal has at one locus: usually one certain pair, or a mixture when it is
// a possible het.
type Locus struct {
	Key        string
	States     []State
	Provenance Provenance
}

// Genotype is an animal's genetics: the loci where it carries anything other than the wild
// type, and the polygenic traits it shows.
type Genotype struct {
	Sex       Sex
	Loci      []Locus  // sorted by key
	Polygenic []string // gene keys of polygenic traits shown
}

// ClaimKind is what a breeder says about one gene.
type ClaimKind string

// The kinds of claim.
const (
	Visual      ClaimKind = "visual"       // shows the gene (one copy for dominant and incomplete dominant, two for recessive)
	Super       ClaimKind = "super"        // shows the super (two-copy) form of an incomplete dominant gene
	Het         ClaimKind = "het"          // carries one copy of a recessive gene without showing it
	PossibleHet ClaimKind = "possible_het" // may carry one copy, with a probability
)

// Claim is one statement about an animal's genetics.
type Claim struct {
	// Key of the gene, such as pastel.
	Gene string `json:"gene"`
	// visual: shows the gene (one copy of a dominant or incomplete dominant gene, two of a
	// recessive one); super: shows the two-copy form of an incomplete dominant gene; het: carries
	// one copy of a recessive gene unseen; possible_het: may carry one, with probability.
	Kind ClaimKind `json:"kind" jsonschema:"enum=visual,enum=super,enum=het,enum=possible_het"`
	// possible_het only, strictly between 0 and 1, as "n/d" such as "2/3"; absent for the other
	// kinds.
	Probability Fraction `json:"probability,omitzero" jsonschema:"pattern=^[0-9]+/[0-9]+$"`
	// het and possible_het only; absent when not stated.
	Provenance Provenance `json:"provenance,omitempty"`
}

// InvalidError is a genotype that cannot exist; Field names the gene it is about.
type InvalidError struct {
	Gene   string
	Reason string
}

func (e *InvalidError) Error() string { return e.Gene + ": " + e.Reason }

// Genotype builds and validates an animal's genotype from claims. It refuses what cannot
// exist: the super form of a gene that has none, a het of a gene that shows with one copy,
// two copies of a sex-linked gene on the heterogametic sex, a probability outside (0,1), and
// more than two alleles at one locus.
func (s *Species) Genotype(sex Sex, claims []Claim) (Genotype, error) {
	gt := Genotype{Sex: sex}
	byLocus := map[string][]Claim{}
	for _, c := range claims {
		g, ok := s.genes[c.Gene]
		if !ok {
			return Genotype{}, &InvalidError{c.Gene, "is not a gene of " + s.Name}
		}
		if err := s.checkClaim(sex, g, c); err != nil {
			return Genotype{}, err
		}
		if g.Mode == Polygenic {
			gt.Polygenic = append(gt.Polygenic, g.Key)
			continue
		}
		byLocus[g.LocusKey()] = append(byLocus[g.LocusKey()], c)
	}
	for key, cs := range byLocus {
		l, err := s.locusFromClaims(sex, key, cs)
		if err != nil {
			return Genotype{}, err
		}
		gt.Loci = append(gt.Loci, l)
	}
	sort.Slice(gt.Loci, func(i, j int) bool { return gt.Loci[i].Key < gt.Loci[j].Key })
	sort.Slice(gt.Polygenic, func(i, j int) bool { return s.order[gt.Polygenic[i]] < s.order[gt.Polygenic[j]] })
	return gt, nil
}

func (s *Species) heterogametic(sex Sex) bool {
	return (s.SexSystem == ZW && sex == Female) || (s.SexSystem == XY && sex == Male)
}

func (s *Species) checkClaim(sex Sex, g *Gene, c Claim) error {
	switch c.Kind {
	case Visual:
	case Super:
		if g.Mode != IncompleteDominant {
			return &InvalidError{g.Name, "has no super form (" + modeWords(g.Mode) + ")"}
		}
	case Het, PossibleHet:
		if g.Mode != Recessive {
			return &InvalidError{g.Name, "shows with one copy (" + modeWords(g.Mode) + "), so it cannot be carried as a het"}
		}
	default:
		return &InvalidError{g.Name, fmt.Sprintf("unknown kind of claim %q", c.Kind)}
	}
	if c.Kind == PossibleHet {
		if c.Probability.Num <= 0 || c.Probability.Cmp(one) >= 0 {
			return &InvalidError{g.Name, "a possible het's probability must be strictly between 0 and 1"}
		}
	} else if !c.Probability.IsZero() && c.Probability.Cmp(one) != 0 {
		return &InvalidError{g.Name, "only a possible het has a probability"}
	}
	if g.SexLinked {
		if sex != Male && sex != Female {
			return &InvalidError{g.Name, "is sex-linked: the animal's sex is needed"}
		}
		if s.heterogametic(sex) {
			if c.Kind == Super {
				return &InvalidError{g.Name, "is sex-linked: a " + string(sex) + " carries only one copy, so it cannot show the super form"}
			}
			if c.Kind == Het || c.Kind == PossibleHet {
				return &InvalidError{g.Name, "is sex-linked: a " + string(sex) + " carries only one copy, so it cannot be a het (one copy shows)"}
			}
		}
	}
	return nil
}

func modeWords(m Mode) string {
	switch m {
	case Recessive:
		return "recessive"
	case IncompleteDominant:
		return "incomplete dominant"
	case Dominant:
		return "dominant"
	}
	return "polygenic"
}

// locusFromClaims turns the claims at one locus into its states.
func (s *Species) locusFromClaims(sex Sex, key string, cs []Claim) (Locus, error) {
	hemi := s.genes[cs[0].Gene].SexLinked && s.heterogametic(sex)
	var certain []string // alleles certainly present
	var possible *Claim
	l := Locus{Key: key}
	for i := range cs {
		c := cs[i]
		g := s.genes[c.Gene]
		if c.Provenance != "" {
			l.Provenance = c.Provenance
		}
		switch {
		case c.Kind == Super, c.Kind == Visual && g.Mode == Recessive && !hemi:
			certain = append(certain, g.Key, g.Key)
		case c.Kind == PossibleHet:
			if possible != nil {
				return Locus{}, &InvalidError{g.Name, "only one possible het per locus can be stated"}
			}
			possible = &cs[i]
		default: // one copy: a visual dominant or incomplete dominant, a het, or a hemizygous visual
			certain = append(certain, g.Key)
		}
	}
	if possible != nil {
		for _, c := range certain {
			if c == possible.Gene {
				return Locus{}, &InvalidError{s.genes[c].Name, "is stated both as certain and as a possible het"}
			}
		}
	}
	slots := 2
	if hemi {
		slots = 1
	}
	need := len(certain)
	if possible != nil {
		need++
	}
	if need > slots {
		names := ""
		for _, c := range cs {
			names += " " + string(c.Kind) + " " + s.genes[c.Gene].Name
		}
		return Locus{}, &InvalidError{s.genes[cs[0].Gene].Name, fmt.Sprintf("more copies claimed than the locus holds (%d):%s", slots, names)}
	}
	fill := func(alleles ...string) Pair {
		for len(alleles) < slots {
			alleles = append(alleles, "")
		}
		if hemi {
			alleles = append(alleles, Hemi)
		}
		return makePair(alleles[0], alleles[1])
	}
	if possible == nil {
		l.States = []State{{Pair: fill(certain...), P: one}}
		return l, nil
	}
	with := append(append([]string{}, certain...), possible.Gene)
	l.States = []State{
		{Pair: fill(with...), P: possible.Probability},
		{Pair: fill(certain...), P: one.Sub(possible.Probability)},
	}
	return l, nil
}

// locus returns the animal's states at key, or the wild type.
func (g Genotype) locus(key string, hemi bool) []State {
	i := sort.Search(len(g.Loci), func(i int) bool { return g.Loci[i].Key >= key })
	if i < len(g.Loci) && g.Loci[i].Key == key {
		return g.Loci[i].States
	}
	if hemi {
		return []State{{Pair: Pair{"", Hemi}, P: one}}
	}
	return []State{{Pair: Pair{"", ""}, P: one}}
}

// ErrTooComplex is returned for a pairing beyond what a prediction takes on: more loci than
// Limits allow (ErrTooManyLoci). Probabilities themselves are exact at any size.
var ErrTooComplex = errors.New("too many genes for exact probabilities")
