package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/media"
	"github.com/reptidex/reptidex/store"
)

type uploadRequest struct {
	// Public ID of one of the organization's animals.
	AnimalID string `json:"animal_id" text:"max=32" jsonschema:"required"`
	// image/jpeg, image/png or image/webp: the Content-Type the upload must be sent with.
	ContentType string `json:"content_type" text:"max=100" jsonschema:"required"`
	// The upload's exact length in bytes, 1 to 10485760 (10 MiB): the Content-Length it must be sent with.
	Size int64 `json:"size" jsonschema:"required,minimum=1,maximum=10485760"`
}

type linkView struct {
	// The presigned URL.
	URL string `json:"url" jsonschema:"format=uri"`
	// The method to use with it.
	Method string `json:"method" jsonschema:"enum=GET,enum=PUT"`
	// Headers to send as given: they are part of the signature.
	Headers map[string]string `json:"headers,omitempty"`
	// When the URL stops working.
	ExpiresAt time.Time `json:"expires_at"`
}

func viewLink(l media.Link) linkView {
	return linkView{URL: l.URL, Method: l.Method, Headers: l.Headers, ExpiresAt: l.ExpiresAt}
}

type mediaView struct {
	// Public ID of the photo.
	ID string `json:"id"`
	// Public ID of the animal it shows.
	AnimalID string `json:"animal_id"`
	// pending until the upload is confirmed, then ready.
	Status string `json:"status" jsonschema:"enum=pending,enum=ready"`
	// The declared type while pending; the stored type (image/jpeg or image/png) once ready.
	ContentType string `json:"content_type"`
	// The declared size while pending; bytes stored (photo and thumbnail) once ready.
	Bytes int64 `json:"bytes"`
	// Pixels, once ready.
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
	// Order among the animal's photos, lowest first.
	Position int `json:"position"`
	// The animal's primary photo (at most one).
	Primary   bool      `json:"primary"`
	CreatedAt time.Time `json:"created_at"`
	// Presigned downloads, answered by GET /api/v1/media/{mediaID} for a ready photo.
	Original  *linkView `json:"original,omitempty"`
	Thumbnail *linkView `json:"thumbnail,omitempty"`
}

func viewMedia(m store.Media) mediaView {
	return mediaView{ID: m.PublicID, AnimalID: m.AnimalPublicID, Status: m.Status, ContentType: m.ContentType,
		Bytes: m.Bytes, Width: m.Width, Height: m.Height, Position: m.Position, Primary: m.Primary, CreatedAt: m.CreatedAt}
}

// photoRef is a photo as an animal or a pedigree shows it: which one, and its thumbnail.
type photoRef struct {
	// Public ID of the photo; GET /api/v1/media/{mediaID} answers it with a link to the full image.
	ID string `json:"id"`
	// A presigned GET of its thumbnail (JPEG, at most 320 pixels a side), valid for 5 minutes.
	Thumbnail linkView `json:"thumbnail"`
}

// photoRefOf presigns the thumbnail of a photo; nil when publicID names none.
func (s *Server) photoRefOf(r *http.Request, publicID, thumbnailKey string) (*photoRef, error) {
	if publicID == "" || thumbnailKey == "" {
		return nil, nil
	}
	l, err := s.media.PresignObject(r.Context(), thumbnailKey)
	if err != nil {
		return nil, err
	}
	return &photoRef{ID: publicID, Thumbnail: viewLink(l)}, nil
}

// photoView is a ready photo with presigned downloads, as a listing shows it.
type photoView struct {
	// Public ID of the photo.
	ID string `json:"id"`
	// Pixels wide.
	Width int `json:"width"`
	// Pixels high.
	Height int `json:"height"`
	// The animal's primary photo.
	Primary bool `json:"primary"`
	// A presigned GET of the photo, valid for 5 minutes.
	Original linkView `json:"original"`
	// A presigned GET of its thumbnail (JPEG, at most 320 pixels a side), valid for 5 minutes.
	Thumbnail linkView `json:"thumbnail"`
}

