package api

import (
	"net/http"
)

// geneticsResource documents offspring prediction.
var geneticsResource = apiResource{
	Tag:   "genetics",
	About: "Offspring prediction from animals or genotypes written in trade names.",
	Schemas: []schemaDef{
		{Name: "PedigreeExtent", Type: pedigreeExtent{}, Description: "How much of the sire's and dam's pedigree offspring_coi was computed over; present with offspring_coi. The nearest generations are taken whole while their distinct ancestors number at most 2,500; a generation past the bound is left out and truncated is true.", Examples: []string{`{"ancestors_considered": 2, "generations_considered": 1, "truncated": false}`}},
		{Name: "ParentInput", Type: parentInput{}, Description: "One side of a pairing: exactly one of animal_id and genetics (an empty string counts as not given)."},
		{Name: "PredictRequest", Type: predictRequest{}, Examples: []string{`{"species": "ball-python", "sire": {"genetics": "Pastel het Clown"}, "dam": {"genetics": "Clown"}}`, `{"sire": {"animal_id": "4fTqW9zKc2NvRb7Hx"}, "dam": {"animal_id": "7QmVbX2kLp9sT4wYz"}}`}},
		{Name: "Outcome", Type: outcomeView{}, Description: "One kind of offspring: what it looks like, what it may carry, and how likely it is."},
		{Name: "Prediction", Type: predictResponse{}, Examples: []string{`{"species": "ball-python", "sire": "Pastel het Clown", "dam": "Clown", "by_sex": false, "outcomes": [{"name": "Pastel Clown", "probability": "1/4", "percent": 25, "visual": ["Pastel", "Clown"], "hets": []}, {"name": "Clown", "probability": "1/4", "percent": 25, "visual": ["Clown"], "hets": []}, {"name": "Pastel het Clown", "probability": "1/4", "percent": 25, "visual": ["Pastel"], "hets": [{"gene": "clown", "name": "Clown", "probability": "1", "percent": 100, "label": "het Clown"}]}, {"name": "Normal het Clown", "probability": "1/4", "percent": 25, "visual": [], "hets": [{"gene": "clown", "name": "Clown", "probability": "1", "percent": 100, "label": "het Clown"}]}], "summarised": false, "total_outcomes": 4, "covered": "1", "covered_percent": 100, "per_gene": [{"genes": ["pastel"], "outcomes": [{"name": "Pastel", "probability": "1/2", "percent": 50, "visual": ["Pastel"], "hets": []}, {"name": "Normal", "probability": "1/2", "percent": 50, "visual": [], "hets": []}]}, {"genes": ["clown"], "outcomes": [{"name": "Clown", "probability": "1/2", "percent": 50, "visual": ["Clown"], "hets": []}, {"name": "Normal het Clown", "probability": "1/2", "percent": 50, "visual": [], "hets": [{"gene": "clown", "name": "Clown", "probability": "1", "percent": 100, "label": "het Clown"}]}]}], "lethal_removed": "0", "warnings": [], "offspring_coi": 0}`}},
		{Name: "GeneDistribution", Type: locusView{}, Description: "What offspring can be at one locus, whatever they are at the others."},
	},
	Operations: []operation{
		{
			Method: http.MethodPost, Path: "/api/v1/genetics/predict", ID: "predictPairing",
			Summary: "Predict the offspring of a pairing",
			Description: "Gives every possible offspring outcome of a sire and a dam with its exact probability, " +
				"the way breeders write it (\"Pastel het Clown\"), most likely first. Each side is an animal " +
				"(animal_id: the organization's own or another breeder's public animal, whose stored " +
				"genetics are used) or a genotype in trade names (genetics, read like an animal's " +
				"genetics). Loci assort independently; possible hets enter as probability mixtures, so " +
				"offspring can be possible hets; combinations and compounds are named; offspring " +
				"homozygous for a lethal gene are left out, the rest renormalised, and the share removed " +
				"is answered as lethal_removed with a warning. When a sex-linked gene makes male and " +
				"female offspring differ, by_sex is true and each outcome names its sex; each sex's " +
				"outcomes then sum to 1 on their own. Polygenic (line-bred) traits a parent shows are " +
				"listed as possible on every outcome, with a warning. When both sides are animals the " +
				"answer also gives the inbreeding coefficient their offspring would have (offspring_coi), " +
				"over their nearest generations within 2,500 ancestors, with offspring_coi_pedigree saying " +
				"how much was considered and whether more was left out (truncated). Bounded work: a " +
				"pairing may involve at most 32 genes (loci), else 422 naming genetics; within that every " +
				"probability is exact, however long its fraction (past 64 bits it is computed in arbitrary " +
				"precision, so no pairing of 32 genes or fewer is refused for its fractions, and visual " +
				"traits are not limited in number). Joint outcomes are listed in full when there are at " +
				"most 256 of them and at most 2,048 outcome-genes (outcomes × genes involved); beyond that " +
				"the answer is summarised: summarised is true and outcomes holds the 64 most likely (32 of " +
				"each sex when by_sex), exact and in the order the full listing would give them, with " +
				"total_outcomes and the share they cover; per_gene always gives each gene's exact " +
				"distribution. Even at these bounds the answer takes a few milliseconds and stays under " +
				"about 200 kB. Nothing is stored. Any member of the organization may predict, viewers " +
				"included.",
			Body:            predictRequest{},
			BodyDescription: "The pairing to predict.",
			Responses: []reply{
				{Status: 200, Description: "The predicted offspring.", Body: predictResponse{}},
				{Status: 422, Description: "validation-failed: errors names the field and the rule, the first one refused: sire or " +
					"dam (missing, or giving neither or both of animal_id and genetics; an empty string counts " +
					"as not given); sire.animal_id or dam.animal_id (no animal with that ID that the caller " +
					"may look at: its own, or another breeder's public animal; of another species than species " +
					"or than the sire; a sire that is not male or a dam that is not female); species (missing " +
					"when both sides are given as genetics, or not a key from /api/v1/taxonomy/species); " +
					"sire.genetics or dam.genetics (an unknown name, with the closest known names suggested; a " +
					"malformed modifier such as 'het' with no gene after it; or a genotype that cannot exist " +
					"for that parent's sex, such as two copies of a sex-linked gene on the sex that carries " +
					"one); genetics (the pairing involves more than 32 genes (loci): predict fewer at once); " +
					"or an unknown field or a field of the wrong type was sent."},
			},
		},
	},
}
