package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/invopop/jsonschema"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/animals"
	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/store"
)

// animalVisibility is who may see an animal, as the animals package checks it.
var animalVisibility = animals.Visibilities

// animalInput is the body of a create, and of an update where every field is optional.
// Parents are public IDs; an explicit null clears one.
// updateAnimalRequest is what PATCH /animals/{animalID} takes: the fields of animalInput,
// each optional.
type updateAnimalRequest animalInput

type animalInput struct {
	// Key of the species, from /api/v1/taxonomy/species, such as ball-python. It cannot change
	// later.
	Species *string `json:"species" jsonschema:"required,pattern=^[a-z0-9-]+$"`
	// Default unknown.
	Sex *string `json:"sex" schema:"Sex"`
	// At most 120 characters after trimming surrounding whitespace; an empty string clears it.
	Name *string `json:"name" jsonschema:"maxLength=120"`
	// The hatch date, such as 2024-05-31, not in the future; an empty string clears it.
	HatchDate *string `json:"hatch_date" jsonschema:"format=date"`
	// Microchip, tag or other identifiers under keys of your choice, such as {"microchip":
	// "985141000123456"}: at most 20, keys of 1 to 50 bytes, values of at most 200 bytes.
	Identifiers map[string]string `json:"identifiers"`
	// Default active. archived is set only by POST /api/v1/animals/{animalID}/archive.
	Status *string `json:"status" jsonschema:"enum=active,enum=on_hold,enum=sold,enum=deceased"`
	// Default organization.
	Visibility *string `json:"visibility" schema:"Visibility"`
	// The animal's genetics, written the way breeders write trade names and read against the
	// species' catalogue (GET /api/v1/taxonomy/species/{species}); it replaces every claim. Case
	// is ignored; spaces, commas, +, &, ; and / separate names; hyphens and spaces inside a name
	// do not matter ("Blue-eyed Leucistic" is "blue eyed leucistic"); the longest known name wins
	// ("Lavender Albino" is one gene). It reads: gene names and aliases as visual claims ("Pastel
	// Enchi", "Pied" for Piebald); super forms ("Super Pastel"); compounds, both alleles visual
	// ("Lesser Mojave" is a Blue-eyed Leucistic; a compound name several allele pairs share is
	// refused: write the alleles); combinations ("Bumblebee" is Pastel and Spider); hets: "het
	// Clown", where het covers the run of recessive names after it ("het Clown Pied"), "double het
	// Albino Pied" (also "dh", "triple het" or "th", "quad het", naming exactly that many genes)
	// and "100% het Clown"; possible hets, which need a percentage from 1% to below 100%: "66%
	// poss het Pied" (also "possible het", "pos het", "ph", or "50% het Clown"), where 66% and 67%
	// read as 2/3, 33% as 1/3 and anything else exactly (50% is 1/2); and the wild type: "Normal",
	// "Wild type", "WT", "Classic" or an empty string. Saying the same thing twice counts once.
	// The answer's genetics.text is the canonical form: "pastel spider het clown 66% poss het
	// pied" reads back as "Bumblebee het Clown 66% poss het Piebald".
	Genetics *string `json:"genetics" jsonschema:"example=Pastel Enchi het Clown,example=66% poss het Pied,example=double het Albino Pied,example=Bumblebee,example=Super Pastel het Clown Pied,example=Normal"`
	// Where hets and possible hets come from, by gene key such as clown; each key must be a het or
	// possible het of the animal once genetics is applied. Sending genetics again starts its
	// claims without provenance, so send the provenances with it.
	GeneticsProvenance map[string]string `json:"genetics_provenance"`
	// Public ID of the sire: an animal of the caller's organization or another breeder's public
	// animal, of the same species, male, hatched before this animal when both dates are known, and
	// neither this animal nor one of its descendants. null or an empty string for none.
	SireID optionalID `json:"sire_id"`
	// Public ID of the dam: an animal of the caller's organization or another breeder's public
	// animal, of the same species, female, not the sire, hatched before this animal when both
	// dates are known, and neither this animal nor one of its descendants. null or an empty string
	// for none.
	DamID optionalID `json:"dam_id"`
	// true registers a reference animal: a lineage-only record of an animal kept off the platform
	// (such as a bought-in animal's parent), with no breeder of record. Default false: the
	// caller's organization is the breeder of record.
	Reference *bool `json:"reference"`
}

// optionalID tells an absent field (leave as is) from null (clear) from a value.
type optionalID struct {
	Set   bool
	Value string // empty with Set means null
}

func (o *optionalID) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

// JSONSchema documents the field as the decoder reads it: a string, or null.
func (optionalID) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{OneOf: []*jsonschema.Schema{{Type: "string"}, {Type: "null"}}}
}

