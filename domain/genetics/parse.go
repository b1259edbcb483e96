package genetics

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
	"weak"
)

// Parse reads the genetics a breeder types, e.g. "Pastel Enchi het Clown 66% poss het Pied",
// and builds the animal's genotype: it is ParseClaims followed by Species.Genotype, so a
// genotype that cannot exist ("het Pastel", "Super Clown") is refused with an *InvalidError.
func (s *Species) Parse(text string, sex Sex) (Genotype, error) {
	claims, err := s.ParseClaims(text)
	if err != nil {
		return Genotype{}, err
	}
	return s.Genotype(sex, claims)
}

// ParseClaims reads the trade names breeders type into claims, without judging whether
// they can exist together (Species.Genotype does). Case is ignored, and spaces, commas, "+",
// "&", ";", ":", brackets and "/" separate names ("/" only where it is not part of a known
// name, so a gene named "Red/Black" is still one name). Hyphens, spaces and their absence
// inside names are alike: "Blue-eyed Leucistic", "blue eyed leucistic" and "BlueEyed
// Leucistic" are one name. Names are matched longest first, so "Lavender Albino" is one
// gene, not Lavender and Albino. A gene's own name, super name, compound and combo names
// take precedence over another gene's alias, which takes precedence over the generic
// "Super <gene>", which takes precedence over the modifier words below.
//
// It understands:
//   - gene names and aliases: a visual claim ("Pastel", "Pied"); "visual Clown" is the same;
//   - super forms: the species' super name ("Super Pastel") and "Super <gene>" for any gene
//     ("Super Spider" is then refused by Genotype, Spider having no super form);
//   - compound names ("Blue-eyed Leucistic"): both alleles visual. When several definitions
//     share a name (Lesser×Mojave and Lesser×Butter, or a super form named like a compound)
//     the name is refused with an *AmbiguousNameError that lists the options to write instead;
//   - combo names and aliases ("Bumblebee", "Killer Bee"): the traits they require;
//   - hets: "het Clown"; "het" covers the run of recessive gene names that follows it ("het
//     Clown Piebald" is two hets) up to the first name that is not a recessive gene; "double
//     het Albino Pied", "triple het A B C", "dh", "th" and "quad het" must name exactly that
//     many genes; "100% het Clown" is a het;
//   - possible hets: "66% poss het Pied", "66% possible het", "66% pos het", "66% ph",
//     "50% het Pied" (below 100% before "het" means possible); like "het", the percentage
//     covers the run of recessive genes that follows. A possible het needs a
//     percentage: "poss het Pied" alone is refused rather than guessed. 66% and 67% (and
//     66.x, 67.x) read as 2/3, 33% (and 33.x) as 1/3, anything else as the exact decimal
//     (50% is 1/2). A possible het's percentage must be at least 1% and below 100%;
//   - the wild type: "Normal", "Wild type", "WT", "Classic" add nothing. Empty text is the
//     wild type too.
//
// Saying the same thing twice counts once ("Bumblebee Pastel" is not a Super Pastel).
// Errors: *UnknownNameError for a name the species does not know (with suggestions),
// *SyntaxError for a malformed modifier ("het" with no gene after it, "double het Clown",
// "poss het Clown" without a percentage), *AmbiguousNameError for an ambiguous compound, and
// *InvalidError for a gene claimed both as a het and as a possible het.
func (s *Species) ParseClaims(text string) ([]Claim, error) {
	p := parser{ix: s.nameIndex(), src: text, toks: tokenize(text, make([]token, 0, 16)), claims: make([]Claim, 0, 8)}
	if err := p.run(); err != nil {
		return nil, err
	}
	return p.finish()
}

// UnknownNameError is a word the species does not know as a gene, alias, super form,
// compound, combination or modifier. Suggestions are up to three of the species' names
// closest to Token (Damerau-Levenshtein distance on lower-cased text), best first.
type UnknownNameError struct {
	Token       string
	Suggestions []string
}

