// Package media keeps photos of animals in object storage: presigned uploads straight from
// the client, their confirmation (checked as images, stored again without metadata, with a
// thumbnail), short-lived download links, their order on the animal, and their removal.
package media

import (
	"context"
	"errors"
	"fmt"
	"path"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/store"
)

// How long links last, and how long an upload may stay unconfirmed.
const (
	// UploadExpiry is how long a presigned upload may be used.
	UploadExpiry = 15 * time.Minute
	// DownloadExpiry is how long a presigned download link may be used.
	DownloadExpiry = 5 * time.Minute
	// UnconfirmedAfter is how long after it was handed out an upload never confirmed is
	// swept, objects and row.
	UnconfirmedAfter = time.Hour
)

// Errors the media commands refuse with.
var (
	// ErrAnimalNotFound means the animal is not one of the organization's.
	ErrAnimalNotFound = errors.New("animal not found")
	// ErrNotUploaded means nothing was uploaded for the media yet.
	ErrNotUploaded = errors.New("nothing uploaded")
	// ErrNotReady means the media is not a confirmed photo.
	ErrNotReady = errors.New("media not ready")
)

// FieldError is one invalid field of a request.
type FieldError struct{ Field, Message string }

// FieldErrors are the invalid fields of a request.
type FieldErrors []FieldError

func (f FieldErrors) Error() string { return fmt.Sprintf("%d invalid fields", len(f)) }

// maxConfirming bounds the confirmations a process runs at once: each may decode an image
// of up to MaxPixels, a few hundred megabytes of memory at most.
const maxConfirming = 4

// Storage holds the bucket the photos live in.
type Storage struct {
	S3         *s3.Client
	presign    *s3.PresignClient
	Bucket     string
	confirming chan struct{} // a slot per confirmation under way
	signer     *getSigner    // nil: the SDK presigns downloads
}

// NewStorage keeps media in bucket through c.
func NewStorage(c *s3.Client, bucket string) *Storage {
	presign := s3.NewPresignClient(c)
	return &Storage{S3: c, presign: presign, Bucket: bucket, confirming: make(chan struct{}, maxConfirming),
		signer: newGetSigner(c, presign, bucket)}
}

// Link is a presigned request: the URL, the method, the headers the client must send as
// given (they are signed), and when it stops working.
type Link struct {
	URL       string
	Method    string
	Headers   map[string]string
	ExpiresAt time.Time
}

// NewUpload is what a client declares of the photo it will upload.
type NewUpload struct {
	AnimalPublicID string
	ContentType    string
	Bytes          int64
}

// StartUpload records a pending photo of one of the organization's animals and presigns the
// PUT that uploads it: the content type and length are signed into it, so the object stored
// is of the declared type and size.
func (s *Storage) StartUpload(ctx context.Context, tx pgx.Tx, a store.Access, in NewUpload) (store.Media, Link, error) {
	var fields FieldErrors
	if _, ok := ContentTypes[in.ContentType]; !ok {
		fields = append(fields, FieldError{"content_type", "must be image/jpeg, image/png or image/webp"})
	}
	if in.Bytes < 1 || in.Bytes > MaxBytes {
		fields = append(fields, FieldError{"size", "must be 1 to 10485760 bytes"})
	}
	if len(fields) > 0 {
		return store.Media{}, Link{}, fields
	}
	animal, err := store.AnimalByPublicID(ctx, tx, in.AnimalPublicID)
	if errors.Is(err, store.ErrNotFound) || err == nil && animal.OrgID != a.OrgID {
		return store.Media{}, Link{}, ErrAnimalNotFound
	}
	if err != nil {
		return store.Media{}, Link{}, err
	}
	m := store.Media{ID: uuid.New(), PublicID: store.NewPublicID(), OrgID: a.OrgID, AnimalID: animal.ID,
		AnimalPublicID: animal.PublicID, Status: "pending", ContentType: in.ContentType, Bytes: in.Bytes, CreatedBy: a.UserID}
	m.UploadKey = objectKey(a.OrgPublicID, m.PublicID, "upload")
	if err := store.InsertMedia(ctx, tx, m); err != nil {
		return store.Media{}, Link{}, err
	}
	link, err := s.PresignUpload(ctx, m.UploadKey, in.ContentType, in.Bytes)
	if err != nil {
		return store.Media{}, Link{}, err
	}
	return m, link, nil
}

