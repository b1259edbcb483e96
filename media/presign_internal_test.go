package media

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/objstore"
)

// offline is storage whose endpoint nothing answers: presigning never calls it.
func offline(t testing.TB, pathStyle bool) *Storage {
	t.Helper()
	return NewStorage(objstore.New(config.S3{Region: "eu-west-1", Endpoint: "http://127.0.0.1:9", AccessKey: "AKIDEXAMPLE",
		SecretKey: "secret", ForcePathStyle: pathStyle}), "photos")
}

// The direct signature is the one the SDK's presign client makes: same URL, same query,
// same signature, for the bucket addressed by path or by host.
func TestPresignGet_SignsAsTheSDKDoes(t *testing.T) {
	t.Parallel()
	for _, pathStyle := range []bool{true, false} {
		s := offline(t, pathStyle)
		require.NotNil(t, s.signer)
		sdkOnly := *s
		sdkOnly.signer = nil
		key := "media/4fTqW9zKc2Nv/RbHxMwPq/thumbnail-7Kq2.jpg"
		// Both are signed at the time of signing, to the second: sign again when a second
		// turned in between.
		var d, v *url.URL
		for range 5 {
			direct, err := s.presignGet(t.Context(), key)
			require.NoError(t, err)
			require.Equal(t, "GET", direct.Method)
			viaSDK, err := sdkOnly.presignGet(t.Context(), key)
			require.NoError(t, err)
			d, err = url.Parse(direct.URL)
			require.NoError(t, err)
			v, err = url.Parse(viaSDK.URL)
			require.NoError(t, err)
			if d.Query().Get("X-Amz-Date") == v.Query().Get("X-Amz-Date") {
				break
			}
		}
		require.Equal(t, v.Scheme+"://"+v.Host+v.EscapedPath(), d.Scheme+"://"+d.Host+d.EscapedPath())
		require.Equal(t, v.Query(), d.Query(), "path style %v: the same query and signature", pathStyle)
	}
}

func TestSignable_LeavesKeysThatNeedEscapingToTheSDK(t *testing.T) {
	t.Parallel()
	require.True(t, signable("certificates/5f1c/7KQ2-M9XD.pdf"))
	for _, k := range []string{"", "a b", "a+b", "ü", "a?b", "a%20b"} {
		require.False(t, signable(k), "%q", k)
	}
}

func BenchmarkPresignThumbnail(b *testing.B) {
	for name, direct := range map[string]bool{"direct": true, "sdk": false} {
		b.Run(name, func(b *testing.B) {
			s := offline(b, true)
			if !direct {
				s.signer = nil
			}
			for b.Loop() {
				if _, err := s.presignGet(b.Context(), "media/4fTqW9zKc2Nv/RbHxMwPq/thumbnail-7Kq2.jpg"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
