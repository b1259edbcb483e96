package media

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"github.com/reptidex/reptidex/store"
)

// MaxEvidence is how many photos a buyer may send with a reported problem.
const MaxEvidence = 4

// PutEvidence keeps a photo a buyer sends with a problem with order orderID, by user of the
// buyer's organization orgID: checked and cleaned as an animal's photo is (clean), stored
// with its thumbnail under evidence/<order>/, and answered as the row to record. The image's
// type is read from its bytes, not from what the browser declared; one that is not a JPEG,
// PNG or WebP image is ErrNotImage, one past the limits ErrTooLarge. At most maxConfirming
// photos are decoded at once in a process, confirmations included.
func (s *Storage) PutEvidence(ctx context.Context, orderID, orgID, user uuid.UUID, raw []byte) (store.Evidence, error) {
	if len(raw) > MaxBytes {
		return store.Evidence{}, ErrTooLarge
	}
	contentType := http.DetectContentType(raw)
	if _, ok := ContentTypes[contentType]; !ok {
		return store.Evidence{}, ErrNotImage
	}
	select {
	case s.confirming <- struct{}{}:
		defer func() { <-s.confirming }()
	case <-ctx.Done():
		return store.Evidence{}, fmt.Errorf("wait to clean a photo: %w", ctx.Err())
	}
	c, err := clean(raw, contentType)
	if err != nil {
		return store.Evidence{}, err
	}
	e := store.Evidence{ID: uuid.New(), OrderID: orderID, OrgID: orgID, CreatedBy: user, ContentType: c.ContentType,
		Bytes: len(c.Original) + len(c.Thumbnail), Width: c.Width, Height: c.Height}
	ext := ".jpg"
	if c.ContentType == "image/png" {
		ext = ".png"
	}
	folder := "evidence/" + orderID.String() + "/" + e.ID.String()
	e.OriginalKey, e.ThumbnailKey = folder+"/original"+ext, folder+"/thumbnail.jpg"
	if err := s.put(ctx, e.OriginalKey, c.ContentType, c.Original); err != nil {
		return store.Evidence{}, err
	}
	if err := s.put(ctx, e.ThumbnailKey, "image/jpeg", c.Thumbnail); err != nil {
		return store.Evidence{}, errors.Join(err, s.deleteObjects(context.WithoutCancel(ctx), e.OriginalKey))
	}
	return e, nil
}

// DeleteEvidence removes the stored photos of evidence that was not recorded.
func (s *Storage) DeleteEvidence(ctx context.Context, es ...store.Evidence) error {
	var keys []string
	for _, e := range es {
		keys = append(keys, e.OriginalKey, e.ThumbnailKey)
	}
	if len(keys) == 0 {
		return nil
	}
	return s.deleteObjects(ctx, keys...)
}
