package media

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// getSigner presigns GETs of the bucket's objects with SigV4 directly. The SDK's presign
// client runs its whole request pipeline (endpoint rules, ARN checks, identity) for every
// link, some 100 to 200 µs each: a page of listings or a pedigree full of photos signs
// dozens of links. The signature is the same; the bucket's URL is the one the SDK resolves,
// read once.
type getSigner struct {
	// base is the URL of the bucket's objects up to their key, with a trailing slash.
	base   string
	region string
	creds  aws.CredentialsProvider
	v4     *v4.Signer
}

// newGetSigner learns the bucket's URL from one link the SDK presigns; nil when it cannot,
// and the SDK then presigns every link.
func newGetSigner(c *s3.Client, presign *s3.PresignClient, bucket string) *getSigner {
	const probe = "probe"
	req, err := presign.PresignGetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(probe)})
	if err != nil {
		return nil
	}
	u, err := url.Parse(req.URL)
	if err != nil || !strings.HasSuffix(u.EscapedPath(), "/"+probe) {
		return nil
	}
	opts := c.Options()
	if opts.Credentials == nil {
		return nil
	}
	base := u.Scheme + "://" + u.Host + strings.TrimSuffix(u.EscapedPath(), probe)
	return &getSigner{base: base, region: opts.Region, creds: opts.Credentials, v4: v4.NewSigner()}
}

// signable says whether key is made only of characters that need no escaping in a URL's
// path (unreserved ones and "/"): the keys of photos and certificates. Another key is left
// to the SDK, which escapes it as S3 expects.
func signable(key string) bool {
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~/", c) >= 0) {
			return false
		}
	}
	return key != ""
}

// presign signs a GET of key valid for ttl, with the query the SDK signs (it names the
// operation, x-id).
func (g *getSigner) presign(ctx context.Context, key string, ttl time.Duration) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		g.base+key+"?X-Amz-Expires="+strconv.Itoa(int(ttl.Seconds()))+"&x-id=GetObject", nil)
	if err != nil {
		return "", fmt.Errorf("presign download of %s: %w", key, err)
	}
	creds, err := g.creds.Retrieve(ctx)
	if err != nil {
		return "", fmt.Errorf("presign download of %s: credentials: %w", key, err)
	}
	signed, _, err := g.v4.PresignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "s3", g.region, time.Now().UTC(),
		func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err != nil {
		return "", fmt.Errorf("presign download of %s: %w", key, err)
	}
	return signed, nil
}

// presignGet presigns a GET of key valid for DownloadExpiry: directly when it can, through
// the SDK otherwise.
func (s *Storage) presignGet(ctx context.Context, key string) (Link, error) {
	return s.presignGetFor(ctx, key, DownloadExpiry)
}

// presignGetFor presigns a GET of key valid for ttl.
func (s *Storage) presignGetFor(ctx context.Context, key string, ttl time.Duration) (Link, error) {
	if s.signer != nil && signable(key) {
		u, err := s.signer.presign(ctx, key, ttl)
		if err != nil {
			return Link{}, err
		}
		return linkOf(u, http.MethodGet, ttl, nil), nil
	}
	req, err := s.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(key)},
		s3.WithPresignExpires(ttl))
	if err != nil {
		return Link{}, fmt.Errorf("presign download of %s: %w", key, err)
	}
	return linkOf(req.URL, req.Method, ttl, nil), nil
}

// MaxPresign is the longest a presigned link may work: SigV4 refuses longer.
const MaxPresign = 7 * 24 * time.Hour

// PresignObjectUntil presigns a GET of an object of the bucket (an export's ZIP) that works
// until the given time, at most MaxPresign from now; a time already past is an error.
func (s *Storage) PresignObjectUntil(ctx context.Context, key string, until time.Time) (Link, error) {
	ttl := time.Until(until).Truncate(time.Second)
	if ttl <= 0 {
		return Link{}, fmt.Errorf("presign download of %s: expired at %s", key, until.UTC().Format(time.RFC3339))
	}
	return s.presignGetFor(ctx, key, min(ttl, MaxPresign))
}
