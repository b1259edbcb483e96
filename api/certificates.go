package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/certificates"
	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/store"
)

// certificateKeys publishes the public keys pedigree certificates are verified with, so that
// anyone can check a certificate offline, without trusting this server at that moment.
func (s *Server) certificateKeys(w http.ResponseWriter, r *http.Request) error {
	return writePublicJSON(w, s.certKeys.Published(), 5*time.Minute)
}

type certificateView struct {
	// The certificate's serial, printed on it and checked at the public verify page.
	Serial string `json:"serial"`
	// Public ID of the animal it certifies.
	AnimalID string `json:"animal_id"`
	// issuing until signed and stored, then issued; failed when it could not be issued
	// (nothing was issued under its serial); superseded or revoked later.
	Status    string     `json:"status" jsonschema:"enum=issuing,enum=issued,enum=failed,enum=superseded,enum=revoked"`
	CreatedAt time.Time  `json:"created_at"`
	IssuedAt  *time.Time `json:"issued_at,omitempty"`
	// ID of the key that signed it, once issued.
	KeyID string `json:"key_id,omitempty"`
	// A short-lived presigned download of the PDF, on GET /api/v1/certificates/{serial} once issued.
	PDF *linkView `json:"pdf,omitempty"`
}

func viewCertificate(c store.Certificate) certificateView {
	return certificateView{Serial: c.Serial, AnimalID: c.AnimalPublicID, Status: c.Status, CreatedAt: c.CreatedAt,
		IssuedAt: c.IssuedAt, KeyID: c.KeyID}
}

type certificatePage struct {
	// The animal's certificates, newest first; [] when none.
	Items []certificateView `json:"items"`
}

// requestCertificate records a certificate of one of the organization's animals as issuing
// and starts its process (certificates.Request); owners and admins. It answers 202: the
// certificate is issued once signed and stored.
func (s *Server) requestCertificate(w http.ResponseWriter, r *http.Request) error {
	animalID := chi.URLParam(r, "animalID")
	op := idempotentOp{Name: "certificate.request", Request: animalID}
	return s.idempotent(w, r, op, func(r *http.Request, k *keyed) (response, error) {
		var resp response
		err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
			if !a.Role.AtLeast(membership.Admin) {
				return newProblem(kindForbidden, "Only owners and admins issue certificates.")
			}
			c, err := certificates.Request(r.Context(), tx, s.river, a, animalID)
			if err != nil {
				return certificateProblem(err)
			}
			resp = response{Status: http.StatusAccepted, Body: viewCertificate(c), Location: "/api/v1/certificates/" + c.Serial}
			return k.save(r.Context(), tx, resp)
		})
		return resp, err
	})
}

// animalCertificates lists the organization's certificates of one of its animals.
func (s *Server) animalCertificates(w http.ResponseWriter, r *http.Request) error {
	out := certificatePage{Items: []certificateView{}}
	err := s.withAccess(r, "", func(tx pgx.Tx, acc access) error {
		a, err := store.AnimalByPublicID(r.Context(), tx, chi.URLParam(r, "animalID"))
		if err == nil && a.OrgID != acc.OrgID {
			err = store.ErrNotFound
		}
		if err != nil {
			return certificateProblem(err)
		}
		cs, err := store.CertificatesOfAnimal(r.Context(), tx, a.ID)
		for _, c := range cs {
			out.Items = append(out.Items, viewCertificate(c))
		}
		return err
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// getCertificate answers one of the organization's certificates by serial, with a
// short-lived link to its PDF once issued.
func (s *Server) getCertificate(w http.ResponseWriter, r *http.Request) error {
	v, err := s.readCertificate(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

// readCertificate reads the organization's certificate named by the path's serial, with a
// short-lived link to its PDF once issued: what the API answers and the certificate's page
// shows. Another organization's is not found, exactly like one that does not exist.
func (s *Server) readCertificate(r *http.Request) (certificateView, error) {
	var c store.Certificate
	err := s.withAccess(r, "", func(tx pgx.Tx, _ access) (err error) {
		c, err = inPath[store.Certificate, store.Querier](r, tx, "serial", "certificate", store.CertificateBySerial)
		return err
	})
	if err != nil {
		return certificateView{}, err
	}
	v := viewCertificate(c)
	if c.PDFKey != "" {
		link, err := s.media.PresignObject(r.Context(), c.PDFKey)
		if err != nil {
			return certificateView{}, err
		}
		l := viewLink(link)
		v.PDF = &l
	}
	return v, nil
}

// certificateProblem answers what certificates refuse.
func certificateProblem(err error) error {
	switch {
	case errors.Is(err, certificates.ErrAnimalNotFound), errors.Is(err, store.ErrNotFound):
		return notFound("animal")
	case errors.Is(err, certificates.ErrNotCertifiable):
		return newProblem(kindValidation, "Archived and reference animals cannot be certified.")
	}
	return err
}
