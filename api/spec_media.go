package api

import (
	"net/http"
)

// mediaResource documents photos of animals, kept in object storage.
var mediaResource = apiResource{
	Tag: "media",
	About: "Photos of animals, uploaded straight to object storage. Ask for an upload (POST /api/v1/media/uploads), " +
		"PUT the bytes to the presigned URL with the headers given, then confirm it: the photo is checked to be a " +
		"JPEG, PNG or WebP image of the declared type, at most 10 MiB, 8000 pixels a side and 40 megapixels; it is " +
		"decoded and encoded again, so that no EXIF, GPS location or other metadata of the original is kept " +
		"(PNG stays PNG; JPEG and WebP are stored as JPEG), and given a JPEG thumbnail of at most 320 pixels a side. " +
		"Uploads not confirmed within an hour are swept. A photo's links are presigned and short-lived (5 minutes). " +
		"Photos are ordered on their animal and one may be primary; they follow it to a new owner. Anyone may see a " +
		"public animal's photos.",
	Schemas: []schemaDef{
		{Name: "UploadRequest", Type: uploadRequest{}},
		{Name: "PresignedLink", Type: linkView{}, Description: "A presigned request to object storage."},
		{Name: "Media", Type: mediaView{}, Description: "A photo of an animal."},
		{Name: "Photo", Type: photoView{}, Description: "A ready photo with presigned downloads, as a listing shows it."},
		{Name: "PhotoRef", Type: photoRef{}, Description: "A photo as an animal or a pedigree shows it: its ID and its thumbnail."},
		{Name: "Upload", Type: uploadView{}, Description: "A pending photo and the presigned PUT for its bytes."},
		{Name: "MediaPage", Type: mediaPage{}},
		{Name: "MediaUsage", Type: mediaUsageView{}, Description: "What an organization keeps in storage."},
		{Name: "ArrangeMediaRequest", Type: arrangeMediaRequest{},
			Description: "The fields to change; those left out stay as they are."},
	},
	Operations: []operation{
		{
			Method: http.MethodPost, Path: "/api/v1/media/uploads", ID: "startUpload",
			Summary: "Upload a photo of an animal",
			Description: "A keeper, admin or owner declares a photo of one of the organization's animals: its content " +
				"type (image/jpeg, image/png or image/webp) and exact size (at most 10 MiB). The answer is the pending " +
				"media and a presigned PUT valid for 15 minutes, with the Content-Type and Content-Length signed into " +
				"it: send the bytes with exactly the headers given, then POST /api/v1/media/{mediaID}/confirm. " +
				"Idempotency-Key is optional: for 24 hours the same key with the same body answers the first answer again.",
			Params: []param{{Name: "Idempotency-Key", In: "header",
				Description: "A key of the caller's choosing that makes a retry of this request safe, remembered for 24 hours.",
				Schema:      `{"maxLength": 200, "type": "string"}`}},
			Body: uploadRequest{},
			Responses: []reply{
				{Status: 201, Description: "The pending media and its upload.", Body: uploadView{},
					Headers: []header{
						{Name: "Location", Required: true, Schema: `{"type": "string", "format": "uri-reference"}`,
							Description: "The media's URL."},
						{Name: "Idempotent-Replayed", Schema: `{"type": "string", "enum": ["true"]}`,
							Description: "true when this is the stored answer to an earlier request with the same Idempotency-Key and body, replayed."}}},
				{Status: 403, Description: "forbidden: viewers cannot add photos."},
				{Status: 404, Description: "not-found: the animal is not one of the organization's."},
				{Status: 409, Description: "conflict: a request with this Idempotency-Key is still being handled (retry after Retry-After).",
					Headers: []header{{Name: "Retry-After", Schema: `{"type": "integer"}`,
						Description: "Seconds to wait before retrying the request."}}},
				{Status: 422, Description: "validation-failed: errors names content_type (not image/jpeg, image/png or " +
					"image/webp) or size (not 1 to 10485760 bytes); or Idempotency-Key used for another request."},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/media/usage", ID: "mediaUsage",
			Summary: "The organization's storage",
			Description: "Bytes the organization keeps in storage: its ready photos and thumbnails, counted from the " +
				"photos themselves, so the count cannot drift. Pending uploads and deleted photos do not count. Any " +
				"member may read it.",
			Responses: []reply{
				{Status: 200, Description: "The organization's storage.", Body: mediaUsageView{}},
			},
		},
		{
			Method: http.MethodPost, Path: "/api/v1/media/{mediaID}/confirm", ID: "confirmUpload",
			Summary: "Confirm an uploaded photo",
			Description: "Checks the uploaded object: it must be an image of the declared type, at most 10 MiB, 8000 " +
				"pixels a side and 40 megapixels (the image's header is read before any decoding). It is then stored " +
				"encoded again, without any metadata (EXIF, GPS location, comments), with a thumbnail, and the raw " +
				"upload is deleted once the photo is ready. A refused upload is deleted; upload it again under a new " +
				"media. Confirming a ready photo answers it as it is, and so does a confirmation sent twice at once: " +
				"one stores the photo, the other answers it. A media deleted while it is being confirmed answers 404 " +
				"and leaves nothing in storage.",
			Params: []param{mediaIDParam},
			Responses: []reply{
				{Status: 200, Description: "The photo, ready.", Body: mediaView{}},
				{Status: 403, Description: "forbidden: viewers cannot add photos."},
				{Status: 404, Description: "not-found: the media is not one of the organization's, or was deleted."},
				{Status: 409, Description: "conflict: nothing was uploaded for this media yet, or the upload was refused."},
				{Status: 413, Description: "body-too-large: the image is over 10 MiB, 8000 pixels a side or 40 megapixels."},
				{Status: 422, Description: "validation-failed: the upload is not a JPEG, PNG or WebP image of the declared type."},
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/media/{mediaID}", ID: "getMedia",
			Public:  true,
			Summary: "A photo, with download links",
			Description: "The photo and, once ready, presigned GETs of it and of its thumbnail, valid for 5 minutes " +
				"(answered as JSON rather than a redirect, so that one request gives both). Members see their " +
				"organization's photos, pending ones too; anyone sees the ready photos of a public animal. Public: " +
				"a token is optional, and checked when sent. Throttled per client together with search.",
			Params: []param{mediaIDParam},
			Responses: []reply{
				{Status: 200, Description: "The photo.", Body: mediaView{}},
				{Status: 401, Description: "unauthenticated: a token was sent but is invalid or expired, or its session has ended; " +
					"send none to read as anyone.",
					Headers: []header{{Name: "WWW-Authenticate", Schema: `{"type": "string"}`, Description: "Bearer realm=\"reptidex\"."}}},
				{Status: 404, Description: "not-found: no photo the caller may see has this ID."},
				listingsRateLimited,
			},
		},
		{
			Method: http.MethodGet, Path: "/api/v1/animals/{animalID}/media", ID: "listAnimalMedia",
			Public:  true,
			Summary: "An animal's photos",
			Description: "The animal's ready photos by position (then age), without links: GET each for its links. " +
				"Members see their organization's animals; anyone sees a public animal's. Public: a token is " +
				"optional, and checked when sent. Throttled per client together with search.",
			Params: []param{{Name: "animalID", In: "path", Description: "Public ID of the animal.", Schema: `{"type": "string"}`}},
			Responses: []reply{
				{Status: 200, Description: "The photos.", Body: mediaPage{}},
				{Status: 401, Description: "unauthenticated: a token was sent but is invalid or expired, or its session has ended; " +
					"send none to read as anyone.",
					Headers: []header{{Name: "WWW-Authenticate", Schema: `{"type": "string"}`, Description: "Bearer realm=\"reptidex\"."}}},
				{Status: 404, Description: "not-found: no animal the caller may see has this ID."},
				listingsRateLimited,
			},
		},
		{
			Method: http.MethodPatch, Path: "/api/v1/media/{mediaID}", ID: "arrangeMedia",
			Summary: "Order a photo, or make it primary",
			Description: "A keeper, admin or owner sets a ready photo's position among its animal's and whether it is " +
				"the primary photo; making one primary takes the mark from the animal's previous primary photo.",
			Params: []param{mediaIDParam},
			Body:   arrangeMediaRequest{},
			Responses: []reply{
				{Status: 200, Description: "The photo, changed.", Body: mediaView{}},
				{Status: 403, Description: "forbidden: viewers cannot change photos."},
				{Status: 404, Description: "not-found: the media is not one of the organization's."},
				{Status: 409, Description: "conflict: the upload is not confirmed yet."},
				{Status: 422, Description: "validation-failed: position is not 0 to 10000."},
			},
		},
		{
			Method: http.MethodDelete, Path: "/api/v1/media/{mediaID}", ID: "deleteMedia",
			Summary: "Delete a photo",
			Description: "A keeper, admin or owner deletes a photo or pending upload: it is gone from view and from the " +
				"organization's storage at once, and its objects are removed from storage (retried by the sweep if " +
				"storage fails).",
			Params: []param{mediaIDParam},
			Responses: []reply{
				{Status: 204, Description: "Deleted."},
				{Status: 403, Description: "forbidden: viewers cannot change photos."},
				{Status: 404, Description: "not-found: the media is not one of the organization's."},
			},
		},
	},
}

var mediaIDParam = param{Name: "mediaID", In: "path", Description: "Public ID of the media (id of a Media). " +
	"Media the caller may not see answers 404, exactly like media that does not exist.", Schema: `{"type": "string"}`}
