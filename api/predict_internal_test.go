package api

import (
	"encoding/json"
	"testing"

	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/taxonomy"
)

// BenchmarkPredictAnswer measures the prediction answers genetics.DefaultLimits allow at
// their largest, with the shipped ball python's longest names: the time to predict and
// encode, and the size of the JSON body (bytes/answer).
func BenchmarkPredictAnswer(b *testing.B) {
	sp, err := taxonomy.Lookup("ball-python")
	if err != nil {
		b.Fatal(err)
	}
	incomplete := "Pastel Enchi Fire Vanilla Yellow Belly Cinnamon Black Pastel Mojave Spotnose Orange Dream GHI Leopard"
	recessives := []string{"Albino", "Lavender Albino", "Caramel Albino", "Ultramel", "Clown", "Piebald", "VPI Axanthic",
		"TSK Axanthic", "Jolliff Axanthic", "Desert Ghost", "Genetic Stripe", "Hypo", "Monsoon", "Sunset"}
	hets := func(genes []string) string {
		out := ""
		for _, g := range genes {
			out += " het " + g
		}
		return out
	}
	visuals := func(genes []string) string {
		out := ""
		for _, g := range genes {
			out += " " + g
		}
		return out
	}
	cases := []struct {
		name, sire, dam string
		summarised      bool
	}{
		// 6 dominants split the offspring; 26 more loci put a super form or a het in every outcome.
		{"full 64 outcomes at 32 loci", "Super Pastel Super Enchi Super Fire Super Vanilla Super Yellow Belly Super Cinnamon Super Black Pastel Super Mojave Super Spotnose Super Orange Dream Super GHI Super Leopard Spider Pinstripe Calico Champagne Woma Hidden Gene Woma" + visuals(recessives),
			"Normal", false},
		{"full 256 outcomes at 8 loci", hets(recessives[:8]), hets(recessives[:8]), false},
		{"summary of 32 loci", incomplete + " Banana Spider Pinstripe Calico Champagne Woma" + hets(recessives), incomplete + hets(recessives), true},
	}
	for _, c := range cases {
		sire, err := sp.Parse(c.sire, genetics.Male)
		if err != nil {
			b.Fatal(err)
		}
		dam, err := sp.Parse(c.dam, genetics.Female)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			size := 0
			for b.Loop() {
				pred, err := sp.Predict(sire, dam)
				if err != nil {
					b.Fatal(err)
				}
				if pred.Summarised != c.summarised {
					b.Fatalf("summarised %v: %d outcomes of %d", pred.Summarised, len(pred.Outcomes), pred.TotalOutcomes)
				}
				body, err := json.Marshal(viewPrediction(sp, pred))
				if err != nil {
					b.Fatal(err)
				}
				size = len(body)
			}
			b.ReportMetric(float64(size), "bytes/answer")
		})
	}
}
