package media

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // registers WebP with image.Decode
)

// Limits on what an upload may be, stated in the API's documentation.
const (
	// MaxBytes is the largest upload accepted: 10 MiB.
	MaxBytes = 10 << 20
	// MaxSide is the longest side, in pixels, of an image accepted.
	MaxSide = 8000
	// MaxPixels bounds width × height (40 megapixels), so that no image decodes into more
	// memory than that, whatever its file size.
	MaxPixels = 40_000_000
	// ThumbnailSide is the longest side, in pixels, of a thumbnail.
	ThumbnailSide = 320
)

// ContentTypes are the image types an upload may be, by the name image.Decode gives them.
var ContentTypes = map[string]string{"image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp"}

// Errors an uploaded object is refused with.
var (
	// ErrNotImage means the object is not a JPEG, PNG or WebP image, or not the type declared.
	ErrNotImage = errors.New("not an image of the declared type")
	// ErrTooLarge means the object or its dimensions exceed the limits.
	ErrTooLarge = errors.New("image too large")
)

// cleaned is an upload decoded and encoded again: no metadata of the original (EXIF, GPS,
// XMP, comments) survives, since only the pixels are encoded.
type cleaned struct {
	Original      []byte
	ContentType   string
	Thumbnail     []byte
	Width, Height int
}

// clean checks that raw is an image of the declared content type within the limits, reading
// its header before decoding anything (a small file cannot declare a huge image and have it
// decoded), then encodes it again without metadata and makes a JPEG thumbnail. PNG stays
// PNG (it may be transparent); JPEG and WebP are stored as JPEG.
func clean(raw []byte, contentType string) (cleaned, error) {
	if len(raw) > MaxBytes {
		return cleaned{}, ErrTooLarge
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(raw))
	if err != nil || format != ContentTypes[contentType] {
		return cleaned{}, ErrNotImage
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return cleaned{}, ErrNotImage
	}
	if cfg.Width > MaxSide || cfg.Height > MaxSide || cfg.Width*cfg.Height > MaxPixels {
		return cleaned{}, ErrTooLarge
	}
	img, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		return cleaned{}, ErrNotImage
	}
	out := cleaned{Width: cfg.Width, Height: cfg.Height}
	var buf bytes.Buffer
	if format == "png" {
		out.ContentType = "image/png"
		err = png.Encode(&buf, img)
	} else {
		out.ContentType = "image/jpeg"
		err = jpeg.Encode(&buf, flatten(img, img.Bounds()), &jpeg.Options{Quality: 90})
	}
	if err != nil {
		return cleaned{}, fmt.Errorf("encode image: %w", err)
	}
	out.Original = buf.Bytes()
	thumb, err := thumbnail(img)
	if err != nil {
		return cleaned{}, err
	}
	out.Thumbnail = thumb
	return out, nil
}

// thumbnail scales img to fit ThumbnailSide (never up) and encodes it as JPEG.
func thumbnail(img image.Image) ([]byte, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > ThumbnailSide || h > ThumbnailSide {
		if w >= h {
			w, h = ThumbnailSide, max(1, h*ThumbnailSide/b.Dx())
		} else {
			w, h = max(1, w*ThumbnailSide/b.Dy()), ThumbnailSide
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 80}); err != nil {
		return nil, fmt.Errorf("encode thumbnail: %w", err)
	}
	return buf.Bytes(), nil
}

// flatten draws img over white, for JPEG, which has no transparency.
func flatten(img image.Image, b image.Rectangle) image.Image {
	if o, ok := img.(interface{ Opaque() bool }); ok && o.Opaque() {
		return img
	}
	dst := image.NewRGBA(b)
	draw.Draw(dst, b, image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(dst, b, img, b.Min, draw.Over)
	return dst
}