// viewPhotos presigns the downloads of ready photos, in their order.
func (s *Server) viewPhotos(r *http.Request, ms []store.Media) ([]photoView, error) {
	out := make([]photoView, 0, len(ms))
	for _, m := range ms {
		d, err := s.media.Download(r.Context(), m)
		if err != nil {
			return nil, err
		}
		out = append(out, photoView{ID: m.PublicID, Width: m.Width, Height: m.Height, Primary: m.Primary,
			Original: viewLink(d.Original), Thumbnail: viewLink(d.Thumbnail)})
	}
	return out, nil
}

type uploadView struct {
	Media mediaView `json:"media"`
	// The presigned PUT that uploads the photo's bytes.
	Upload linkView `json:"upload"`
}

type mediaPage struct {
	// The animal's ready photos in order; [] when none.
	Items []mediaView `json:"items"`
}

type mediaUsageView struct {
	// Bytes the organization keeps in storage: its ready photos and their thumbnails.
	Bytes int64 `json:"bytes"`
}

type arrangeMediaRequest struct {
	// New order among the animal's photos, 0 to 10000.
	Position *int `json:"position,omitempty" jsonschema:"minimum=0,maximum=10000"`
	// true makes the photo the animal's primary one (the previous primary stops being so).
	Primary *bool `json:"primary,omitempty"`
}

// startUpload records a pending photo of one of the organization's animals and answers a
// presigned PUT for its bytes (media.StartUpload); keepers, owners and admins.
func (s *Server) startUpload(w http.ResponseWriter, r *http.Request) error {
	var in uploadRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	op := idempotentOp{Name: "media.upload", Request: in}
	return s.idempotent(w, r, op, func(r *http.Request, k *keyed) (response, error) {
		var resp response
		err := s.withKeeper(r, func(tx pgx.Tx, a access) error {
			m, link, err := s.media.StartUpload(r.Context(), tx, a, media.NewUpload{AnimalPublicID: in.AnimalID,
				ContentType: in.ContentType, Bytes: in.Size})
			if err != nil {
				return mediaProblem(err)
			}
			resp = response{Status: http.StatusCreated, Body: uploadView{viewMedia(m), viewLink(link)}, Location: "/api/v1/media/" + m.PublicID}
			return k.save(r.Context(), tx, resp)
		})
		return resp, err
	})
}

// confirmUpload checks an uploaded photo and stores it clean with a thumbnail
// (media.Confirm), in two short transactions with the storage work between them.
func (s *Server) confirmUpload(w http.ResponseWriter, r *http.Request) error {
	inTx := func(fn func(pgx.Tx) error) error {
		return s.withKeeper(r, func(tx pgx.Tx, _ access) error { return fn(tx) })
	}
	m, err := s.media.Confirm(r.Context(), inTx, chi.URLParam(r, "mediaID"))
	if err != nil && m.Status == "ready" {
		s.log.WarnContext(r.Context(), "confirmed photo kept its raw upload; it goes with the photo", "media_id", m.PublicID, "error", err)
	} else if err != nil {
		return mediaProblem(err)
	}
	return writeJSON(w, http.StatusOK, viewMedia(m))
}

// getMedia answers a photo with presigned downloads: the organization's own to its members,
// a public animal's ready photos to anyone.
func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) error {
	var m store.Media
	err := s.readMaybeSignedIn(r, func(q store.Querier) (err error) {
		m, err = inPath[store.Media, store.Querier](r, q, "mediaID", "media", store.MediaByPublicID)
		return err
	})
	if err != nil {
		return err
	}
	v := viewMedia(m)
	if m.Status == "ready" {
		d, err := s.media.Download(r.Context(), m)
		if err != nil {
			return err
		}
		o, t := viewLink(d.Original), viewLink(d.Thumbnail)
		v.Original, v.Thumbnail = &o, &t
	}
	return writeJSON(w, http.StatusOK, v)
}

