package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/temporal"

	"github.com/reptidex/reptidex/accounts"
	"github.com/reptidex/reptidex/auth"
	"github.com/reptidex/reptidex/jobs"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/deletion"
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
	v, err := s.readPersonalExport(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

// readPersonalExport reads the caller's personal export named by the path, as the API
// answers it and its page shows it: with its download once ready. Another person's is not
// found, exactly like one that does not exist.
func (s *Server) readPersonalExport(r *http.Request) (personalExportView, error) {
	var e store.PersonalExport
	err := s.withAccess(r, "", func(tx pgx.Tx, _ access) (err error) {
		e, err = inPath[store.PersonalExport, store.Querier](r, tx, "exportID", "personal export", store.PersonalExportByPublicID)
		return err
	})
	if err != nil {
		return personalExportView{}, err
	}
	v := viewPersonalExport(e)
	if v.Status == "ready" {
		link, err := s.media.PresignObjectUntil(r.Context(), e.ObjectKey, *e.ExpiresAt)
		if err != nil {
			return personalExportView{}, err
		}
		l := viewLink(link)
		v.Download = &l
	}
	return v, nil
}

// personalRoutes: what ReptiDex holds about the caller, for the caller.
func (s *Server) personalRoutes(r chi.Router) {
	r.Use(s.authenticate)
	r.Post("/me/export", s.handle(s.requestPersonalExport))
	r.Get("/me/exports/{exportID}", s.handle(s.getPersonalExport))
	r.With(s.limiter.middleware).Post("/me/deletion", s.handle(s.requestDeletion))
	r.Get("/me/deletion", s.handle(s.getDeletion))
	r.Delete("/me/deletion", s.handleWaiting(s.cancelDeletion))
}

type deletionRequest struct {
	// The caller's password: deleting an account needs it.
	Password string `json:"password" jsonschema:"required,maxLength=1024"`
}

type deletionOrganization struct {
	// Public ID and name of an organization where the caller is the last owner.
	ID   string `json:"id"`
	Name string `json:"name"`
	// handed_over to its longest-standing other member (admins first, then keepers, then viewers), or closed when it has no other member.
	Fate string `json:"fate" jsonschema:"enum=handed_over,enum=closed"`
	// The member it passes to, when handed over.
	Heir string `json:"heir,omitempty"`
}

type deletionView struct {
	// none, or scheduled: the account will be erased at erase_at unless the deletion is cancelled.
	Status  string     `json:"status" jsonschema:"enum=none,enum=scheduled"`
	EraseAt *time.Time `json:"erase_at,omitempty"`
	// What erasing would do, as things stand, to the organizations where the caller is the last owner; [] when none.
	Organizations []deletionOrganization `json:"organizations"`
}

// readDeletion answers where the caller's deletion stands, and what erasing would do.
func readDeletion(ctx context.Context, tx pgx.Tx) (deletionView, error) {
	d, err := store.DeletionOfUser(ctx, tx)
	if err != nil {
		return deletionView{}, err
	}
	v := deletionView{Status: "none", Organizations: []deletionOrganization{}}
	if d.EraseAt != nil {
		v.Status, v.EraseAt = "scheduled", d.EraseAt
	}
	heirs, err := store.HeirsOfUser(ctx, tx)
	if err != nil {
		return deletionView{}, err
	}
	for _, h := range heirs {
		o := deletionOrganization{ID: h.OrgPublicID, Name: h.OrgName, Fate: "closed"}
		if h.HeirID != nil {
			o.Fate, o.Heir = "handed_over", h.HeirName
		}
		v.Organizations = append(v.Organizations, o)
	}
	return v, nil
}

// requestDeletion schedules the caller's account to be erased after the grace, with the job
// that starts the deletion's process; it needs the caller's password, checked outside any
// transaction (and throttled per client address, as logging in is). An organization the
// erasure would close while it pays a subscription must have it cancelled first.
func (s *Server) requestDeletion(w http.ResponseWriter, r *http.Request) error {
	var in deletionRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var u store.User
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) (err error) {
		u, err = store.UserByID(r.Context(), tx, a.UserID)
		return err
	})
	if err != nil {
		return err
	}
	if ok, err := auth.VerifyPassword(u.PasswordHash, in.Password); err != nil || !ok {
		return invalid(FieldError{"password", "is not the password of your account"})
	}
	var v deletionView
	err = s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		err := accounts.RequestDeletion(r.Context(), tx, s.river, a.UserID, u.PublicID)
		var paid *accounts.PaidClosingError
		switch {
		case errors.As(err, &paid):
			return newProblem(kindConflict, paid.OrgName+" pays a subscription and would be closed with your account: "+
				"cancel the subscription first, or make another member an owner.")
		case errors.Is(err, accounts.ErrDeletionScheduled):
			return newProblem(kindConflict, "Your account is already to be deleted; GET /api/v1/me/deletion says when.")
		case err != nil:
			return err
		}
		v, err = readDeletion(r.Context(), tx)
		return err
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, v)
}

// getDeletion answers where the caller's deletion stands.
func (s *Server) getDeletion(w http.ResponseWriter, r *http.Request) error {
	v, err := s.callersDeletion(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

// callersDeletion reads where the caller's deletion stands.
func (s *Server) callersDeletion(r *http.Request) (v deletionView, err error) {
	err = s.withAccess(r, "", func(tx pgx.Tx, _ access) (err error) {
		v, err = readDeletion(r.Context(), tx)
		return err
	})
	return v, err
}

// cancelDeletion keeps the caller's account: the deletion's process is told, within the
// grace.
func (s *Server) cancelDeletion(w http.ResponseWriter, r *http.Request) error {
	if err := s.keepAccount(r); err != nil {
		return err
	}
	v, err := s.callersDeletion(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

// keepAccount cancels the caller's scheduled deletion, as DELETE /api/v1/me/deletion and
// the deletion page's button do: the deletion's process is told, and refuses once the
// erasure has begun.
func (s *Server) keepAccount(r *http.Request) error {
	var in deletion.Input
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		d, err := store.DeletionOfUser(r.Context(), tx)
		if err != nil {
			return err
		}
		if d.EraseAt == nil {
			return newProblem(kindConflict, "Your account is not to be deleted.")
		}
		u, err := store.UserByID(r.Context(), tx, a.UserID)
		in = deletion.InputAt(a.UserID, u.PublicID, d.EraseAt.Add(-deletion.Grace))
		return err
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), updateTimeout)
	defer cancel()
	err = deletion.Cancel(ctx, s.temporal, s.cfg.Temporal.TaskQueue, in)
	var appErr *temporal.ApplicationError
	switch {
	case errors.As(err, &appErr) && appErr.Type() == deletion.ErrTypeRefused:
		return newProblem(kindConflict, appErr.Message())
	case errors.Is(err, context.DeadlineExceeded):
		return newProblem(kindUnavailable, "The deletion did not answer in time; look at it again in a moment to see whether your account is kept.")
	case err != nil:
		return fmt.Errorf("cancel the deletion of %s: %w", in.PublicID, err)
	}
	return nil
}
