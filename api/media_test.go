package api_test

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

type linkReply struct {
	URL     string            `json:"url"`
	Method  string            `json:"method"`
	Headers map[string]string `json:"headers"`
}

type mediaReply struct {
	ID          string     `json:"id"`
	AnimalID    string     `json:"animal_id"`
	Status      string     `json:"status"`
	ContentType string     `json:"content_type"`
	Bytes       int64      `json:"bytes"`
	Width       int        `json:"width"`
	Height      int        `json:"height"`
	Position    int        `json:"position"`
	Primary     bool       `json:"primary"`
	Original    *linkReply `json:"original"`
	Thumbnail   *linkReply `json:"thumbnail"`
}

type uploadReply struct {
	Media  mediaReply `json:"media"`
	Upload linkReply  `json:"upload"`
}

// gpsMarker is the GPS latitude reference the crafted EXIF carries, to look for afterwards.
var gpsMarker = []byte("GPSLAT-N-51.5")

// jpegWithGPS encodes a w×h JPEG and inserts an APP1 EXIF segment after its SOI: a TIFF
// header, IFD0 with a GPSInfo pointer, and a GPS IFD with a latitude reference, followed by
// gpsMarker so that its survival is easy to detect.
func jpegWithGPS(t *testing.T, w, h int) []byte {
	t.Helper()
	var plain bytes.Buffer
	require.NoError(t, jpeg.Encode(&plain, gradient(w, h), nil))
	var tiff bytes.Buffer
	tiff.WriteString("MM\x00\x2a")
	for _, v := range []any{
		uint32(8), // IFD0 follows the header
		// IFD0: one entry, GPSInfo (0x8825) LONG 1 -> the GPS IFD at offset 26; no next IFD.
		uint16(1), uint16(0x8825), uint16(4), uint32(1), uint32(26), uint32(0),
		// GPS IFD: one entry, GPSLatitudeRef (1) ASCII 2 "N\0"; no next IFD.
		uint16(1), uint16(1), uint16(2), uint32(2), []byte("N\x00\x00\x00"), uint32(0),
	} {
		require.NoError(t, binary.Write(&tiff, binary.BigEndian, v))
	}
	require.Equal(t, 44, tiff.Len())
	tiff.Write(gpsMarker)
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	seg := []byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	raw := plain.Bytes()
	out := append([]byte{}, raw[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, raw[2:]...)
}

func gradient(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	return img
}

func pngOf(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

// startUpload asks for an upload of body as contentType and answers it.
func (b *bundle) startUpload(t *testing.T, token, animalID, contentType string, size int) uploadReply {
	t.Helper()
	r := b.do(t, http.MethodPost, "/api/v1/media/uploads", token, map[string]any{"animal_id": animalID, "content_type": contentType, "size": size})
	require.Equal(t, http.StatusCreated, r.Status, "upload: %s", r.Raw)
	return decodeAs[uploadReply](t, r)
}

// putObject sends body to a presigned upload with its signed headers, as a client does.
func putObject(t *testing.T, l linkReply, body []byte, headers map[string]string) int {
	t.Helper()
	req, err := http.NewRequest(l.Method, l.URL, bytes.NewReader(body))
	require.NoError(t, err)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func getObject(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url) //nolint:gosec,noctx // a presigned URL the server answered
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, body
}

// uploadPhoto uploads and confirms body, answering the ready photo.
func (b *bundle) uploadPhoto(t *testing.T, token, animalID, contentType string, body []byte) mediaReply {
	t.Helper()
	up := b.startUpload(t, token, animalID, contentType, len(body))
	require.Equal(t, http.StatusOK, putObject(t, up.Upload, body, up.Upload.Headers))
	r := b.do(t, http.MethodPost, "/api/v1/media/"+up.Media.ID+"/confirm", token, nil)
	require.Equal(t, http.StatusOK, r.Status, "confirm: %s", r.Raw)
	return decodeAs[mediaReply](t, r)
}

// mediaUsage answers the bytes the caller's organization keeps in storage.
func (b *bundle) mediaUsage(t *testing.T, token string) int64 {
	t.Helper()
	r := b.do(t, http.MethodGet, "/api/v1/media/usage", token, nil)
	require.Equal(t, http.StatusOK, r.Status, "usage: %s", r.Raw)
	return decodeAs[struct {
		Bytes int64 `json:"bytes"`
	}](t, r).Bytes
}

func TestMedia_UploadedJPEGIsStoredWithoutLocationAndWithThumbnail(t *testing.T) {
	t.Parallel()
	b := setup(t)
	owner := b.newUser(t, "media-gps")
	tok := owner.Tokens.AccessToken
	animal := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "female", "visibility": "public"})

	raw := jpegWithGPS(t, 640, 400)
	require.True(t, bytes.Contains(raw, []byte("Exif\x00\x00")) && bytes.Contains(raw, gpsMarker))
	up := b.startUpload(t, tok, animal.ID, "image/jpeg", len(raw))
	require.Equal(t, "pending", up.Media.Status)
	require.Equal(t, "PUT", up.Upload.Method)
	require.Equal(t, "image/jpeg", up.Upload.Headers["Content-Type"])
	require.Equal(t, http.StatusOK, putObject(t, up.Upload, raw, up.Upload.Headers))
	require.Zero(t, b.mediaUsage(t, tok), "a pending upload is not counted")

	r := b.do(t, http.MethodPost, "/api/v1/media/"+up.Media.ID+"/confirm", tok, nil)
	require.Equal(t, http.StatusOK, r.Status, "confirm: %s", r.Raw)
	m := decodeAs[mediaReply](t, r)
	require.Equal(t, "ready", m.Status)
	require.Equal(t, "image/jpeg", m.ContentType)
	require.Equal(t, 640, m.Width)
	require.Equal(t, 400, m.Height)

	// Anyone reads a public animal's photo, through short-lived links.
	r = b.do(t, http.MethodGet, "/api/v1/media/"+m.ID, "", nil)
	require.Equal(t, http.StatusOK, r.Status, "get: %s", r.Raw)
	got := decodeAs[mediaReply](t, r)
	require.NotNil(t, got.Original)
	require.NotNil(t, got.Thumbnail)
	status, original := getObject(t, got.Original.URL)
	require.Equal(t, http.StatusOK, status)
	require.False(t, bytes.Contains(original, []byte("Exif")), "the stored photo keeps EXIF")
	require.False(t, bytes.Contains(original, gpsMarker), "the stored photo keeps the GPS data")
	cfg, format, err := image.DecodeConfig(bytes.NewReader(original))
	require.NoError(t, err)
	require.Equal(t, "jpeg", format)
	require.Equal(t, [2]int{640, 400}, [2]int{cfg.Width, cfg.Height})
	status, thumb := getObject(t, got.Thumbnail.URL)
	require.Equal(t, http.StatusOK, status)
	cfg, _, err = image.DecodeConfig(bytes.NewReader(thumb))
	require.NoError(t, err)
	require.Equal(t, [2]int{320, 200}, [2]int{cfg.Width, cfg.Height})

	// The raw upload is gone; the organization's storage counts what is stored.
	status, _ = getObject(t, up.Upload.URL)
	require.NotEqual(t, http.StatusOK, status)
	require.Equal(t, int64(len(original)+len(thumb)), m.Bytes)
	require.Equal(t, m.Bytes, b.mediaUsage(t, tok))

	// Confirming again answers the photo as it is.
	r = b.do(t, http.MethodPost, "/api/v1/media/"+m.ID+"/confirm", tok, nil)
	require.Equal(t, http.StatusOK, r.Status, "confirm again: %s", r.Raw)
}

