package api_test

import (
	"bytes"
	"encoding/base64"
	"image"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type photoReply struct {
	ID        string     `json:"id"`
	Width     int        `json:"width"`
	Height    int        `json:"height"`
	Primary   bool       `json:"primary"`
	Original  *linkReply `json:"original"`
	Thumbnail *linkReply `json:"thumbnail"`
}

type listingPhotosReply struct {
	ID     string       `json:"id"`
	Photos []photoReply `json:"photos"`
}

// photoIDs are the photos' IDs in order.
func photoIDs(ps []photoReply) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

// requireImage downloads a presigned link and checks it is an image w×h pixels.
func requireImage(t *testing.T, l *linkReply, w, h int) []byte {
	t.Helper()
	require.NotNil(t, l)
	require.Equal(t, "GET", l.Method)
	status, body := getObject(t, l.URL)
	require.Equal(t, http.StatusOK, status)
	cfg, _, err := image.DecodeConfig(bytes.NewReader(body))
	require.NoError(t, err)
	require.Equal(t, [2]int{w, h}, [2]int{cfg.Width, cfg.Height})
	return body
}

// makePrimary makes a photo its animal's primary one.
func (b *bundle) makePrimary(t *testing.T, token, mediaID string) {
	t.Helper()
	r := b.do(t, http.MethodPatch, "/api/v1/media/"+mediaID, token, map[string]any{"primary": true})
	require.Equal(t, http.StatusOK, r.Status, "arrange: %s", r.Raw)
}

// A listing shows its animal's photos, primary first then in order, with working links, to
// anyone while it is active (the animal itself is private); a browse page shows each
// listing's cover only; the photos stay the seller's.
func TestListings_ShowTheAnimalsPhotosPrimaryFirst(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.newOrg(t, "photo-lister")
	b.readySeller(t, o)
	tok := o.Owner.Tokens.AccessToken
	a := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "female", "name": "Pictured", "visibility": "private"})
	first := b.uploadPhoto(t, tok, a.ID, "image/png", pngOf(t, gradient(40, 30)))
	second := b.uploadPhoto(t, tok, a.ID, "image/jpeg", jpegWithGPS(t, 30, 40))
	third := b.uploadPhoto(t, tok, a.ID, "image/png", pngOf(t, gradient(20, 20)))
	b.makePrimary(t, tok, third.ID)
	// An unconfirmed upload shows nowhere.
	b.startUpload(t, tok, a.ID, "image/png", 100)

	r := b.do(t, http.MethodPost, listingsPath, tok, listingBody(a.ID, 30000))
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	listingID := r.Body["id"].(string)
	require.NotContains(t, r.Body, "photos", "an answer to a change carries no links")
	bare := b.list(t, tok, "pastel", 20000) // a listing whose animal has no photo

	r = b.do(t, http.MethodGet, listingsPath+"/"+listingID, "", nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	got := decodeAs[listingPhotosReply](t, r)
	require.Equal(t, []string{third.ID, first.ID, second.ID}, photoIDs(got.Photos))
	require.True(t, got.Photos[0].Primary)
	require.Equal(t, [2]int{40, 30}, [2]int{got.Photos[1].Width, got.Photos[1].Height})
	requireImage(t, got.Photos[1].Original, 40, 30)
	requireImage(t, got.Photos[2].Original, 30, 40)
	requireImage(t, got.Photos[2].Thumbnail, 30, 40)
	// The animal itself stays private.
	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/media/"+first.ID, "", nil), http.StatusNotFound, "not-found")

	r = b.do(t, http.MethodGet, listingsPath+"?breeder="+o.ID, "", nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	page := decodeAs[struct {
		Items []listingPhotosReply `json:"items"`
	}](t, r).Items
	require.Len(t, page, 2)
	require.Equal(t, bare, page[0].ID)
	require.Empty(t, page[0].Photos)
	require.NotContains(t, strings.Split(string(r.Raw), `"id":"`+listingID)[0], "photos", "no photos on the bare listing")
	require.Equal(t, listingID, page[1].ID)
	require.Equal(t, []string{third.ID}, photoIDs(page[1].Photos), "a page carries the cover only")
	requireImage(t, page[1].Photos[0].Thumbnail, 20, 20)

	// Withdrawn, the listing and its photos are the seller's alone.
	r = b.do(t, http.MethodPost, listingsPath+"/"+listingID+"/withdraw", tok, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	requireProblem(t, b.do(t, http.MethodGet, listingsPath+"/"+listingID, "", nil), http.StatusNotFound, "not-found")
	r = b.do(t, http.MethodGet, listingsPath+"/"+listingID, tok, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, []string{third.ID, first.ID, second.ID}, photoIDs(decodeAs[listingPhotosReply](t, r).Photos))

	// Once the animal has changed hands its photos are the new owner's: the old listing no
	// longer shows them.
	buyer := b.newUser(t, "photo-buyer")
	_, err := b.Admin.Exec(t.Context(), `UPDATE animals SET org_id = $2 WHERE public_id = $1`, a.ID, b.orgUUID(t, buyer.Tokens.OrganizationID))
	require.NoError(t, err)
	r = b.do(t, http.MethodGet, listingsPath+"/"+listingID, tok, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Empty(t, decodeAs[listingPhotosReply](t, r).Photos)
}

type photoRefReply struct {
	ID        string     `json:"id"`
	Thumbnail *linkReply `json:"thumbnail"`
}

type photoCard struct {
	Visible bool           `json:"visible"`
	ID      string         `json:"id"`
	Photo   *photoRefReply `json:"photo"`
}

type photoNode struct {
	Animal photoCard  `json:"animal"`
	Sire   *photoNode `json:"sire"`
	Dam    *photoNode `json:"dam"`
}

// A pedigree shows the primary photo of each animal the caller may see, from the graph and
// from the database alike, and never the photo of one they may not; the drawn chart shows
// the animal's own photo.
func TestLineage_ShowsThePrimaryPhotosOfVisibleAnimals(t *testing.T) {
	t.Parallel()
	b := setup(t)
	alice, bob := b.newUser(t, "photo-alice"), b.newUser(t, "photo-bob")
	ta, tb := alice.Tokens.AccessToken, bob.Tokens.AccessToken
	sire := b.createAnimal(t, ta, map[string]any{"species": "ball-python", "sex": "male", "name": "Apollo", "visibility": "public"})
	dam := b.createAnimal(t, ta, map[string]any{"species": "ball-python", "sex": "female", "name": "Selene", "visibility": "public"})
	child := b.createAnimal(t, tb, map[string]any{"species": "ball-python", "sex": "male", "name": "Orion",
		"sire_id": sire.ID, "dam_id": dam.ID})
	sirePhoto := b.uploadPhoto(t, ta, sire.ID, "image/png", pngOf(t, gradient(60, 40)))
	b.makePrimary(t, ta, sirePhoto.ID)
	damPhoto := b.uploadPhoto(t, ta, dam.ID, "image/png", pngOf(t, gradient(40, 40)))
	b.makePrimary(t, ta, damPhoto.ID)
	b.uploadPhoto(t, tb, child.ID, "image/png", pngOf(t, gradient(10, 10))) // not primary: shows nowhere
	childPhoto := b.uploadPhoto(t, tb, child.ID, "image/jpeg", jpegWithGPS(t, 640, 480))
	b.makePrimary(t, tb, childPhoto.ID)
	// The dam goes private: her place stays, her photo goes.
	r := b.patchAnimal(t, ta, dam.ID, `"v1"`, map[string]any{"visibility": "private"})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)

	db := b.withoutPedigree(t)
	var thumb []byte
	for name, server := range map[string]*bundle{"graph": b, "database": db} {
		r := server.do(t, http.MethodGet, "/api/v1/lineage/"+child.ID, tb, nil)
		require.Equal(t, http.StatusOK, r.Status, "%s: %s", name, r.Raw)
		p := decodeAs[struct {
			Pedigree photoNode `json:"pedigree"`
		}](t, r).Pedigree
		require.NotNil(t, p.Animal.Photo, name)
		require.Equal(t, childPhoto.ID, p.Animal.Photo.ID, name)
		thumb = requireImage(t, p.Animal.Photo.Thumbnail, 320, 240)
		require.NotNil(t, p.Sire.Animal.Photo, name)
		require.Equal(t, sirePhoto.ID, p.Sire.Animal.Photo.ID, name)
		requireImage(t, p.Sire.Animal.Photo.Thumbnail, 60, 40)
		require.False(t, p.Dam.Animal.Visible, name)
		require.Nil(t, p.Dam.Animal.Photo, name)
		require.NotContains(t, string(r.Raw), damPhoto.ID, name)
	}
	// Alice sees her own private dam's photo.
	r = b.do(t, http.MethodGet, "/api/v1/lineage/"+dam.ID, ta, nil)
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Contains(t, string(r.Raw), damPhoto.ID)

	// The drawn chart shows the animal's thumbnail: embedded in the SVG, an image in the PDF.
	r = b.do(t, http.MethodGet, "/api/v1/render/pedigree/"+child.ID+"?format=svg", tb, nil)
	require.Contains(t, renderText(t, r), "Pedigree of Orion")
	_, rest, ok := strings.Cut(string(r.Raw), `href="data:image/jpeg;base64,`)
	require.True(t, ok, "the SVG embeds the photo")
	encoded, _, _ := strings.Cut(rest, `"`)
	embedded, err := base64.StdEncoding.DecodeString(encoded)
	require.NoError(t, err)
	require.Equal(t, thumb, embedded)
	require.Contains(t, r.Header.Get("Content-Security-Policy"), "img-src data:")
	r = b.do(t, http.MethodGet, "/api/v1/render/pedigree/"+child.ID, tb, nil)
	require.Contains(t, renderText(t, r), "Pedigree of Orion")
	require.True(t, bytes.Contains(r.Raw, []byte("/Subtype /Image")), "the PDF draws the photo")
	r = b.do(t, http.MethodGet, "/api/v1/render/pedigree/"+sire.ID, tb, nil)
	require.Contains(t, renderText(t, r), "Pedigree of Apollo")
	require.True(t, bytes.Contains(r.Raw, []byte("/Subtype /Image")), "another breeder's public animal's photo")
	r = b.do(t, http.MethodGet, "/api/v1/render/pedigree/"+child.ID+"?format=svg", ta, nil)
	requireProblem(t, r, http.StatusNotFound, "not-found")
}

// An animal's own answer carries its primary photo, once it has one.
func TestAnimals_GetShowsThePrimaryPhoto(t *testing.T) {
	t.Parallel()
	b := setup(t)
	owner := b.newUser(t, "photo-animal")
	tok := owner.Tokens.AccessToken
	a := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "female"})
	get := func() reply {
		r := b.do(t, http.MethodGet, "/api/v1/animals/"+a.ID, tok, nil)
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
		return r
	}
	require.NotContains(t, get().Body, "photo")
	photo := b.uploadPhoto(t, tok, a.ID, "image/png", pngOf(t, gradient(50, 25)))
	require.NotContains(t, get().Body, "photo", "a photo that is not primary")
	b.makePrimary(t, tok, photo.ID)
	got := decodeAs[struct {
		Photo *photoRefReply `json:"photo"`
	}](t, get())
	require.NotNil(t, got.Photo)
	require.Equal(t, photo.ID, got.Photo.ID)
	requireImage(t, got.Photo.Thumbnail, 50, 25)
}
