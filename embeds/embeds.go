// Package embeds holds the widgets breeders put on their own websites: an iframe of one of
// their public animals with its pedigree chart, or of their profile's public animals, which
// only the origins the breeder names may frame. It checks what a new embed asks for and
// writes the HTML snippet a breeder pastes into their site.
package embeds

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strconv"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/store"
)

// The kinds of embed.
const (
	KindAnimal  = "animal"
	KindProfile = "profile"
)

// MaxPerOrganization bounds an organization's embeds, so that its list needs no paging: a
// breeder's site needs a widget per animal it features, and these are far more.
const MaxPerOrganization = 100

// FieldError is a field of a new embed at fault, and what is wrong with it.
type FieldError struct{ Field, Message string }

// FieldErrors are every field of a new embed at fault.
type FieldErrors []FieldError

func (f FieldErrors) Error() string { return fmt.Sprintf("%d invalid fields", len(f)) }

// ErrNoAnimal is an animal_id that names none of the organization's animals.
var ErrNoAnimal = errors.New("the animal is not one of the organization's")

// ErrTooMany is an organization that has MaxPerOrganization embeds already.
var ErrTooMany = errors.New("the organization has as many embeds as it may")

// NewEmbed is what a breeder asks for: Kind "profile", or an animal's widget (Kind "animal",
// or empty with AnimalPublicID), framed by the origins.
type NewEmbed struct {
	Kind           string
	AnimalPublicID string
	AllowedOrigins []string
}

// check names each field at fault and answers the kind meant and the origins normalised.
func (n NewEmbed) check() (kind string, origins []string, err error) {
	var errs FieldErrors
	kind = n.Kind
	switch {
	case kind == "" && n.AnimalPublicID != "":
		kind = KindAnimal
	case kind == "":
		errs = append(errs, FieldError{"animal_id", "is required, unless kind is profile"})
	case kind == KindAnimal && n.AnimalPublicID == "":
		errs = append(errs, FieldError{"animal_id", "is required for an animal's widget"})
	case kind == KindProfile && n.AnimalPublicID != "":
		errs = append(errs, FieldError{"animal_id", "must be left out of a profile's widget"})
	case kind != KindAnimal && kind != KindProfile:
		errs = append(errs, FieldError{"kind", "must be animal or profile"})
	}
	origins, err = Origins(n.AllowedOrigins)
	var bad FieldErrors
	if errors.As(err, &bad) {
		errs = append(errs, bad...)
	}
	if len(errs) > 0 {
		return "", nil, errs
	}
	return kind, origins, nil
}

// Create records an embed of the caller's organization, made by the caller: of one of its
// public animals that is not archived, or of its profile; at most MaxPerOrganization. An
// animal not the organization's is ErrNoAnimal.
func Create(ctx context.Context, tx pgx.Tx, a store.Access, n NewEmbed) (store.Embed, error) {
	kind, origins, err := n.check()
	if err != nil {
		return store.Embed{}, err
	}
	e := store.Embed{ID: uuid.New(), PublicID: store.NewPublicID(), OrgID: a.OrgID, Kind: kind, AllowedOrigins: origins,
		CreatedBy: a.UserID}
	if kind == KindAnimal {
		animal, err := store.AnimalByPublicID(ctx, tx, n.AnimalPublicID)
		switch {
		case errors.Is(err, store.ErrNotFound) || err == nil && animal.OrgID != a.OrgID:
			return store.Embed{}, ErrNoAnimal
		case err != nil:
			return store.Embed{}, err
		case animal.Visibility != "public":
			return store.Embed{}, FieldErrors{{"animal_id", "must be a public animal: make it public first (visibility public)"}}
		case animal.ArchivedAt != nil:
			return store.Embed{}, FieldErrors{{"animal_id", "is archived; a widget shows only animals in the collection"}}
		}
		e.AnimalID = &animal.ID
	}
	// One count at a time per organization, so that concurrent creates cannot pass the bound.
	if err := store.LockOrganization(ctx, tx, "embed.create"); err != nil {
		return store.Embed{}, err
	}
	count, err := store.CountEmbeds(ctx, tx)
	if err != nil {
		return store.Embed{}, err
	}
	if count >= MaxPerOrganization {
		return store.Embed{}, ErrTooMany
	}
	if err := store.InsertEmbed(ctx, tx, e); err != nil {
		return store.Embed{}, err
	}
	return store.EmbedByPublicID(ctx, tx, e.PublicID)
}

// Snippet is the HTML a breeder pastes into their site: the widget's iframe, lazily loaded
// and as wide as its place, and the script that sets its height to the widget's
// (embed.js). widgetURL and scriptURL are absolute; title names the frame for screen
// readers. Every value is escaped.
func Snippet(widgetURL, scriptURL, title string, height int) string {
	return `<iframe src="` + html.EscapeString(widgetURL) + `" title="` + html.EscapeString(title) +
		`" loading="lazy" style="width:100%;border:0" height="` + strconv.Itoa(height) + `"></iframe>` + "\n" +
		`<script async src="` + html.EscapeString(scriptURL) + `"></script>`
}
