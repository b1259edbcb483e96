package objstore_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/iotest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/config"
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

// A stream larger than a part goes up by a multipart upload and reads back whole; a stream
// that fails midway leaves no object and no unfinished upload; DeletePrefix removes every
// object under a prefix.
func TestStreams_UploadWholeOrNothing(t *testing.T) {
	t.Parallel()
	cfg := testkit.Config(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := objstore.New(cfg.S3)
	bucket := cfg.S3.Bucket
	require.NoError(t, objstore.EnsureBucket(ctx, c, bucket))
	prefix := "objstore-test/" + testkit.UniqueEmail("stream") + "/"
	streams := objstore.NewStreams(c)

	body := bytes.Repeat([]byte("0123456789abcdef"), 12<<20/16) // 12 MiB: three parts
	require.NoError(t, streams.Upload(ctx, bucket, prefix+"whole", "application/octet-stream", bytes.NewReader(body)))
	r, err := objstore.Open(ctx, c, bucket, prefix+"whole")
	require.NoError(t, err)
	got, err := io.ReadAll(r)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	require.Equal(t, body, got)

	broken := io.MultiReader(bytes.NewReader(body[:7<<20]), iotest.ErrReader(errors.New("the database went away")))
	err = streams.Upload(ctx, bucket, prefix+"broken", "application/octet-stream", broken)
	require.ErrorContains(t, err, "the database went away")
	_, err = objstore.Open(ctx, c, bucket, prefix+"broken")
	require.ErrorIs(t, err, objstore.ErrNotFound, "a failed upload is never visible")
	uploads, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	require.NoError(t, err)
	require.Empty(t, uploads.Uploads, "a failed upload is aborted")

	require.NoError(t, objstore.DeletePrefix(ctx, c, bucket, prefix))
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	require.NoError(t, err)
	require.Empty(t, list.Contents)
}

// The lifecycle rules asked of the store expire exports after 8 days and abort unfinished
// uploads after a day, and keep the rules an operator set. (The development store keeps no
// rules, so the requests are read here.)
func TestEnsureLifecycle_ExpiresExportsAndAbortsUnfinishedUploads(t *testing.T) {
	t.Parallel()
	var got []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := r.URL.Query()["lifecycle"]; !ok {
			return
		}
		switch r.Method {
		case http.MethodGet:
			w.Header().Set("Content-Type", "application/xml")
			_, _ = io.WriteString(w, `<LifecycleConfiguration><Rule><ID>operator-logs</ID><Status>Enabled</Status>`+
				`<Filter><Prefix>logs/</Prefix></Filter><Expiration><Days>30</Days></Expiration></Rule></LifecycleConfiguration>`)
		case http.MethodPut:
			got, _ = io.ReadAll(r.Body)
		}
	}))
	defer srv.Close()
	c := objstore.New(config.S3{Endpoint: srv.URL, Region: "us-east-1", AccessKey: "k", SecretKey: "s", ForcePathStyle: true})
	require.NoError(t, objstore.EnsureLifecycle(context.Background(), c, "reptidex"))
	var rules struct {
		Rule []struct {
			ID                             string
			Status                         string
			Filter                         struct{ Prefix string }
			Expiration                     *struct{ Days int }
			AbortIncompleteMultipartUpload *struct{ DaysAfterInitiation int }
		}
	}
	require.NoError(t, xml.Unmarshal(got, &rules), "%s", got)
	require.Len(t, rules.Rule, 3)
	require.Equal(t, "exports/", rules.Rule[0].Filter.Prefix)
	require.Equal(t, 8, rules.Rule[0].Expiration.Days)
	require.Equal(t, "Enabled", rules.Rule[0].Status)
	require.Equal(t, 1, rules.Rule[1].AbortIncompleteMultipartUpload.DaysAfterInitiation)
	require.Equal(t, "operator-logs", rules.Rule[2].ID, "the operator's rule is kept")
	require.Equal(t, 30, rules.Rule[2].Expiration.Days)
}
