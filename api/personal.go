package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/jobs"
	"github.com/reptidex/reptidex/store"
)

type personalExportView struct {
	// Public ID of the personal export.
	ID string `json:"id"`
	// running until the document is stored, then ready until it expires; failed when it could not be built.
	Status     string     `json:"status" jsonschema:"enum=running,enum=ready,enum=failed,enum=expired"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// When a ready document and its link stop working, 7 days after it was ready.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// The document's size in bytes, once ready.
	Bytes int64 `json:"bytes,omitempty"`
	// Why it failed.
	Problem string `json:"problem,omitempty"`
	// A presigned download of the document, once ready, working until it expires.
	Download *linkView `json:"download,omitempty"`
}

func viewPersonalExport(e store.PersonalExport) personalExportView {
	v := personalExportView{ID: e.PublicID, Status: e.Status, CreatedAt: e.CreatedAt, FinishedAt: e.FinishedAt, Problem: e.Problem}
	if e.Status == "ready" && !e.ExpiresAt.After(time.Now()) {
		v.Status = "expired"
	}
	if e.Status == "ready" {
		v.ExpiresAt, v.Bytes = e.ExpiresAt, e.Bytes
	}
	return v
}

// requestPersonalExport records the document of everything held about the caller as
// running, with the job that builds it; the caller is sent its link.
func (s *Server) requestPersonalExport(w http.ResponseWriter, r *http.Request) error {
	var v personalExportView
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		e := store.PersonalExport{ID: uuid.New(), PublicID: store.NewPublicID()}
		err := store.InsertPersonalExport(r.Context(), tx, e)
		if errors.Is(err, store.ErrExportRunning) {
			return newProblem(kindConflict, "Your personal data is already being gathered; you will be sent the link.")
		}
		if err != nil {
			return err
		}
		if _, err := s.river.InsertTx(r.Context(), tx, jobs.BuildPersonalExportArgs{ExportID: e.ID, UserID: a.UserID}, nil); err != nil {
			return err
		}
		stored, err := store.PersonalExportByID(r.Context(), tx, e.ID)
		v = viewPersonalExport(stored)
		return err
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/me/exports/"+v.ID)
	return writeJSON(w, http.StatusAccepted, v)
}

// getPersonalExport answers one of the caller's personal exports, with its download once
// ready.
func (s *Server) getPersonalExport(w http.ResponseWriter, r *http.Request) error {
	var e store.PersonalExport
	err := s.withAccess(r, "", func(tx pgx.Tx, _ access) (err error) {
		e, err = inPath[store.PersonalExport, store.Querier](r, tx, "exportID", "personal export", store.PersonalExportByPublicID)
		return err
	})
	if err != nil {
		return err
	}
	v := viewPersonalExport(e)
	if v.Status == "ready" {
		link, err := s.media.PresignObjectUntil(r.Context(), e.ObjectKey, *e.ExpiresAt)
		if err != nil {
			return err
		}
		l := viewLink(link)
		v.Download = &l
	}
	return writeJSON(w, http.StatusOK, v)
}

// personalRoutes: what ReptiDex holds about the caller, for the caller.
func (s *Server) personalRoutes(r chi.Router) {
	r.Use(s.authenticate)
	r.Post("/me/export", s.handle(s.requestPersonalExport))
	r.Get("/me/exports/{exportID}", s.handle(s.getPersonalExport))
}
