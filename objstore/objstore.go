// Package objstore is the S3 client of ReptiDex: certificates, exports and uploads live in
// one bucket of any S3-compatible store.
package objstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/reptidex/reptidex/config"
)

// New builds an S3 client from configuration. Connecting, and waiting for an answer to
// begin, are bounded at 10 and 30 seconds; reading or sending a body is bounded by the
// caller's context, so that a file streamed for minutes is not cut off. An empty endpoint
// means AWS itself.
func New(cfg config.S3) *s3.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	transport.TLSHandshakeTimeout = 10 * time.Second
	transport.ResponseHeaderTimeout = 30 * time.Second
	opts := s3.Options{
		Region:       cfg.Region,
		UsePathStyle: cfg.ForcePathStyle,
		HTTPClient:   &http.Client{Transport: transport},
		Credentials:  credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, ""),
	}
	if cfg.Endpoint != "" {
		opts.BaseEndpoint = aws.String(cfg.Endpoint)
	}
	return s3.New(opts)
}

// EnsureBucket creates the bucket unless it exists already.
func EnsureBucket(ctx context.Context, c *s3.Client, bucket string) error {
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err == nil {
		return nil
	}
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	var owned *types.BucketAlreadyOwnedByYou
	var exists *types.BucketAlreadyExists
	if err != nil && !errors.As(err, &owned) && !errors.As(err, &exists) {
		return fmt.Errorf("create bucket %s: %w", bucket, err)
	}
	return nil
}

// Errors Get answers for an object it cannot hand back.
var (
	// ErrNotFound means no object is stored under the key.
	ErrNotFound = errors.New("no such object")
	// ErrTooLarge means the object is larger than the reader accepts.
	ErrTooLarge = errors.New("object too large")
)

// Put stores body under key in bucket, with its content type and length.
func Put(ctx context.Context, c *s3.Client, bucket, key, contentType string, body []byte) error {
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		ContentType: aws.String(contentType), Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body)))})
	if err != nil {
		return fmt.Errorf("store %s: %w", key, err)
	}
	return nil
}

// Get reads the object under key in bucket, of at most limit bytes: one missing is
// ErrNotFound, and one larger is ErrTooLarge, refused from its declared length before its
// body is read, or once more than limit bytes arrived.
func Get(ctx context.Context, c *s3.Client, bucket, key string, limit int64) ([]byte, error) {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	var missing *types.NoSuchKey
	if errors.As(err, &missing) {
		return nil, fmt.Errorf("read %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	defer func() { _ = out.Body.Close() }() // read path: a failed close loses nothing
	if out.ContentLength != nil && *out.ContentLength > limit {
		return nil, fmt.Errorf("read %s: %w", key, ErrTooLarge)
	}
	body, err := io.ReadAll(io.LimitReader(out.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("read %s: %w", key, ErrTooLarge)
	}
	return body, nil
}

// Streams is the streamed uploads of one client: multipart, 5 MiB a part and one part in
// flight while the next fills, so that an upload holds some 10 MiB whatever its size.
type Streams struct {
	c      *s3.Client
	upload *transfermanager.Client
}

// NewStreams streams uploads through c.
func NewStreams(c *s3.Client) *Streams {
	return &Streams{c: c, upload: transfermanager.New(c, func(o *transfermanager.Options) {
		o.PartSizeBytes = 5 << 20
		// The first part is read whole before the upload is chosen (one request or
		// multipart): at the part's size, not the default 16 MiB.
		o.MultipartUploadThreshold = 5 << 20
		o.Concurrency = 1
		// An upload that fails is aborted on a context of its own, so that its parts are
		// removed even when the failure is the caller's cancellation.
		o.FailTimeout = 30 * time.Second
	})}
}

// Upload stores what body yields under key in bucket, as it is read. A body larger than a
// part goes up by a multipart upload, which is visible only once complete, and is aborted
// when body or the store fails.
func (s *Streams) Upload(ctx context.Context, bucket, key, contentType string, body io.Reader) error {
	_, err := s.upload.UploadObject(ctx, &transfermanager.UploadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		ContentType: aws.String(contentType), Body: body})
	if err != nil {
		return fmt.Errorf("store %s: %w", key, err)
	}
	return nil
}

// Open reads the object under key in bucket as it arrives; one missing is ErrNotFound.
func Open(ctx context.Context, c *s3.Client, bucket, key string) (io.ReadCloser, error) {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	var missing *types.NoSuchKey
	if errors.As(err, &missing) {
		return nil, fmt.Errorf("read %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	return out.Body, nil
}

// Size is the size in bytes of the object under key in bucket; one missing is ErrNotFound.
func Size(ctx context.Context, c *s3.Client, bucket, key string) (int64, error) {
	out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	var missing *types.NotFound
	var noKey *types.NoSuchKey
	if errors.As(err, &missing) || errors.As(err, &noKey) {
		return 0, fmt.Errorf("size of %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("size of %s: %w", key, err)
	}
	return aws.ToInt64(out.ContentLength), nil
}

// Delete removes objects from bucket; one already gone is no error.
func Delete(ctx context.Context, c *s3.Client, bucket string, keys ...string) error {
	for _, k := range keys {
		if k == "" {
			continue
		}
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)}); err != nil {
			return fmt.Errorf("delete %s: %w", k, err)
		}
	}
	return nil
}

// DeletePrefix removes every object of bucket whose key starts with prefix, and aborts the
// multipart uploads under it that never completed (a worker stopped mid-upload leaves
// them, invisible but kept).
func DeletePrefix(ctx context.Context, c *s3.Client, bucket, prefix string) error {
	pages := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list %s: %w", prefix, err)
		}
		for _, o := range page.Contents {
			if err := Delete(ctx, c, bucket, aws.ToString(o.Key)); err != nil {
				return err
			}
		}
	}
	return AbortUploads(ctx, c, bucket, prefix)
}