func (e *UnknownNameError) Error() string {
	msg := fmt.Sprintf("unknown gene %q", e.Token)
	if len(e.Suggestions) > 0 {
		msg += " (did you mean " + strings.Join(e.Suggestions, ", ") + "?)"
	}
	return msg
}

// SyntaxError is a malformed modifier, e.g. "het" with no gene after it or "double het" with
// one gene. Pos is the byte offset in the text where the problem is.
type SyntaxError struct {
	Pos     int
	Message string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s (at position %d)", e.Message, e.Pos) }

// AmbiguousNameError is a name that means several things in the species, e.g. a compound
// name shared by several pairs of alleles. Options are what to write instead, one per
// meaning.
type AmbiguousNameError struct {
	Token   string
	Options []string
}

func (e *AmbiguousNameError) Error() string {
	return fmt.Sprintf("%q is ambiguous: write which one you mean: %s", e.Token, strings.Join(e.Options, " or "))
}

// --- tokens ---

// token is one word of the text, lower-cased, with its byte span; slash tokens are a "/",
// which separates names unless a name contains it.
type token struct {
	low        string
	start, end int
	slash      bool
}

// isSep reports whether r separates words; '.' does except inside a number.
func isSep(r, prev, next rune) bool {
	switch r {
	case ',', '+', '&', ';', ':', '_', '(', ')', '[', ']':
		return true
	case '.':
		return !(unicode.IsDigit(prev) && unicode.IsDigit(next))
	}
	return unicode.IsSpace(r) || unicode.Is(unicode.Pd, r)
}

// tokenize splits text into words, '/' and '%' being tokens of their own.
func tokenize(text string, dst []token) []token {
	start := -1
	var prev rune
	flush := func(end int) {
		if start >= 0 {
			dst = append(dst, token{low: strings.ToLower(text[start:end]), start: start, end: end})
			start = -1
		}
	}
	for i := 0; i < len(text); {
		r, w := utf8.DecodeRuneInString(text[i:])
		next, _ := utf8.DecodeRuneInString(text[i+w:])
		switch {
		case r == '/' || r == '%':
			flush(i)
			dst = append(dst, token{low: string(r), start: i, end: i + 1, slash: r == '/'})
		case isSep(r, prev, next):
			flush(i)
		default:
			if start < 0 {
				start = i
			}
		}
		prev = r
		i += w
	}
	flush(len(text))
	return dst
}

// squash is the form names are looked up by: lower-case, separators removed, "/" kept.
func squash(name string) string {
	var b strings.Builder
	for _, t := range tokenize(name, nil) {
		b.WriteString(t.low)
	}
	return b.String()
}

// spaced is the form names are compared by for suggestions: lower-case words, one space apart.
func spaced(toks []token) string {
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = t.low
	}
	return strings.Join(parts, " ")
}

// --- the name index ---

type meaningKind uint8

const (
	mClaims  meaningKind = iota // a gene, super form, compound or combo: claims
	mKeyword                    // a modifier
)

type keyword uint8

const (
	kwNormal keyword = iota + 1
	kwVisual
	kwSuper
	kwHet
	kwPoss
	kwPossHet // "ph": poss and het
	kwCount   // "double", with count; "dh" has het set too
)

// Priorities: a species' own names beat aliases, which beat the generated "Super <gene>",
// which beats modifiers. Only meanings of the highest priority a name has count.
const (
	prioKeyword = iota
	prioGenerated
	prioAlias
	prioName
)

type meaning struct {
	kind   meaningKind
	prio   int
	gene   *Gene   // a plain gene name or alias (a visual claim): het runs accept only these
	claims []Claim // mClaims
	option string  // how to write it unambiguously
	err    error   // a combo requiring an ambiguous compound
	kw     keyword
	count  int
	het    bool // kwCount: "dh", "th", "double het" include the het
}

// entry is what one squashed name means; more than one meaning makes it ambiguous.
type entry struct {
	meanings []meaning
}

