package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/exports"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/export"
)

type exportView struct {
	// Public ID of the export.
	ID string `json:"id"`
	// running until its ZIP is stored, then ready until it expires; failed when it could not
	// be finished (nothing of it is kept).
	Status     string     `json:"status" jsonschema:"enum=running,enum=ready,enum=failed,enum=expired"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// When a ready export's ZIP and link stop working, 7 days after it was ready.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// The ZIP's size in bytes, once ready.
	Bytes int64 `json:"bytes,omitempty"`
	// Rows in each file of the ZIP, by file name, once ready.
	Files map[string]int64 `json:"files,omitempty"`
	// Why a failed export failed.
	Problem string `json:"problem,omitempty"`
	// Public ID of the schedule that made it; absent for one asked for, or once the schedule is deleted.
	ScheduleID string `json:"schedule_id,omitempty"`
	// How far a running export has gone, as its process answers on GET /api/v1/exports/{exportID};
	// absent when the process cannot be asked at the moment.
	Progress *export.Progress `json:"progress,omitempty"`
	// A presigned download of the ZIP, on GET /api/v1/exports/{exportID} once ready, working until the export expires.
	Download *linkView `json:"download,omitempty"`
}

func viewExport(e store.Export) exportView {
	v := exportView{ID: e.PublicID, Status: e.Status, CreatedAt: e.CreatedAt, FinishedAt: e.FinishedAt, Problem: e.Problem,
		ScheduleID: e.SchedulePublicID}
	if e.Status == "ready" && !e.ExpiresAt.After(time.Now()) {
		v.Status = "expired" // its ZIP is deleted by the next sweep
	}
	if e.Status == "ready" || e.Status == "expired" {
		v.ExpiresAt, v.Bytes, v.Files = e.ExpiresAt, e.Bytes, e.Files
	}
	return v
}

type exportPage struct {
	// The organization's latest exports, newest first; [] when none.
	Items []exportView `json:"items"`
}

// requestExport records an export of the organization's data as running and starts its
// process (exports.Request); owners and admins. It answers 202: the export is ready once
// its ZIP is stored, and the requester is sent the link.
func (s *Server) requestExport(w http.ResponseWriter, r *http.Request) error {
	return s.idempotent(w, r, idempotentOp{Name: "export.request"}, func(r *http.Request, k *keyed) (response, error) {
		var resp response
		err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
			if err := exportAdmin(a); err != nil {
				return err
			}
			e, err := exports.Request(r.Context(), tx, s.river, a)
			if errors.Is(err, store.ErrExportRunning) {
				return newProblem(kindConflict, "An export of the organization is already running; it will be ready soon.")
			}
			if err != nil {
				return err
			}
			resp = response{Status: http.StatusAccepted, Body: viewExport(e), Location: "/api/v1/exports/" + e.PublicID}
			return k.save(r.Context(), tx, resp)
		})
		return resp, err
	})
}

// exportAdmin refuses a caller who is neither owner nor admin: they alone export the
// organization's data and schedule its exports.
func exportAdmin(a access) error {
	if !a.Role.AtLeast(membership.Admin) {
		return newProblem(kindForbidden, "Only owners and admins export the organization's data and schedule its exports.")
	}
	return nil
}

// listExports lists the organization's latest exports, without links.
func (s *Server) listExports(w http.ResponseWriter, r *http.Request) error {
	out := exportPage{Items: []exportView{}}
	err := s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		es, err := store.ExportsOfOrganization(r.Context(), tx, 100)
		for _, e := range es {
			out.Items = append(out.Items, viewExport(e))
		}
		return err
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// progressWait bounds asking a running export for its progress: the answer goes without it
// rather than wait on Temporal.
const progressWait = 2 * time.Second

// getExport answers one of the organization's exports: a running one with its progress, a
// ready one with its download link.
func (s *Server) getExport(w http.ResponseWriter, r *http.Request) error {
	v, err := s.readExport(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

// readExport reads the organization's export named by the path, as the API answers it and
// its page shows it: a running one with its progress, when its process answers within
// progressWait; a ready one with its download link, working until it expires.
func (s *Server) readExport(r *http.Request) (exportView, error) {
	var e store.Export
	err := s.withAccess(r, "", func(tx pgx.Tx, _ access) (err error) {
		e, err = inPath[store.Export, store.Querier](r, tx, "exportID", "export", store.ExportByPublicID)
		return err
	})
	if err != nil {
		return exportView{}, err
	}
	v := viewExport(e)
	switch v.Status {
	case "running":
		ctx, cancel := context.WithTimeout(r.Context(), progressWait)
		defer cancel()
		if p, err := export.QueryProgress(ctx, s.temporal, e.ID); err == nil {
			v.Progress = &p
		} else {
			s.log.WarnContext(r.Context(), "an export's progress could not be asked", "export", e.PublicID, "error", err)
		}
	case "ready":
		link, err := s.media.PresignObjectUntil(r.Context(), e.ObjectKey, *e.ExpiresAt)
		if err != nil {
			return exportView{}, err
		}
		l := viewLink(link)
		v.Download = &l
	}
	return v, nil
}
