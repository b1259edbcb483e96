// Package objstore is the S3 client of ReptiDex: certificates, exports and uploads live in
// one bucket of any S3-compatible store.
package objstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/reptidex/reptidex/config"
)

// New builds an S3 client from configuration, with a timeout on every HTTP call. An empty
// endpoint means AWS itself.
func New(cfg config.S3) *s3.Client {
	opts := s3.Options{
		Region:       cfg.Region,
		UsePathStyle: cfg.ForcePathStyle,
		HTTPClient:   &http.Client{Timeout: 30 * time.Second},
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