type candidate struct {
	display string
	cmp     []rune
}

type nameIndex struct {
	stamp      uintptr // identity of the species' gene map when built: Prepare again rebuilds
	names      map[string]*entry
	genes      map[string]*Gene // by key
	maxLen     int              // longest squashed name, in bytes
	candidates []candidate
	maxWords   int // most words in a candidate
}

var indexCache sync.Map // weak.Pointer[Species] → *nameIndex

// nameIndex returns the species' name index, built once per species (and again if it is
// prepared again). Entries go when the species is garbage collected.
func (s *Species) nameIndex() *nameIndex {
	key := weak.Make(s)
	stamp := reflect.ValueOf(s.genes).Pointer()
	if v, ok := indexCache.Load(key); ok && v.(*nameIndex).stamp == stamp {
		return v.(*nameIndex)
	}
	ix := buildIndex(s)
	ix.stamp = stamp
	if _, loaded := indexCache.Swap(key, ix); !loaded {
		runtime.AddCleanup(s, func(k weak.Pointer[Species]) { indexCache.Delete(k) }, key)
	}
	return ix
}

func sameClaims(a, b []Claim) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func buildIndex(s *Species) *nameIndex {
	genes := map[string]*Gene{}
	for i := range s.Genes {
		genes[s.Genes[i].Key] = &s.Genes[i]
	}
	ix := &nameIndex{names: map[string]*entry{}, genes: genes}
	seenCandidate := map[string]bool{}
	add := func(name string, m meaning) {
		key := squash(name)
		if key == "" {
			return
		}
		if m.prio > prioGenerated && !seenCandidate[name] {
			seenCandidate[name] = true
			toks := tokenize(name, nil)
			ix.candidates = append(ix.candidates, candidate{display: name, cmp: []rune(spaced(toks))})
			ix.maxWords = max(ix.maxWords, len(toks))
		}
		e := ix.names[key]
		if e == nil {
			e = &entry{}
			ix.names[key] = e
			ix.maxLen = max(ix.maxLen, len(key))
		}
		if len(e.meanings) > 0 {
			switch top := e.meanings[0].prio; {
			case m.prio < top:
				return
			case m.prio > top:
				e.meanings = e.meanings[:0]
			}
		}
		for _, o := range e.meanings {
			if o.kind == m.kind && o.kw == m.kw && o.count == m.count && o.het == m.het && sameClaims(o.claims, m.claims) {
				return
			}
		}
		e.meanings = append(e.meanings, m)
	}
	geneMeaning := func(g *Gene, prio int) meaning {
		return meaning{kind: mClaims, prio: prio, gene: g, claims: []Claim{{Gene: g.Key, Kind: Visual}}, option: g.Name}
	}
	superMeaning := func(g *Gene, prio int) meaning {
		return meaning{kind: mClaims, prio: prio, claims: []Claim{{Gene: g.Key, Kind: Super}}, option: "Super " + g.Name}
	}
	compoundsNamed := func(name string) []Compound {
		var out []Compound
		for _, c := range s.Compounds {
			if c.Name == name {
				out = append(out, c)
			}
		}
		return out
	}
	compoundMeaning := func(c Compound, prio int) meaning {
		m := meaning{kind: mClaims, prio: prio}
		var names []string
		for _, k := range c.Alleles {
			m.claims = append(m.claims, Claim{Gene: k, Kind: Visual})
			if g, ok := genes[k]; ok {
				names = append(names, g.Name)
			} else {
				names = append(names, k)
			}
		}
		m.option = strings.Join(names, " ")
		return m
	}
	for i := range s.Genes {
		g := &s.Genes[i]
		add(g.Name, geneMeaning(g, prioName))
		for _, a := range g.Aliases {
			add(a, geneMeaning(g, prioAlias))
		}
		if g.SuperName != "" {
			add(g.SuperName, superMeaning(g, prioName))
		}
		add("Super "+g.Name, superMeaning(g, prioGenerated))
		for _, a := range g.Aliases {
			add("Super "+a, superMeaning(g, prioGenerated))
		}
	}
	for _, c := range s.Compounds {
		add(c.Name, compoundMeaning(c, prioName))
	}
	for _, c := range s.Combos {
		m := meaning{kind: mClaims}
		var parts []string
		for _, req := range c.Requires {
			switch {
			case strings.HasPrefix(req, "super:"):
				k := strings.TrimPrefix(req, "super:")
				m.claims = append(m.claims, Claim{Gene: k, Kind: Super})
				if g, ok := genes[k]; ok {
					parts = append(parts, "Super "+g.Name)
				}
			case strings.HasPrefix(req, "compound:"):
				name := strings.TrimPrefix(req, "compound:")
				var opts []meaning
				for _, c := range compoundsNamed(name) {
					cm := compoundMeaning(c, 0)
					if !slices.ContainsFunc(opts, func(o meaning) bool { return sameClaims(o.claims, cm.claims) }) {
						opts = append(opts, cm)
					}
				}
				if len(opts) == 1 {
					m.claims = append(m.claims, opts[0].claims...)
					parts = append(parts, opts[0].option)
				} else {
					m.err = fmt.Errorf("combo %s requires compound %s, which the species defines %d ways", c.Name, name, len(opts))
					parts = append(parts, name)
				}
			default:
				m.claims = append(m.claims, Claim{Gene: req, Kind: Visual})
				if g, ok := genes[req]; ok {
					parts = append(parts, g.Name)
				}
			}
		}
		for _, cl := range m.claims {
			if _, ok := genes[cl.Gene]; !ok && m.err == nil {
				m.err = fmt.Errorf("combo %s requires unknown gene %s", c.Name, cl.Gene)
			}
		}
		m.prio, m.option = prioName, strings.Join(parts, " ")
		add(c.Name, m)
		m.prio = prioAlias
		for _, a := range c.Aliases {
			add(a, m)
		}
	}
	kw := func(k keyword, count int, het bool, words ...string) {
		for _, w := range words {
			add(w, meaning{kind: mKeyword, prio: prioKeyword, kw: k, count: count, het: het})
		}
	}
	kw(kwNormal, 0, false, "normal", "wild type", "wildtype", "wt", "classic")
	kw(kwVisual, 0, false, "visual", "vis")
	kw(kwSuper, 0, false, "super")
	kw(kwHet, 0, false, "het", "hets", "heterozygous")
	kw(kwPoss, 0, false, "poss", "pos", "possible", "possibly")
	kw(kwPossHet, 0, false, "ph", "poss het", "pos het", "possible het")
	kw(kwCount, 2, false, "double")
	kw(kwCount, 3, false, "triple")
	kw(kwCount, 4, false, "quad", "quadruple")
	kw(kwCount, 2, true, "dh", "double het")
	kw(kwCount, 3, true, "th", "triple het")
	kw(kwCount, 4, true, "quad het", "quadruple het")
	return ix
}