type hetView struct {
	// Key of the gene, such as clown.
	Gene string `json:"gene"`
	// The gene's trade name, such as Clown.
	Name string `json:"name"`
	// The exact probability the animal carries the gene, as "n/d": "2/3" for a 66% possible het,
	// "1" for a het.
	Probability string `json:"probability" jsonschema:"pattern=^[0-9]+(/[0-9]+)?$"`
	// The probability as a whole percentage, truncated the way breeders label it: 66 for 2/3, 100
	// for a het.
	Percent int64 `json:"percent" jsonschema:"minimum=0,maximum=100"`
	// As breeders write it, such as "het Clown" or "66% poss het Piebald".
	Label string `json:"label"`
	// Absent when not stated.
	Provenance string `json:"provenance,omitempty" schema:"Provenance"`
}

type geneticsView struct {
	// The canonical trade name: visual traits (combinations first, then the species' gene order),
	// hets, then possible hets, such as "Bumblebee het Clown 66% poss het Piebald"; "Normal" for
	// the wild type.
	Text string `json:"text"`
	// The visual traits by name, combinations first, such as ["Bumblebee"]; [] for a
	// normal-looking animal.
	Visual []string `json:"visual"`
	// The recessive genes the animal carries, or may carry, without showing them, in the species'
	// gene order; [] when none.
	Hets []hetView `json:"hets"`
	// The claims as stored, one per gene: what genetics was read into (a combination becomes its
	// genes); [] for the wild type.
	Claims []genetics.Claim `json:"claims"`
}

