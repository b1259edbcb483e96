package media_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"path"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/domain/genetics"
	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/media"
	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// confirmBundle is an organization with an animal and an upload of a photo of it, sent.
type confirmBundle struct {
	db      *store.DB
	storage *media.Storage
	tenant  store.Tenant
	upload  store.Media
}

func setupConfirm(t *testing.T) confirmBundle {
	t.Helper()
	cfg := testkit.Config(t)
	b := confirmBundle{db: testkit.DB(t), storage: media.NewStorage(objstore.New(cfg.S3), cfg.S3.Bucket)}
	ctx := t.Context()
	u := store.User{ID: uuid.New(), PublicID: store.NewPublicID(), Email: testkit.UniqueEmail("confirm"), DisplayName: "Keeper", PasswordHash: "x"}
	o := store.Organization{ID: uuid.New(), PublicID: store.NewPublicID(), Name: "Confirm Vivarium", CreatedBy: u.ID}
	animal := store.Animal{ID: uuid.New(), PublicID: store.NewPublicID(), SpeciesKey: "ball-python", Sex: genetics.Female,
		Status: "active", Visibility: "organization", GeneticsText: "Normal"}
	b.tenant = store.Tenant{OrgID: o.ID, UserID: u.ID}
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := range 40 {
		img.Set(x, x%30, color.RGBA{200, uint8(x), 10, 255})
	}
	var photo bytes.Buffer
	require.NoError(t, png.Encode(&photo, img))
	var link media.Link
	require.NoError(t, b.db.InTenant(ctx, b.tenant, func(tx pgx.Tx) (err error) {
		for _, step := range []func() error{
			func() error { return store.InsertUser(ctx, tx, u) },
			func() error { return store.InsertOrganization(ctx, tx, o) },
			func() error { return store.InsertMember(ctx, tx, u.ID, membership.Owner) },
			func() error { return store.InsertAnimal(ctx, tx, animal) },
		} {
			if err := step(); err != nil {
				return err
			}
		}
		b.upload, link, err = b.storage.StartUpload(ctx, tx, store.Access{UserID: u.ID, OrgID: o.ID, OrgPublicID: o.PublicID},
			media.NewUpload{AnimalPublicID: animal.PublicID, ContentType: "image/png", Bytes: int64(photo.Len())})
		return err
	}))
	req, err := http.NewRequestWithContext(ctx, link.Method, link.URL, bytes.NewReader(photo.Bytes()))
	require.NoError(t, err)
	for k, v := range link.Headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return b
}

// inTx runs fn in a transaction of the organization.
func (b confirmBundle) inTx(ctx context.Context) media.InTx {
	return func(fn func(pgx.Tx) error) error { return b.db.InTenant(ctx, b.tenant, fn) }
}

// interrupted is inTx that runs meanwhile, with a deadline, before the transaction that
// would mark the upload ready (the second a confirmation opens): the point where the
// confirmation has stored its objects and holds no transaction, nor any lock.
func (b confirmBundle) interrupted(t *testing.T, meanwhile func(ctx context.Context)) media.InTx {
	calls := 0
	return func(fn func(pgx.Tx) error) error {
		if calls++; calls == 2 {
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			meanwhile(ctx)
		}
		return b.db.InTenant(t.Context(), b.tenant, fn)
	}
}

// folder lists the keys stored in the upload's folder.
func (b confirmBundle) folder(t *testing.T) []string {
	t.Helper()
	out, err := b.storage.S3.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(b.storage.Bucket),
		Prefix: aws.String(path.Dir(b.upload.UploadKey) + "/")})
	require.NoError(t, err)
	keys := []string{}
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	slices.Sort(keys)
	return keys
}

// Two confirmations of one upload at once: the one that marks it ready first wins, the other
// answers that same photo and removes what it stored itself, leaving the photo's objects.
func TestConfirm_LoserOfTwoAtOnceAnswersTheWinnersPhotoAndRemovesItsOwnObjects(t *testing.T) {
	t.Parallel()
	b := setupConfirm(t)
	var winner store.Media
	got, err := b.storage.Confirm(t.Context(), b.interrupted(t, func(ctx context.Context) {
		var err error
		winner, err = b.storage.Confirm(ctx, b.inTx(ctx), b.upload.PublicID)
		require.NoError(t, err)
	}), b.upload.PublicID)
	require.NoError(t, err)
	require.Equal(t, "ready", winner.Status)
	require.Equal(t, winner, got, "the loser answers the winner's photo")
	want := []string{winner.OriginalKey, winner.ThumbnailKey}
	slices.Sort(want)
	require.Equal(t, want, b.folder(t), "only the photo's objects stay: the loser's and the raw upload are gone")
	var n int
	require.NoError(t, testkit.AdminPool(t).QueryRow(t.Context(), `SELECT count(*) FROM media WHERE id = $1 AND status = 'ready'
		AND original_key = $2 AND thumbnail_key = $3`, b.upload.ID, winner.OriginalKey, winner.ThumbnailKey).Scan(&n))
	require.Equal(t, 1, n)
}

// An upload deleted while it is being confirmed stays deleted: the confirmation answers not
// found and removes what it stored, so nothing of the photo is left in storage.
func TestConfirm_DeletedMeanwhileLeavesNothingBehind(t *testing.T) {
	t.Parallel()
	b := setupConfirm(t)
	_, err := b.storage.Confirm(t.Context(), b.interrupted(t, func(ctx context.Context) {
		var m store.Media
		require.NoError(t, b.db.InTenant(ctx, b.tenant, func(tx pgx.Tx) (err error) {
			m, err = media.Delete(ctx, tx, b.upload.PublicID)
			return err
		}), "a confirmation under way holds no lock on the upload")
		require.NoError(t, b.storage.Purge(ctx, b.db, m))
	}), b.upload.PublicID)
	require.ErrorIs(t, err, store.ErrNotFound)
	require.Empty(t, b.folder(t))
	var n int
	require.NoError(t, testkit.AdminPool(t).QueryRow(t.Context(), `SELECT count(*) FROM media WHERE id = $1`, b.upload.ID).Scan(&n))
	require.Zero(t, n)
}

// A deletion that finds objects it does not name in the photo's folder (what a confirmation
// that failed half-way stored) removes them too.
func TestPurge_RemovesWhatAFailedConfirmationLeftInTheFolder(t *testing.T) {
	t.Parallel()
	b := setupConfirm(t)
	ctx := t.Context()
	stray := path.Dir(b.upload.UploadKey) + "/original-stray.png"
	_, err := b.storage.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b.storage.Bucket), Key: aws.String(stray),
		Body: bytes.NewReader([]byte("left over")), ContentLength: aws.Int64(9)})
	require.NoError(t, err)
	m, err := b.storage.Confirm(ctx, b.inTx(ctx), b.upload.PublicID)
	require.NoError(t, err)
	require.Len(t, b.folder(t), 3)
	require.NoError(t, b.db.InTenant(ctx, b.tenant, func(tx pgx.Tx) (err error) {
		m, err = media.Delete(ctx, tx, m.PublicID)
		return err
	}))
	require.NoError(t, b.storage.Purge(ctx, b.db, m))
	require.Empty(t, b.folder(t))
}