// --- the parser ---

type parser struct {
	ix     *nameIndex
	src    string
	toks   []token
	i      int
	buf    []byte
	claims []Claim
}

// match finds the longest name starting at token i; next is the token after it.
func (p *parser) match(i int) (e *entry, next int) {
	if i >= len(p.toks) || p.toks[i].slash {
		return nil, i
	}
	p.buf = p.buf[:0]
	for j := i; j < len(p.toks); j++ {
		p.buf = append(p.buf, p.toks[j].low...)
		if len(p.buf) > p.ix.maxLen {
			break
		}
		if p.toks[j].slash {
			continue
		}
		if f, ok := p.ix.names[string(p.buf)]; ok {
			e, next = f, j+1
		}
	}
	return e, next
}

// skip passes the "/" separators at the parser's position.
func (p *parser) skip() {
	for p.i < len(p.toks) && p.toks[p.i].slash {
		p.i++
	}
}

func (p *parser) text(from, to int) string { return p.src[p.toks[from].start:p.toks[to-1].end] }

// single returns the entry's one meaning, or an ambiguity error naming the options.
func (p *parser) single(e *entry, from, to int) (meaning, error) {
	if len(e.meanings) == 1 {
		return e.meanings[0], e.meanings[0].err
	}
	opts := make([]string, len(e.meanings))
	for i, m := range e.meanings {
		opts[i] = m.option
	}
	return meaning{}, &AmbiguousNameError{Token: p.text(from, to), Options: opts}
}

