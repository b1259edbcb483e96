package api

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/pedigree"
	"github.com/reptidex/reptidex/store"
)

func refChart(a pedigree.Ancestors, cards []*store.AnimalCard, photos []*photoRef, p int32, depth, gens int) *pedigreeNode {
	if p < 0 || cards[p] == nil {
		return nil
	}
	n := &pedigreeNode{Animal: viewCard(*cards[p])}
	n.Animal.Photo = photos[p]
	if depth < gens {
		n.Sire = refChart(a, cards, photos, a.Sire[p], depth+1, gens)
		n.Dam = refChart(a, cards, photos, a.Dam[p], depth+1, gens)
	}
	return n
}

// trickyStrings are what encoding/json escapes, and what it leaves alone.
var trickyStrings = []string{
	"", "Apollo", `Luna "the Great"`, `back\slash`, "tab\tnew\nline\rcr", "\b\f\x00\x01\x1f\x7f",
	"<script>&amp;</script>", "Ünïcödé Ball Python 🐍", "line\u2028para\u2029", "bad \xff\xfe utf8 \xe2\x82",
	"Pastel Enchi 66% poss het Clown",
}

func TestAppendString_EscapesLikeEncodingJSON(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	cases := append([]string{}, trickyStrings...)
	for range 2000 {
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		require.Equal(t, string(want), string(appendString(nil, s)), "%q", s)
	}
}

func TestWriteChart_WritesWhatEncodingJSONWrites(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	pick := func() string { return trickyStrings[rng.IntN(len(trickyStrings))] }
	for round := range 300 {
		n := 1 + rng.IntN(40)
		a := pedigree.Ancestors{IDs: make([]uuid.UUID, n), Sire: make([]int32, n), Dam: make([]int32, n)}
		cards := make([]*store.AnimalCard, n)
		photos := make([]*photoRef, n)
		for p := range n {
			a.IDs[p] = uuid.New()
			// Any earlier or later position, or none: repeats, gaps and loops alike.
			a.Sire[p], a.Dam[p] = int32(rng.IntN(n+3))-3, int32(rng.IntN(n+3))-3
			a.Sire[p], a.Dam[p] = max(a.Sire[p], -1), max(a.Dam[p], -1)
			if p > 0 && rng.IntN(8) == 0 {
				continue // no card: an animal the read did not return
			}
			c := store.AnimalCard{Visible: rng.IntN(3) > 0, SpeciesKey: pick()}
			if c.Visible {
				c.PublicID, c.Name, c.Sex, c.GeneticsText, c.Status = pick(), pick(), pick(), pick(), pick()
				c.OwnerPublicID, c.OwnerName, c.Reference = pick(), pick(), rng.IntN(2) == 0
				if rng.IntN(2) == 0 {
					c.BreederPublicID, c.BreederName = pick(), pick()
				}
				if rng.IntN(2) == 0 {
					d := time.Date(2000+rng.IntN(25), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
					c.HatchDate = &d
				}
			}
			cards[p] = &c
			if c.Visible && rng.IntN(3) == 0 {
				photos[p] = &photoRef{ID: pick(), Thumbnail: linkView{URL: "https://s3.example/b/k?X-Amz-Date=1&" + pick(), Method: "GET",
					ExpiresAt: time.Date(2026, 12, 5, 14, rng.IntN(60), rng.IntN(60), rng.IntN(2)*5e8, time.UTC)}}
				if rng.IntN(4) == 0 {
					photos[p].Thumbnail.Headers = map[string]string{pick(): pick(), "Content-Type": pick()}
				}
			}
		}
		gens := 1 + rng.IntN(6)
		var want bytes.Buffer
		require.NoError(t, json.NewEncoder(&want).Encode(pedigreeChart{Generations: gens, Pedigree: refChart(a, cards, photos, 0, 0, gens)}))
		rec := httptest.NewRecorder()
		require.NoError(t, writeChart(rec, a, cards, photos, gens))
		require.Equal(t, want.String(), rec.Body.String(), "round %d", round)
		require.Equal(t, "application/json", rec.Header().Get("Content-Type"))
		require.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	}
}

// A five-generation chart of 45 visible animals, the load test's case.
func BenchmarkWriteChart(b *testing.B) {
	n := 45
	a := pedigree.Ancestors{IDs: make([]uuid.UUID, n), Sire: make([]int32, n), Dam: make([]int32, n)}
	cards := make([]*store.AnimalCard, n)
	photos := make([]*photoRef, n)
	d := time.Date(2021, 5, 1, 0, 0, 0, 0, time.UTC)
	for p := range n {
		a.IDs[p] = uuid.New()
		a.Sire[p], a.Dam[p] = -1, -1
		if 2*p+2 < n {
			a.Sire[p], a.Dam[p] = int32(2*p+1), int32(2*p+2)
		}
		cards[p] = &store.AnimalCard{Visible: true, PublicID: store.NewPublicID(), Name: "Bench animal", SpeciesKey: "ball-python",
			Sex: "female", HatchDate: &d, GeneticsText: "Pastel Enchi het Clown", Status: "active",
			OwnerPublicID: store.NewPublicID(), OwnerName: "Bench Reptiles 1", BreederPublicID: store.NewPublicID(), BreederName: strings.Repeat("B", 16)}
	}
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			_ = json.NewEncoder(httptest.NewRecorder()).Encode(pedigreeChart{Generations: 5, Pedigree: refChart(a, cards, photos, 0, 0, 5)})
		}
	})
	b.Run("writeChart", func(b *testing.B) {
		for b.Loop() {
			_ = writeChart(httptest.NewRecorder(), a, cards, photos, 5)
		}
	})
}