// animalMedia lists an animal's ready photos in order: the organization's own animals to its
// members, public animals' to anyone.
func (s *Server) animalMedia(w http.ResponseWriter, r *http.Request) error {
	var ms []store.Media
	err := s.readMaybeSignedIn(r, func(q store.Querier) error {
		a, err := store.VisibleAnimalGenetics(r.Context(), q, chi.URLParam(r, "animalID"))
		if errors.Is(err, store.ErrNotFound) {
			return notFound("animal")
		}
		if err != nil {
			return err
		}
		ms, err = store.AnimalMedia(r.Context(), q, a.ID)
		return err
	})
	if err != nil {
		return err
	}
	out := mediaPage{Items: make([]mediaView, 0, len(ms))}
	for _, m := range ms {
		out.Items = append(out.Items, viewMedia(m))
	}
	return writeJSON(w, http.StatusOK, out)
}

// mediaUsage answers the bytes the caller's organization keeps in storage.
func (s *Server) mediaUsage(w http.ResponseWriter, r *http.Request) error {
	var n int64
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) (err error) {
		n, err = store.MediaStorage(r.Context(), tx, a.OrgID)
		return err
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, mediaUsageView{Bytes: n})
}

// readMaybeSignedIn runs read in the caller's organization when a token was sent, and with
// no organization (public rows only) otherwise.
func (s *Server) readMaybeSignedIn(r *http.Request, read func(store.Querier) error) error {
	if claimsFrom(r.Context()).UserID == "" {
		return read(s.db.Pool)
	}
	return s.withAccess(r, "", func(tx pgx.Tx, _ access) error { return read(tx) })
}

// arrangeMedia moves a photo among its animal's and makes it primary (media.Arrange).
func (s *Server) arrangeMedia(w http.ResponseWriter, r *http.Request) error {
	var in arrangeMediaRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var m store.Media
	err := s.withKeeper(r, func(tx pgx.Tx, _ access) (err error) {
		m, err = media.Arrange(r.Context(), tx, chi.URLParam(r, "mediaID"), media.Arrangement{Position: in.Position, Primary: in.Primary})
		return mediaProblem(err)
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, viewMedia(m))
}

// deleteMedia deletes a photo or pending upload and removes its objects from storage
// (media.Delete, then Purge; the sweep retries a purge that failed).
func (s *Server) deleteMedia(w http.ResponseWriter, r *http.Request) error {
	var m store.Media
	err := s.withKeeper(r, func(tx pgx.Tx, _ access) (err error) {
		m, err = media.Delete(r.Context(), tx, chi.URLParam(r, "mediaID"))
		return mediaProblem(err)
	})
	if err != nil {
		return err
	}
	if err := s.media.Purge(r.Context(), s.db, m); err != nil {
		s.log.WarnContext(r.Context(), "purge deleted media; the sweep retries", "media_id", m.PublicID, "error", err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// mediaProblem answers what the media commands refused; other errors pass as they are.
func mediaProblem(err error) error {
	var fields media.FieldErrors
	switch {
	case errors.As(err, &fields):
		return invalidFields(fields)
	case errors.Is(err, store.ErrNotFound):
		return notFound("media")
	case errors.Is(err, media.ErrAnimalNotFound):
		return notFound("animal")
	case errors.Is(err, media.ErrNotUploaded):
		return newProblem(kindConflict, "Nothing was uploaded for this media yet: PUT the photo to its upload URL first.")
	case errors.Is(err, media.ErrNotReady):
		return newProblem(kindConflict, "The upload is not confirmed yet.")
	case errors.Is(err, media.ErrNotImage):
		return newProblem(kindValidation, "The upload is not a JPEG, PNG or WebP image of the declared content type; upload again.")
	case errors.Is(err, media.ErrTooLarge):
		return newProblem(kindTooLarge, "The image is over 10 MiB, 8000 pixels a side or 40 megapixels; upload a smaller one.")
	}
	return err
}