type animalView struct {
	// Public ID of the animal.
	ID string `json:"id" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	// Key of the species, such as ball-python.
	Species string `json:"species"`
	Sex     string `json:"sex" schema:"Sex"`
	// Absent when the animal has no name.
	Name string `json:"name,omitempty"`
	// Absent when unknown.
	HatchDate string `json:"hatch_date,omitempty" jsonschema:"format=date"`
	// Identifiers by key, such as microchip; {} when none.
	Identifiers map[string]string `json:"identifiers"`
	// archived once the animal is archived.
	Status     string `json:"status" jsonschema:"enum=active,enum=on_hold,enum=sold,enum=deceased,enum=archived"`
	Visibility string `json:"visibility" schema:"Visibility"`
	// Public ID of the organization that keeps the animal.
	OrganizationID string `json:"organization_id" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	// Public ID of the breeder of record, the organization that registered the animal; absent for
	// a reference animal.
	BreederOrganizationID string       `json:"breeder_organization_id,omitempty" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	Genetics              geneticsView `json:"genetics"`
	// Public ID of the sire; absent when unknown.
	SireID string `json:"sire_id,omitempty" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	// Public ID of the dam; absent when unknown.
	DamID string `json:"dam_id,omitempty" jsonschema:"pattern=^[1-9A-HJ-NP-Za-km-z]+$"`
	// true for a reference animal: a lineage-only record of an animal kept off the platform.
	Reference bool `json:"reference"`
	// 1 when registered, one more with every change (archiving included); the ETag is "v" and the
	// version, such as "v3".
	Version   int       `json:"version" jsonschema:"minimum=1"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// When the animal was archived; absent while it is not.
	ArchivedAt *time.Time `json:"archived_at,omitempty"`
	// The animal's primary photo, in the answer of GET /api/v1/animals/{animalID}; absent when it
	// has none, and from other answers (GET /api/v1/animals/{animalID}/media lists them all).
	Photo *photoRef `json:"photo,omitempty"`
}

func (s *Server) viewAnimal(ctx context.Context, a store.Animal) (animalView, error) {
	sp, err := s.species.species(ctx, a.SpeciesKey, "species")
	if err != nil {
		return animalView{}, err
	}
	v := animalView{ID: a.PublicID, Species: a.SpeciesKey, Sex: string(a.Sex), Name: a.Name, Identifiers: a.Identifiers,
		Status: a.Status, Visibility: a.Visibility, OrganizationID: a.OrgPublicID, BreederOrganizationID: a.BreederPublicID,
		SireID: a.SirePublicID, DamID: a.DamPublicID, Reference: a.IsReference, Version: a.Version,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, ArchivedAt: a.ArchivedAt}
	if a.HatchDate != nil {
		v.HatchDate = a.HatchDate.Format(time.DateOnly)
	}
	gt, err := sp.Genotype(a.Sex, a.Genetics)
	if err != nil {
		return animalView{}, fmt.Errorf("stored genetics of %s no longer valid: %w", a.PublicID, err)
	}
	visual, hets := sp.Describe(gt)
	provenance := map[string]string{}
	for _, c := range a.Genetics {
		provenance[c.Gene] = string(c.Provenance)
	}
	v.Genetics = geneticsView{Text: sp.Format(gt), Visual: visual, Hets: []hetView{}, Claims: a.Genetics}
	if v.Genetics.Visual == nil {
		v.Genetics.Visual = []string{}
	}
	for _, h := range hets {
		g, _ := sp.Gene(h.Gene)
		v.Genetics.Hets = append(v.Genetics.Hets, hetView{Gene: h.Gene, Name: g.Name, Probability: h.Probability.String(),
			Percent: h.Probability.Percent(), Label: h.Label, Provenance: provenance[h.Gene]})
	}
	if v.Genetics.Claims == nil {
		v.Genetics.Claims = []genetics.Claim{}
	}
	return v, nil
}

// animalInPath loads the caller's organization's animal named in the path.
func animalInPath(r *http.Request, tx pgx.Tx) (store.Animal, error) {
	return inPath(r, store.Querier(tx), "animalID", "animal", store.AnimalByPublicID)
}

// readAnimalView reads an animal back as the API shows it.
func (s *Server) readAnimalView(ctx context.Context, tx pgx.Tx, publicID string) (animalView, error) {
	a, err := store.AnimalByPublicID(ctx, tx, publicID)
	if err != nil {
		return animalView{}, err
	}
	return s.viewAnimal(ctx, a)
}

// heldProblem refuses a change to an animal on hold for a transfer.
func heldProblem() error {
	return newProblem(kindConflict, "The animal is on hold for a transfer or a listing; its record cannot change until the transfer ends or the listing is withdrawn.")
}

func etag(version int) string { return `"v` + strconv.Itoa(version) + `"` }

// createAnimal registers an animal in the caller's organization.
func (s *Server) createAnimal(w http.ResponseWriter, r *http.Request) error {
	var in animalInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Species == nil || *in.Species == "" {
		return invalid(FieldError{"species", "is required"})
	}
	ctx := r.Context()
	sp, err := s.species.species(ctx, *in.Species, "species")
	if err != nil {
		return err
	}
	var view animalView
	err = s.withKeeper(r, func(tx pgx.Tx, acc access) error {
		a, err := animals.Register(ctx, tx, sp, acc.OrgID, in.changes())
		if err != nil {
			return animalProblem(err)
		}
		view, err = s.viewAnimal(ctx, a)
		return err
	})
	if err != nil {
		return err
	}
	if view.SireID != "" || view.DamID != "" {
		s.syncPedigree(ctx)
	}
	w.Header().Set("ETag", etag(view.Version))
	w.Header().Set("Location", "/api/v1/animals/"+view.ID)
	return writeJSON(w, http.StatusCreated, view)
}

// changes is the body as the animals package applies it.
func (in animalInput) changes() animals.Changes {
	return animals.Changes{Species: in.Species, Sex: in.Sex, Name: in.Name, HatchDate: in.HatchDate,
		Identifiers: in.Identifiers, Status: in.Status, Visibility: in.Visibility, Genetics: in.Genetics,
		GeneticsProvenance: in.GeneticsProvenance, Reference: in.Reference,
		Sire: animals.Parent{Set: in.SireID.Set, PublicID: in.SireID.Value},
		Dam:  animals.Parent{Set: in.DamID.Set, PublicID: in.DamID.Value}}
}

// catalogue is the species catalogues as the animals package reads them: an unknown key is
// a 422 naming the species field.
func (s *Server) catalogue(ctx context.Context, key string) (*genetics.Species, error) {
	return s.species.species(ctx, key, "species")
}

// animalProblem answers a refusal of a command of the animals package; other errors pass as
// they are.
func animalProblem(err error) error {
	var field *animals.FieldError
	switch {
	case errors.As(err, &field):
		return invalid(FieldError{field.Field, field.Message})
	case errors.Is(err, animals.ErrNotFound):
		return notFound("animal")
	case errors.Is(err, store.ErrStale):
		return stale()
	case errors.Is(err, animals.ErrArchived):
		return newProblem(kindConflict, "The animal is archived; its record is kept for lineage and cannot change.")
	case errors.Is(err, store.ErrOnHold):
		return heldProblem()
	case errors.Is(err, animals.ErrNotReference):
		return newProblem(kindConflict, "Only a reference animal can be replaced.")
	case errors.Is(err, animals.ErrReplaced):
		return newProblem(kindConflict, "This reference animal was already replaced.")
	}
	return err
}

func oneOf(v string, allowed []string) bool { return slices.Contains(allowed, v) }

// getAnimal returns one of the caller's organization's animals with its ETag and its primary
// photo.
func (s *Server) getAnimal(w http.ResponseWriter, r *http.Request) error {
	var view animalView
	err := s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		a, err := animalInPath(r, tx)
		if err != nil {
			return err
		}
		if view, err = s.viewAnimal(r.Context(), a); err != nil {
			return err
		}
		photo, err := store.PrimaryMedia(r.Context(), tx, a.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		view.Photo, err = s.photoRefOf(r, photo.PublicID, photo.ThumbnailKey)
		return err
	})
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(view.Version))
	return writeJSON(w, http.StatusOK, view)
}

// ifMatch reads the versions an update may apply to from If-Match, which is required (428
// without it): "*" matches any version, otherwise one of the listed ETags must be current.
func ifMatch(r *http.Request) (func(version int) bool, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		return nil, newProblem(kindPreconditionRequired, "Send If-Match with the ETag of the animal you edited, so that no one else's change is overwritten.")
	}
	if h == "*" {
		return func(int) bool { return true }, nil
	}
	versions := map[int]bool{}
	for _, tag := range strings.Split(h, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if v, err := strconv.Atoi(strings.TrimPrefix(strings.Trim(tag, `"`), "v")); err == nil {
			versions[v] = true
		}
	}
	return func(v int) bool { return versions[v] }, nil
}

