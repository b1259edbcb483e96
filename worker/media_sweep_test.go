package worker_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/jobs"
	"github.com/reptidex/reptidex/media"
	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

// Uploads never confirmed within the bound are swept, object and row, and so is a deleted
// photo whose objects remain; fresh uploads and ready photos stay.
func TestSweepMedia_RemovesUnconfirmedUploadsAndDeletedPhotos(t *testing.T) {
	t.Parallel()
	_, db := setup(t)
	cfg := testkit.Config(t)
	storage := media.NewStorage(objstore.New(cfg.S3), cfg.S3.Bucket)
	u, o := organizationWithoutOnboarding(t, db)
	ctx := context.Background()
	a := store.Access{UserID: u.ID, OrgID: o.ID, OrgPublicID: o.PublicID}
	animal := store.Animal{ID: uuid.New(), PublicID: store.NewPublicID(), SpeciesKey: "ball-python", Sex: genetics.Male,
		Status: "active", Visibility: "organization", GeneticsText: "Normal"}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4))))
	photo := buf.Bytes()
	inTenant := func(fn func(pgx.Tx) error) {
		require.NoError(t, db.InTenant(ctx, store.Tenant{OrgID: o.ID, UserID: u.ID}, fn))
	}
	inTenant(func(tx pgx.Tx) error { return store.InsertAnimal(ctx, tx, animal) })
	upload := func() store.Media {
		var m store.Media
		inTenant(func(tx pgx.Tx) error {
			var link media.Link
			var err error
			m, link, err = storage.StartUpload(ctx, tx, a, media.NewUpload{AnimalPublicID: animal.PublicID, ContentType: "image/png", Bytes: int64(len(photo))})
			if err != nil {
				return err
			}
			req, err := http.NewRequestWithContext(ctx, link.Method, link.URL, bytes.NewReader(photo))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "image/png")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			require.Equal(t, http.StatusOK, resp.StatusCode)
			return resp.Body.Close()
		})
		return m
	}
	abandoned, fresh, ready, deleted := upload(), upload(), upload(), upload()
	for _, m := range []store.Media{ready, deleted} {
		_, err := storage.Confirm(ctx, func(fn func(pgx.Tx) error) error {
			return db.InTenant(ctx, store.Tenant{OrgID: o.ID, UserID: u.ID}, fn)
		}, m.PublicID)
		require.NoError(t, err)
	}
	inTenant(func(tx pgx.Tx) error {
		var err error
		deleted, err = media.Delete(ctx, tx, deleted.PublicID) // its purge never ran
		return err
	})
	admin := testkit.AdminPool(t)
	_, err := admin.Exec(ctx, `UPDATE media SET created_at = now() - make_interval(secs => $2) WHERE id = $1`,
		abandoned.ID, (media.UnconfirmedAfter + time.Minute).Seconds())
	require.NoError(t, err)
	inTenant(func(tx pgx.Tx) (err error) { deleted, err = store.MediaByID(ctx, tx, deleted.ID); return err })
	require.NotEmpty(t, deleted.OriginalKey)

	w := &jobs.SweepMediaWorker{DB: db, Storage: storage}
	require.NoError(t, w.Work(ctx, &river.Job[jobs.SweepMediaArgs]{}))
	require.NoError(t, w.Work(ctx, &river.Job[jobs.SweepMediaArgs]{}), "sweeping again changes nothing")

	rows := func(id uuid.UUID) (n int) {
		require.NoError(t, admin.QueryRow(ctx, `SELECT count(*) FROM media WHERE id = $1`, id).Scan(&n))
		return n
	}
	exists := func(key string) bool {
		_, err := storage.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(cfg.S3.Bucket), Key: aws.String(key)})
		var missing *types.NotFound
		if errors.As(err, &missing) {
			return false
		}
		require.NoError(t, err)
		return true
	}
	require.Zero(t, rows(abandoned.ID), "the unconfirmed upload's row is swept")
	require.False(t, exists(abandoned.UploadKey), "the unconfirmed upload's object is swept")
	require.Zero(t, rows(deleted.ID))
	require.False(t, exists(deleted.OriginalKey))
	require.False(t, exists(deleted.ThumbnailKey))
	require.Equal(t, 1, rows(fresh.ID))
	require.True(t, exists(fresh.UploadKey))
	require.Equal(t, 1, rows(ready.ID))
}