func TestMedia_RefusesBadUploads(t *testing.T) {
	t.Parallel()
	b := setup(t)
	owner := b.newUser(t, "media-bad")
	tok := owner.Tokens.AccessToken
	animal := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male"})
	upload := func(body map[string]any) reply {
		return b.do(t, http.MethodPost, "/api/v1/media/uploads", tok, body)
	}

	t.Run("wrong content type", func(t *testing.T) {
		r := upload(map[string]any{"animal_id": animal.ID, "content_type": "image/gif", "size": 100})
		requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
		require.Equal(t, []string{"content_type"}, problemFields(t, r))
	})
	t.Run("declared too large", func(t *testing.T) {
		r := upload(map[string]any{"animal_id": animal.ID, "content_type": "image/png", "size": 10<<20 + 1})
		requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
		require.Equal(t, []string{"size"}, problemFields(t, r))
	})
	t.Run("another organization's animal", func(t *testing.T) {
		other := b.newUser(t, "media-other-animal")
		theirs := b.createAnimal(t, other.Tokens.AccessToken, map[string]any{"species": "ball-python", "sex": "male", "visibility": "public"})
		requireProblem(t, upload(map[string]any{"animal_id": theirs.ID, "content_type": "image/png", "size": 100}), http.StatusNotFound, "not-found")
	})
	t.Run("sent with another content type than signed", func(t *testing.T) {
		body := pngOf(t, gradient(10, 10))
		up := b.startUpload(t, tok, animal.ID, "image/png", len(body))
		require.Equal(t, http.StatusForbidden, putObject(t, up.Upload, body, map[string]string{"Content-Type": "text/html"}))
	})
	t.Run("longer than signed", func(t *testing.T) {
		body := pngOf(t, gradient(10, 10))
		up := b.startUpload(t, tok, animal.ID, "image/png", len(body)-1)
		require.NotEqual(t, http.StatusOK, putObject(t, up.Upload, body, up.Upload.Headers))
	})
	t.Run("confirmed before uploading", func(t *testing.T) {
		up := b.startUpload(t, tok, animal.ID, "image/png", 100)
		requireProblem(t, b.do(t, http.MethodPost, "/api/v1/media/"+up.Media.ID+"/confirm", tok, nil), http.StatusConflict, "conflict")
	})
	confirm := func(t *testing.T, contentType string, body []byte) reply {
		up := b.startUpload(t, tok, animal.ID, contentType, len(body))
		require.Equal(t, http.StatusOK, putObject(t, up.Upload, body, up.Upload.Headers))
		return b.do(t, http.MethodPost, "/api/v1/media/"+up.Media.ID+"/confirm", tok, nil)
	}
	t.Run("not an image", func(t *testing.T) {
		requireProblem(t, confirm(t, "image/jpeg", []byte("<html>not a photo</html>")), http.StatusUnprocessableEntity, "validation-failed")
	})
	t.Run("another type than declared", func(t *testing.T) {
		requireProblem(t, confirm(t, "image/png", jpegWithGPS(t, 8, 8)), http.StatusUnprocessableEntity, "validation-failed")
	})
	t.Run("too many pixels", func(t *testing.T) {
		// A few kilobytes that would decode into 8001 pixels a side: refused from the header.
		requireProblem(t, confirm(t, "image/png", pngOf(t, image.NewGray(image.Rect(0, 0, 8001, 1)))), http.StatusRequestEntityTooLarge, "body-too-large")
	})
	t.Run("someone else's upload", func(t *testing.T) {
		body := pngOf(t, gradient(10, 10))
		up := b.startUpload(t, tok, animal.ID, "image/png", len(body))
		require.Equal(t, http.StatusOK, putObject(t, up.Upload, body, up.Upload.Headers))
		other := b.newUser(t, "media-other")
		requireProblem(t, b.do(t, http.MethodPost, "/api/v1/media/"+up.Media.ID+"/confirm", other.Tokens.AccessToken, nil), http.StatusNotFound, "not-found")
		requireProblem(t, b.do(t, http.MethodGet, "/api/v1/media/"+up.Media.ID, other.Tokens.AccessToken, nil), http.StatusNotFound, "not-found")
		requireProblem(t, b.do(t, http.MethodDelete, "/api/v1/media/"+up.Media.ID, other.Tokens.AccessToken, nil), http.StatusNotFound, "not-found")
	})
}