// PresignUpload presigns the PUT that uploads a file of contentType and size bytes under key,
// both signed into it, working for UploadExpiry: the object stored is of the declared type
// and size.
func (s *Storage) PresignUpload(ctx context.Context, key, contentType string, size int64) (Link, error) {
	req, err := s.presign.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(key),
		ContentType: aws.String(contentType), ContentLength: aws.Int64(size)}, s3.WithPresignExpires(UploadExpiry))
	if err != nil {
		return Link{}, fmt.Errorf("presign upload: %w", err)
	}
	return linkOf(req.URL, req.Method, UploadExpiry, map[string]string{"Content-Type": contentType}), nil
}

// objectKey names an object of a photo in the bucket.
func objectKey(orgPublicID, mediaPublicID, name string) string {
	return "media/" + orgPublicID + "/" + mediaPublicID + "/" + name
}

func linkOf(url, method string, ttl time.Duration, headers map[string]string) Link {
	return Link{URL: url, Method: method, Headers: headers, ExpiresAt: time.Now().Add(ttl).UTC().Truncate(time.Second)}
}

// InTx runs fn in one transaction acting for the caller, in their organization.
type InTx func(fn func(pgx.Tx) error) error

// Confirm makes one of the organization's uploads a photo: it reads the uploaded object,
// checks it is an image of the declared type within the limits, stores it encoded again
// (no EXIF, GPS or other metadata survives) with a JPEG thumbnail, marks the media ready,
// and only then deletes the raw upload. No transaction is open while it works with storage:
// one short transaction (through inTx) reads the upload, another marks it ready if it is
// still pending. Each confirmation stores under names of its own, so when the media is no
// longer pending by then (another confirmation got there first, or it was deleted), it
// removes what it stored, touching nothing the photo points at, and answers the photo as it
// now is, or store.ErrNotFound. Whatever a failure leaves in the media's folder goes with the
// media (Purge).
//
// A photo confirmed already is answered as it is. At most maxConfirming run at once in a
// process; the rest wait within their deadline. A refused upload's object is removed (its
// row stays pending until the sweep) and it answers ErrNotImage or ErrTooLarge. When only
// the raw upload's removal fails, it answers the ready photo together with that error.
func (s *Storage) Confirm(ctx context.Context, inTx InTx, publicID string) (store.Media, error) {
	m, err := ownMedia(ctx, inTx, publicID)
	if err != nil || m.Status == "ready" {
		return m, err
	}
	select {
	case s.confirming <- struct{}{}:
		defer func() { <-s.confirming }()
	case <-ctx.Done():
		return store.Media{}, fmt.Errorf("wait to confirm: %w", ctx.Err())
	}
	// Clean-up runs to its end even when the caller gives up: it is what keeps storage tidy.
	tidy := context.WithoutCancel(ctx)
	raw, err := s.readUpload(ctx, m.UploadKey)
	if errors.Is(err, ErrNotUploaded) {
		// A confirmation that got there first removes the raw upload once the photo is ready.
		if now, err := ownMedia(ctx, inTx, publicID); err != nil || now.Status == "ready" {
			return now, err
		}
	}
	if err != nil {
		return store.Media{}, err
	}
	c, err := clean(raw, m.ContentType)
	if errors.Is(err, ErrNotImage) || errors.Is(err, ErrTooLarge) {
		return store.Media{}, errors.Join(err, s.deleteObjects(tidy, m.UploadKey))
	}
	if err != nil {
		return store.Media{}, err
	}
	ext := ".jpg"
	if c.ContentType == "image/png" {
		ext = ".png"
	}
	folder, attempt := path.Dir(m.UploadKey), store.NewPublicID()
	m.OriginalKey = folder + "/original-" + attempt + ext
	m.ThumbnailKey = folder + "/thumbnail-" + attempt + ".jpg"
	if err := s.put(ctx, m.OriginalKey, c.ContentType, c.Original); err != nil {
		return store.Media{}, err
	}
	if err := s.put(ctx, m.ThumbnailKey, "image/jpeg", c.Thumbnail); err != nil {
		return store.Media{}, errors.Join(err, s.deleteObjects(tidy, m.OriginalKey))
	}
	m.ContentType, m.Width, m.Height = c.ContentType, c.Width, c.Height
	m.Bytes = int64(len(c.Original) + len(c.Thumbnail))
	var ready store.Media
	err = inTx(func(tx pgx.Tx) error {
		if err := store.ReadyMedia(ctx, tx, m); err != nil {
			return err
		}
		ready, err = store.MediaByID(ctx, tx, m.ID)
		return err
	})
	if errors.Is(err, store.ErrStale) {
		// Confirmed by another or deleted meanwhile: nothing points at what this one stored.
		if err := s.deleteObjects(tidy, m.OriginalKey, m.ThumbnailKey); err != nil {
			return store.Media{}, err
		}
		return ownMedia(ctx, inTx, publicID)
	}
	if err != nil {
		// Whether the photo became ready is not known: what was stored stays, for the photo
		// or, when it did not, to go with the media.
		return store.Media{}, err
	}
	if err := s.deleteObjects(tidy, m.UploadKey); err != nil {
		return ready, fmt.Errorf("photo %s is ready; its raw upload stays until the photo is deleted: %w", ready.PublicID, err)
	}
	return ready, nil
}

