package media

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

// pngClaiming is a PNG whose header claims w×h pixels, followed by no image data: what a
// decompression bomb looks like before it is decoded.
func pngClaiming(w, h uint32) []byte {
	var ihdr bytes.Buffer
	for _, v := range []any{w, h, uint8(8), uint8(0), uint8(0), uint8(0), uint8(0)} {
		_ = binary.Write(&ihdr, binary.BigEndian, v) // fixed-size values into a buffer: no error
	}
	chunk := append([]byte("IHDR"), ihdr.Bytes()...)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = binary.BigEndian.AppendUint32(out, uint32(ihdr.Len()))
	out = append(out, chunk...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(chunk))
}

func TestClean_RefusesWhatIsNotAnAllowedImageWithinTheLimits(t *testing.T) {
	t.Parallel()
	small := encodePNG(t, image.NewGray(image.Rect(0, 0, 4, 4)))
	for _, tc := range []struct {
		name, contentType string
		raw               []byte
		want              error
	}{
		{"text", "image/png", []byte("hello"), ErrNotImage},
		{"another type than declared", "image/jpeg", small, ErrNotImage},
		{"a type not allowed", "image/gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00"), ErrNotImage},
		{"over 8000 pixels a side", "image/png", pngClaiming(8001, 10), ErrTooLarge},
		{"over 40 megapixels", "image/png", pngClaiming(8000, 8000), ErrTooLarge},
		{"over 10 MiB", "image/png", append(small, make([]byte, MaxBytes)...), ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := clean(tc.raw, tc.contentType)
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestClean_KeepsPNGAndStoresWebPAsJPEGWithThumbnails(t *testing.T) {
	t.Parallel()
	tall := image.NewNRGBA(image.Rect(0, 0, 200, 1000))
	tall.Set(0, 0, color.NRGBA{255, 0, 0, 10}) // transparent: PNG keeps it
	c, err := clean(encodePNG(t, tall), "image/png")
	require.NoError(t, err)
	require.Equal(t, "image/png", c.ContentType)
	thumb, format, err := image.DecodeConfig(bytes.NewReader(c.Thumbnail))
	require.NoError(t, err)
	require.Equal(t, "jpeg", format)
	require.Equal(t, [2]int{64, 320}, [2]int{thumb.Width, thumb.Height})

	webp, err := os.ReadFile("testdata/blue-purple-pink.lossy.webp")
	require.NoError(t, err)
	c, err = clean(webp, "image/webp")
	require.NoError(t, err)
	require.Equal(t, "image/jpeg", c.ContentType)
	stored, format, err := image.DecodeConfig(bytes.NewReader(c.Original))
	require.NoError(t, err)
	require.Equal(t, "jpeg", format)
	require.Equal(t, [2]int{c.Width, c.Height}, [2]int{stored.Width, stored.Height})
	require.Positive(t, c.Width)
}