// AbortUploads aborts the multipart uploads of bucket under prefix that never completed.
func AbortUploads(ctx context.Context, c *s3.Client, bucket, prefix string) error {
	in := &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), Prefix: aws.String(prefix)}
	for {
		out, err := c.ListMultipartUploads(ctx, in)
		if err != nil {
			return fmt.Errorf("list uploads under %s: %w", prefix, err)
		}
		for _, u := range out.Uploads {
			_, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: u.Key, UploadId: u.UploadId})
			var gone *types.NoSuchUpload
			if err != nil && !errors.As(err, &gone) {
				return fmt.Errorf("abort the upload of %s: %w", aws.ToString(u.Key), err)
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			return nil
		}
		in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
	}
}

// Lifecycle is the bucket's lifecycle rule for exports: a ZIP is deleted after
// ExportsExpireDays (a day past its 7-day link, should the sweep that deletes it on time be
// late), and a multipart upload left unfinished by a worker stopped mid-upload is aborted
// after a day.
const (
	ExportsPrefix      = "exports/"
	ExportsExpireDays  = 8
	AbortUnfinishedDay = 1
)

// EnsureLifecycle sets the bucket's lifecycle rules (Lifecycle), keeping the rules of other
// IDs an operator set. A store that keeps no lifecycle rules answers an error the caller may
// log: the sweep of exports deletes them on time without it.
func EnsureLifecycle(ctx context.Context, c *s3.Client, bucket string) error {
	ours := []types.LifecycleRule{
		{ID: aws.String("exports-expire"), Status: types.ExpirationStatusEnabled,
			Filter:     &types.LifecycleRuleFilter{Prefix: aws.String(ExportsPrefix)},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(ExportsExpireDays)}},
		{ID: aws.String("abort-unfinished-uploads"), Status: types.ExpirationStatusEnabled,
			Filter:                         &types.LifecycleRuleFilter{Prefix: aws.String("")},
			AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(AbortUnfinishedDay)}},
	}
	rules := ours
	if current, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(bucket)}); err == nil {
		for _, r := range current.Rules {
			if id := aws.ToString(r.ID); id != "exports-expire" && id != "abort-unfinished-uploads" {
				rules = append(rules, r)
			}
		}
	}
	_, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{
		Bucket: aws.String(bucket), LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules}})
	if err != nil {
		return fmt.Errorf("set the lifecycle rules of bucket %s: %w", bucket, err)
	}
	return nil
}