func TestMedia_OrderedPrimaryAndDeleted(t *testing.T) {
	t.Parallel()
	b := setup(t)
	owner := b.newUser(t, "media-order")
	tok := owner.Tokens.AccessToken
	animal := b.createAnimal(t, tok, map[string]any{"species": "ball-python", "sex": "male", "visibility": "private"})
	first := b.uploadPhoto(t, tok, animal.ID, "image/png", pngOf(t, gradient(30, 20)))
	second := b.uploadPhoto(t, tok, animal.ID, "image/jpeg", jpegWithGPS(t, 20, 30))
	require.Equal(t, "image/png", first.ContentType)
	require.Less(t, first.Position, second.Position)

	list := func(token string) []mediaReply {
		r := b.do(t, http.MethodGet, "/api/v1/animals/"+animal.ID+"/media", token, nil)
		require.Equal(t, http.StatusOK, r.Status, "list: %s", r.Raw)
		return decodeAs[struct {
			Items []mediaReply `json:"items"`
		}](t, r).Items
	}
	ids := func(ms []mediaReply) (out []string) {
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	require.Equal(t, []string{first.ID, second.ID}, ids(list(tok)))
	// A private animal's photos are nobody else's business.
	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/animals/"+animal.ID+"/media", "", nil), http.StatusNotFound, "not-found")
	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/media/"+first.ID, "", nil), http.StatusNotFound, "not-found")

	r := b.do(t, http.MethodPatch, "/api/v1/media/"+second.ID, tok, map[string]any{"position": 0, "primary": true})
	require.Equal(t, http.StatusOK, r.Status, "arrange: %s", r.Raw)
	r = b.do(t, http.MethodPatch, "/api/v1/media/"+first.ID, tok, map[string]any{"position": 5})
	require.Equal(t, http.StatusOK, r.Status, "arrange: %s", r.Raw)
	ms := list(tok)
	require.Equal(t, []string{second.ID, first.ID}, ids(ms))
	require.True(t, ms[0].Primary)
	r = b.do(t, http.MethodPatch, "/api/v1/media/"+first.ID, tok, map[string]any{"primary": true})
	require.Equal(t, http.StatusOK, r.Status, "arrange: %s", r.Raw)
	ms = list(tok)
	require.Equal(t, []bool{false, true}, []bool{ms[0].Primary, ms[1].Primary}, "one primary photo per animal")
	requireProblem(t, b.do(t, http.MethodPatch, "/api/v1/media/"+first.ID, tok, map[string]any{"position": -1}), http.StatusUnprocessableEntity, "validation-failed")

	// Two photos made primary at once: one wins, neither request fails.
	for range 10 {
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i, id := range []string{first.ID, second.ID} {
			wg.Go(func() {
				statuses[i] = b.do(t, http.MethodPatch, "/api/v1/media/"+id, tok, map[string]any{"primary": true}).Status
			})
		}
		wg.Wait()
		require.Equal(t, []int{http.StatusOK, http.StatusOK}, statuses)
		ms = list(tok)
		require.NotEqual(t, ms[0].Primary, ms[1].Primary, "exactly one primary photo")
	}

	r = b.do(t, http.MethodGet, "/api/v1/media/"+first.ID, tok, nil)
	require.Equal(t, http.StatusOK, r.Status)
	links := decodeAs[mediaReply](t, r)
	status, _ := getObject(t, links.Original.URL)
	require.Equal(t, http.StatusOK, status)

	r = b.do(t, http.MethodDelete, "/api/v1/media/"+first.ID, tok, nil)
	require.Equal(t, http.StatusNoContent, r.Status, "delete: %s", r.Raw)
	require.Equal(t, []string{second.ID}, ids(list(tok)))
	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/media/"+first.ID, tok, nil), http.StatusNotFound, "not-found")
	// The objects are gone from storage, and from the organization's count.
	for _, l := range []*linkReply{links.Original, links.Thumbnail} {
		status, _ := getObject(t, l.URL)
		require.Equal(t, http.StatusNotFound, status)
	}
	require.Equal(t, 0, b.count(t, `SELECT count(*) FROM media WHERE public_id = $1`, first.ID))
	require.Equal(t, second.Bytes, b.mediaUsage(t, tok))
}

// Photos follow their animal to its new owner, with the storage they count for.
func TestMedia_FollowTheAnimalToItsNewOwner(t *testing.T) {
	t.Parallel()
	b := setup(t)
	seller, buyer := b.newUser(t, "media-seller"), b.newUser(t, "media-buyer")
	animal := b.createAnimal(t, seller.Tokens.AccessToken, map[string]any{"species": "ball-python", "sex": "female", "visibility": "private"})
	photo := b.uploadPhoto(t, seller.Tokens.AccessToken, animal.ID, "image/png", pngOf(t, gradient(12, 12)))

	_, err := b.Admin.Exec(t.Context(), `UPDATE animals SET org_id = $2 WHERE public_id = $1`,
		animal.ID, b.orgUUID(t, buyer.Tokens.OrganizationID))
	require.NoError(t, err)

	r := b.do(t, http.MethodGet, "/api/v1/animals/"+animal.ID+"/media", buyer.Tokens.AccessToken, nil)
	require.Equal(t, http.StatusOK, r.Status, "list: %s", r.Raw)
	require.Contains(t, string(r.Raw), photo.ID)
	r = b.do(t, http.MethodPatch, "/api/v1/media/"+photo.ID, buyer.Tokens.AccessToken, map[string]any{"primary": true})
	require.Equal(t, http.StatusOK, r.Status, "arrange: %s", r.Raw)
	require.Equal(t, photo.Bytes, b.mediaUsage(t, buyer.Tokens.AccessToken))
	require.Zero(t, b.mediaUsage(t, seller.Tokens.AccessToken))
	requireProblem(t, b.do(t, http.MethodGet, "/api/v1/media/"+photo.ID, seller.Tokens.AccessToken, nil), http.StatusNotFound, "not-found")
}