func (p *parser) run() error {
	for {
		p.skip()
		if p.i >= len(p.toks) {
			return nil
		}
		e, next := p.match(p.i)
		if e == nil {
			if isNumeric(p.toks[p.i].low) {
				if err := p.het(); err != nil {
					return err
				}
				continue
			}
			return p.unknown(p.i)
		}
		m, err := p.single(e, p.i, next)
		if err != nil {
			return err
		}
		if m.kind == mClaims {
			p.claims = append(p.claims, m.claims...)
			p.i = next
			continue
		}
		switch m.kw {
		case kwNormal:
			p.i = next
		case kwVisual, kwSuper:
			if err := p.modified(m.kw, next); err != nil {
				return err
			}
		default:
			if err := p.het(); err != nil {
				return err
			}
		}
	}
}

// modified reads what follows "visual" (anything visual) or "super" (a gene).
func (p *parser) modified(kw keyword, next int) error {
	word := p.text(p.i, next)
	p.i = next
	p.skip()
	what := "a gene name"
	if kw == kwVisual {
		what = "a gene, combination or compound name"
	}
	if p.i >= len(p.toks) {
		return &SyntaxError{Pos: len(p.src), Message: fmt.Sprintf("%q must be followed by %s", word, what)}
	}
	e, next := p.match(p.i)
	if e == nil {
		if isNumeric(p.toks[p.i].low) {
			return &SyntaxError{Pos: p.toks[p.i].start, Message: fmt.Sprintf("%q must be followed by %s", word, what)}
		}
		return p.unknown(p.i)
	}
	m, err := p.single(e, p.i, next)
	if err != nil {
		return err
	}
	switch {
	case m.kind == mKeyword, kw == kwSuper && m.gene == nil:
		return &SyntaxError{Pos: p.toks[p.i].start, Message: fmt.Sprintf("%q must be followed by %s, not %q", word, what, p.text(p.i, next))}
	case kw == kwSuper:
		p.claims = append(p.claims, Claim{Gene: m.gene.Key, Kind: Super})
	default:
		p.claims = append(p.claims, m.claims...)
	}
	p.i = next
	return nil
}

