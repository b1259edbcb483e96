package objstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// An object put is read back as it was; a missing one is ErrNotFound; one larger than the
// reader's limit is ErrTooLarge, and one of exactly the limit is read.
func TestPutAndGet_ReadBackWhatWasStoredWithinALimit(t *testing.T) {
	t.Parallel()
	cfg := testkit.Config(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := objstore.New(cfg.S3)
	require.NoError(t, objstore.EnsureBucket(ctx, c, cfg.S3.Bucket))
	key := "objstore-test/" + testkit.UniqueEmail("object")
	body := []byte("a certificate's bytes")
	require.NoError(t, objstore.Put(ctx, c, cfg.S3.Bucket, key, "application/pdf", body))

	got, err := objstore.Get(ctx, c, cfg.S3.Bucket, key, int64(len(body)))
	require.NoError(t, err)
	require.Equal(t, body, got)

	_, err = objstore.Get(ctx, c, cfg.S3.Bucket, key, int64(len(body))-1)
	require.ErrorIs(t, err, objstore.ErrTooLarge)

	_, err = objstore.Get(ctx, c, cfg.S3.Bucket, key+"-missing", 1<<20)
	require.ErrorIs(t, err, objstore.ErrNotFound)
}