func stale() error {
	return newProblem(kindPrecondition, "The animal changed since you read it; fetch it again and reapply your change.")
}

// updateAnimal changes fields of an animal, if it is still the version the caller read.
func (s *Server) updateAnimal(w http.ResponseWriter, r *http.Request) error {
	matches, err := ifMatch(r)
	if err != nil {
		return err
	}
	var in updateAnimalRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	var view animalView
	relinked := false
	err = s.withKeeper(r, func(tx pgx.Tx, _ access) error {
		u, err := animals.Update(ctx, tx, s.catalogue, chi.URLParam(r, "animalID"), matches, animalInput(in).changes())
		if err != nil {
			return animalProblem(err)
		}
		relinked = u.Relinked
		view, err = s.viewAnimal(ctx, u.Animal)
		return err
	})
	if err != nil {
		return err
	}
	if relinked {
		s.syncPedigree(ctx)
	}
	w.Header().Set("ETag", etag(view.Version))
	return writeJSON(w, http.StatusOK, view)
}

// archiveAnimal retires an animal from the active collection. Its record, and every lineage
// link to and from it, stays.
func (s *Server) archiveAnimal(w http.ResponseWriter, r *http.Request) error {
	var view animalView
	err := s.withKeeper(r, func(tx pgx.Tx, _ access) error {
		a, err := animals.Archive(r.Context(), tx, chi.URLParam(r, "animalID"))
		if errors.Is(err, store.ErrStale) {
			return newProblem(kindConflict, "The animal changed while it was being archived; try again.")
		}
		if err != nil {
			return animalProblem(err)
		}
		view, err = s.viewAnimal(r.Context(), a)
		return err
	})
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(view.Version))
	return writeJSON(w, http.StatusOK, view)
}

type animalList struct {
	// Up to limit animals, ordered by id.
	Items []animalView `json:"items"`
	// Present only when more animals follow: pass it as cursor for the next page.
	NextCursor string `json:"next_cursor,omitempty"`
}

// listAnimals lists the caller's organization's animals, filtered and a page at a time.
func (s *Server) listAnimals(w http.ResponseWriter, r *http.Request) error {
	f, err := s.animalFilter(r)
	if err != nil {
		return err
	}
	out := animalList{Items: []animalView{}}
	err = s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		page, err := animals.List(r.Context(), tx, f)
		if err != nil {
			return err
		}
		if page.Next != "" {
			out.NextCursor = cursorOf(page.Next)
		}
		for _, a := range page.Animals {
			v, err := s.viewAnimal(r.Context(), a)
			if err != nil {
				return err
			}
			out.Items = append(out.Items, v)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// animalFilter reads a list's filters and page from the query; a filter no animal could
// match is a 400 naming the parameter.
func (s *Server) animalFilter(r *http.Request) (animals.Filter, error) {
	after, limit, err := pageParams(r)
	if err != nil {
		return animals.Filter{}, err
	}
	q := r.URL.Query()
	f := animals.Filter{Species: q.Get("species"), Sex: q.Get("sex"), Status: q.Get("status"),
		Gene: strings.ToLower(strings.TrimSpace(q.Get("gene"))), After: after, Limit: limit}
	switch q.Get("archived") {
	case "", "false":
	case "true":
		f.Archived = true
	default:
		return animals.Filter{}, badParam("archived", "must be true or false")
	}
	var field *animals.FieldError
	if err := f.Check(r.Context(), s.catalogue); errors.As(err, &field) {
		return animals.Filter{}, badParam(field.Field, field.Message)
	} else if err != nil {
		return animals.Filter{}, asParam(err)
	}
	return f, nil
}