// het reads "[N%] [poss|ph] [double|dh…] [het] gene gene…" at the parser's position.
func (p *parser) het() error {
	first := p.i
	var (
		pct          Fraction
		hasPct, poss bool
		het          bool
		count        int
		countWord    string
	)
	if isNumeric(p.toks[p.i].low) {
		f, err := p.percent()
		if err != nil {
			return err
		}
		pct, hasPct = f, true
	}
	keywordAt := func() (meaning, int, bool) {
		e, next := p.match(p.i)
		if e == nil || len(e.meanings) != 1 || e.meanings[0].kind != mKeyword {
			return meaning{}, 0, false
		}
		return e.meanings[0], next, true
	}
	if m, next, ok := keywordAt(); ok && (m.kw == kwPoss || m.kw == kwPossHet) {
		poss, het = true, m.kw == kwPossHet
		p.i = next
	}
	if !het {
		if m, next, ok := keywordAt(); ok && m.kw == kwCount {
			count, het, countWord = m.count, m.het, p.text(p.i, next)
			p.i = next
		}
	}
	if !het {
		if m, next, ok := keywordAt(); ok && m.kw == kwHet {
			het = true
			p.i = next
		}
	}
	mods := p.text(first, p.i)
	switch {
	case count > 0 && !het:
		return &SyntaxError{Pos: p.toks[first].start, Message: fmt.Sprintf("%q must be followed by \"het\"", mods)}
	case !het && !poss:
		return &SyntaxError{Pos: p.toks[first].start, Message: fmt.Sprintf("a percentage (%q) must be followed by \"het\" or \"poss het\"", mods)}
	}

	// The genes: the first whatever it is, then the run of recessive genes.
	p.skip()
	if p.i >= len(p.toks) {
		return &SyntaxError{Pos: len(p.src), Message: fmt.Sprintf("%q must be followed by a gene name", mods)}
	}
	var run []*Gene
	var names []string
	for {
		e, next := p.match(p.i)
		if e == nil {
			if len(run) > 0 {
				break
			}
			if isNumeric(p.toks[p.i].low) {
				return &SyntaxError{Pos: p.toks[p.i].start, Message: fmt.Sprintf("%q must be followed by a gene name", mods)}
			}
			return p.unknown(p.i)
		}
		if len(run) > 0 && (len(e.meanings) != 1 || e.meanings[0].gene == nil || e.meanings[0].gene.Mode != Recessive) {
			break
		}
		m, err := p.single(e, p.i, next)
		if err != nil {
			return err
		}
		if m.gene == nil {
			return &SyntaxError{Pos: p.toks[p.i].start, Message: fmt.Sprintf("%q must be followed by a gene name, not %q", mods, p.text(p.i, next))}
		}
		run = append(run, m.gene)
		names = append(names, p.text(p.i, next))
		p.i = next
		p.skip()
		if p.i >= len(p.toks) {
			break
		}
	}
	if count > 0 && len(run) != count {
		return &SyntaxError{Pos: p.toks[first].start, Message: fmt.Sprintf("%q needs %d gene names, found %d (%s)", countWord, count, len(run), strings.Join(names, ", "))}
	}

	kind, prob := Het, Fraction{}
	switch {
	case !hasPct && poss:
		return &SyntaxError{Pos: p.toks[first].start, Message: fmt.Sprintf("%q needs a percentage, e.g. \"66%% %s\" or \"50%% %s\"", p.text(first, p.i), p.text(first, p.i), p.text(first, p.i))}
	case !hasPct:
	case pct.IsZero():
		return &SyntaxError{Pos: p.toks[first].start, Message: fmt.Sprintf("%q: 0%% is not a het", mods)}
	case pct.Cmp(one) > 0:
		return &SyntaxError{Pos: p.toks[first].start, Message: fmt.Sprintf("%q: a percentage cannot be above 100%%", mods)}
	case pct.Cmp(one) == 0 && poss:
		return &SyntaxError{Pos: p.toks[first].start, Message: fmt.Sprintf("%q: a possible het is below 100%%; write \"het\" for a certain het", mods)}
	case pct.Cmp(one) == 0:
	case pct.Cmp(Frac(1, 100)) < 0:
		return &SyntaxError{Pos: p.toks[first].start, Message: fmt.Sprintf("%q: a possible het's percentage must be at least 1%%", mods)}
	default:
		kind, prob = PossibleHet, pct
	}
	for _, g := range run {
		p.claims = append(p.claims, Claim{Gene: g.Key, Kind: kind, Probability: prob})
	}
	return nil
}

func isNumeric(low string) bool {
	return low != "" && (low[0] >= '0' && low[0] <= '9' || low[0] == '.' || low == "%")
}