// ownMedia reads one of the organization's media, not deleted, in a transaction of its own.
func ownMedia(ctx context.Context, inTx InTx, publicID string) (store.Media, error) {
	var m store.Media
	err := inTx(func(tx pgx.Tx) (err error) {
		m, err = store.OwnMedia(ctx, tx, publicID)
		return err
	})
	return m, err
}

// readUpload reads the raw upload, refusing one past MaxBytes without reading it all.
func (s *Storage) readUpload(ctx context.Context, key string) ([]byte, error) {
	raw, err := objstore.Get(ctx, s.S3, s.Bucket, key, MaxBytes)
	switch {
	case errors.Is(err, objstore.ErrNotFound):
		return nil, ErrNotUploaded
	case errors.Is(err, objstore.ErrTooLarge):
		return nil, ErrTooLarge
	}
	return raw, err
}

func (s *Storage) put(ctx context.Context, key, contentType string, body []byte) error {
	return objstore.Put(ctx, s.S3, s.Bucket, key, contentType, body)
}

// deleteObjects removes objects from the bucket; one already gone is no error.
func (s *Storage) deleteObjects(ctx context.Context, keys ...string) error {
	return objstore.Delete(ctx, s.S3, s.Bucket, keys...)
}

// deleteFolder removes every object whose key starts with prefix.
func (s *Storage) deleteFolder(ctx context.Context, prefix string) error {
	return objstore.DeletePrefix(ctx, s.S3, s.Bucket, prefix)
}

// Downloads are presigned GETs of a ready photo and its thumbnail.
type Downloads struct {
	Original, Thumbnail Link
}

// Download presigns GETs of a ready photo and its thumbnail, valid for DownloadExpiry.
// Presigning signs locally: it makes no call.
func (s *Storage) Download(ctx context.Context, m store.Media) (Downloads, error) {
	if m.Status != "ready" {
		return Downloads{}, ErrNotReady
	}
	original, err := s.presignGet(ctx, m.OriginalKey)
	if err != nil {
		return Downloads{}, err
	}
	thumbnail, err := s.presignGet(ctx, m.ThumbnailKey)
	if err != nil {
		return Downloads{}, err
	}
	return Downloads{Original: original, Thumbnail: thumbnail}, nil
}