// percent reads "66", "66%", "66.6 %" at the parser's position as a probability.
func (p *parser) percent() (Fraction, error) {
	t := p.toks[p.i]
	bad := &SyntaxError{Pos: t.start, Message: fmt.Sprintf("%q is not a percentage", p.src[t.start:t.end])}
	whole, frac, dot := strings.Cut(t.low, ".")
	if whole == "" || !allDigits(whole) || dot && (frac == "" || !allDigits(frac)) {
		return Fraction{}, bad
	}
	p.i++
	if p.i < len(p.toks) && p.toks[p.i].low == "%" {
		p.i++
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 3 {
		return Frac(101, 100), nil // above 100%: refused by the caller
	}
	frac = frac[:min(len(frac), 4)] // beyond a ten-thousandth of a percent is noise
	var n, d int64 = 0, 100
	for _, c := range whole + frac {
		n = n*10 + int64(c-'0')
	}
	for range frac {
		d *= 10
	}
	// Thirds are written 33% and 66% or 67% (and 33.3%, 66.7%…), the way Format writes them.
	switch n * 100 / d {
	case 33:
		return Frac(1, 3), nil
	case 66, 67:
		return Frac(2, 3), nil
	}
	return Frac(n, d), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// finish drops repeated claims and refuses a gene claimed both as a het and a possible het.
func (p *parser) finish() ([]Claim, error) {
	if len(p.claims) == 0 {
		return nil, nil
	}
	out := p.claims[:0]
	het := map[string]ClaimKind{}
	for _, c := range p.claims {
		dup := false
		for _, o := range out {
			if o == c {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		if c.Kind == Het || c.Kind == PossibleHet {
			if k, ok := het[c.Gene]; ok && k != c.Kind {
				return nil, &InvalidError{Gene: p.ix.genes[c.Gene].Name, Reason: "is claimed both as a het and as a possible het"}
			}
			het[c.Gene] = c.Kind
		}
		out = append(out, c)
	}
	return out, nil
}

// --- suggestions ---

// unknown reports the unknown word at token i, with the species' names closest to it. The
// word may be several tokens long ("Lavendar Albino"): the span closest to a name is reported.
func (p *parser) unknown(i int) error {
	bestSpan, bestDist := 1, -1
	var bestSugg []string
	for n := 1; n <= p.ix.maxWords && i+n <= len(p.toks); n++ {
		q := []rune(spaced(p.toks[i : i+n]))
		cutoff := max(2, len(q)/3)
		type scored struct {
			name string
			d    int
		}
		var found []scored
		for _, c := range p.ix.candidates {
			if d := damerauLevenshtein(q, c.cmp, cutoff); d <= cutoff {
				found = append(found, scored{c.display, d})
			}
		}
		if len(found) == 0 {
			continue
		}
		sort.Slice(found, func(a, b int) bool {
			if found[a].d != found[b].d {
				return found[a].d < found[b].d
			}
			return found[a].name < found[b].name
		})
		if bestDist >= 0 && found[0].d >= bestDist {
			continue
		}
		bestSpan, bestDist, bestSugg = n, found[0].d, nil
		seen := map[string]bool{}
		for _, f := range found {
			if len(bestSugg) == 3 {
				break
			}
			if !seen[strings.ToLower(f.name)] {
				seen[strings.ToLower(f.name)] = true
				bestSugg = append(bestSugg, f.name)
			}
		}
	}
	return &UnknownNameError{Token: p.text(i, i+bestSpan), Suggestions: bestSugg}
}

// damerauLevenshtein is the optimal-string-alignment distance between a and b; past limit
// it returns limit+1 early.
func damerauLevenshtein(a, b []rune, limit int) int {
	if abs(int64(len(a)-len(b))) > int64(limit) {
		return limit + 1
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// IsRefusal reports whether err is the parser's or the genotype check's refusal of what a
// person wrote (an unknown or ambiguous name, a syntax error, an impossible genotype),
// whose message names the token or gene and may be shown to them.
func IsRefusal(err error) bool {
	var unknown *UnknownNameError
	var syntax *SyntaxError
	var inv *InvalidError
	var ambiguous *AmbiguousNameError
	return errors.As(err, &unknown) || errors.As(err, &syntax) || errors.As(err, &inv) || errors.As(err, &ambiguous)
}