// PresignObject presigns a GET of an object of the bucket (a photo's thumbnail, a
// certificate's PDF), valid for DownloadExpiry. Presigning signs locally: it makes no call.
func (s *Storage) PresignObject(ctx context.Context, key string) (Link, error) {
	return s.presignGet(ctx, key)
}

// maxThumbnailBytes bounds what ReadThumbnail reads: thumbnails are a few tens of kilobytes.
const maxThumbnailBytes = 2 << 20

// ReadThumbnail reads a photo's thumbnail, to draw it, within 10 seconds; one larger than
// maxThumbnailBytes is objstore.ErrTooLarge.
func (s *Storage) ReadThumbnail(ctx context.Context, key string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return objstore.Get(ctx, s.S3, s.Bucket, key, maxThumbnailBytes)
}

// Arrangement is a change to a photo's place on its animal; what is nil stays.
type Arrangement struct {
	Position *int
	Primary  *bool
}

// Arrange moves one of the organization's ready photos and makes it (or stops it being)
// the animal's primary photo; it answers the photo as it now stands.
func Arrange(ctx context.Context, tx pgx.Tx, publicID string, in Arrangement) (store.Media, error) {
	if in.Position != nil && (*in.Position < 0 || *in.Position > 10_000) {
		return store.Media{}, FieldErrors{{"position", "must be 0 to 10000"}}
	}
	if in.Primary != nil && *in.Primary {
		if err := store.LockMediaAnimal(ctx, tx, publicID); err != nil {
			return store.Media{}, err
		}
	}
	m, err := store.LockOwnMedia(ctx, tx, publicID)
	if err != nil {
		return store.Media{}, err
	}
	if m.Status != "ready" {
		return store.Media{}, ErrNotReady
	}
	if err := store.ArrangeMedia(ctx, tx, m, in.Position, in.Primary); err != nil {
		return store.Media{}, err
	}
	return store.MediaByID(ctx, tx, m.ID)
}

// Delete takes one of the organization's photos (or pending uploads) out of view and out of
// its storage count in tx; Purge then removes its objects and row once tx has committed.
func Delete(ctx context.Context, tx pgx.Tx, publicID string) (store.Media, error) {
	m, err := store.LockOwnMedia(ctx, tx, publicID)
	if err != nil {
		return store.Media{}, err
	}
	return m, store.MarkMediaDeleted(ctx, tx, m.ID)
}

// Purge removes a deleted photo's objects from storage, then its row: those it names and
// anything else in its folder (what a confirmation that failed half-way left). When storage
// fails the row stays deleted and the sweep tries again.
func (s *Storage) Purge(ctx context.Context, db *store.DB, m store.Media) error {
	if err := s.deleteObjects(ctx, m.UploadKey, m.OriginalKey, m.ThumbnailKey); err != nil {
		return err
	}
	if err := s.deleteFolder(ctx, path.Dir(m.UploadKey)+"/"); err != nil {
		return err
	}
	return db.InTenant(ctx, store.Tenant{OrgID: m.OrgID}, func(tx pgx.Tx) error {
		return store.DeleteMediaRow(ctx, tx, m.ID)
	})
}

// Sweep removes, across organizations, uploads never confirmed within UnconfirmedAfter and
// deleted photos whose objects remain: objects first, then rows. It answers how many it
// removed.
func (s *Storage) Sweep(ctx context.Context, db *store.DB) (int, error) {
	stale, err := store.StaleMediaOf(ctx, db, UnconfirmedAfter)
	if err != nil {
		return 0, err
	}
	var errs []error
	n := 0
	for _, st := range stale {
		var m store.Media
		err := db.InTenant(ctx, store.Tenant{OrgID: st.OrgID}, func(tx pgx.Tx) error {
			abandoned, err := store.AbandonMedia(ctx, tx, st.ID)
			if err != nil {
				return err
			}
			if !abandoned {
				return store.ErrNotFound // confirmed meanwhile
			}
			m, err = store.MediaByID(ctx, tx, st.ID)
			return err
		})
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err == nil {
			err = s.Purge(ctx, db, m)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("media %s: %w", st.ID, err))
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}
