package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/reptidex/reptidex/domain/membership"
	"github.com/reptidex/reptidex/imports"
	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/importing"
)

// maxImportBytes is the largest file an import takes: 64 MiB, some 500,000 rows of the
// template, more than the 200,000 rows it reads.
const maxImportBytes = 64 << 20

// importContentType is the type an import's file is uploaded as (signed into its upload).
const importContentType = "text/csv"

type importRequest struct {
	// The file's size in bytes, signed into its upload: 1 to 67108864.
	Size int64 `json:"size" jsonschema:"required,minimum=1,maximum=67108864"`
	// The file's name, as the breeder knows it.
	FileName string `json:"file_name,omitempty" jsonschema:"maxLength=255"`
}

type importCheckRequest struct {
	// The breeder's mapping of columns over the one detected: header → field (breeder_id, name, species, sex,
	// hatch_date, genetics, sire, dam, status, visibility, microchip), or ignore. Absent or {} keeps the one detected.
	Mapping map[string]string `json:"mapping,omitempty"`
}

type importColumn struct {
	// The column's header as the file has it.
	Header string `json:"header"`
	// The field it is read as; absent when the column is ignored.
	Field string `json:"field,omitempty"`
}

type importReportView struct {
	// Why the file cannot be read at all; when present, nothing else is known.
	Unreadable string `json:"unreadable,omitempty"`
	// utf-8, utf-8 with a byte order mark, or windows-1252.
	Encoding string `json:"encoding,omitempty"`
	// template (our documented columns), marketplace (the common marketplace inventory columns), or export (a ReptiDex export's animals.csv).
	Layout string `json:"layout,omitempty" jsonschema:"enum=template,enum=marketplace,enum=export"`
	// Each column of the file, and the field it is read as.
	Columns []importColumn `json:"columns"`
	// Rows of the file, below its header.
	Rows int `json:"rows"`
	// Rows that can go in.
	Valid int `json:"valid"`
	// Of those, rows that would be recorded new, and rows that would update one of the organization's animals (same breeder ID).
	Creates int `json:"creates"`
	Updates int `json:"updates"`
	// Every problem, by line: the first 1000 listed.
	Problems []imports.Problem `json:"problems"`
	// Problems in all.
	ProblemCount int `json:"problem_count"`
}

type importAppliedView struct {
	// Batches of 500 rows applied, of all of them.
	BatchesDone int `json:"batches_done"`
	Batches     int `json:"batches"`
	// Rows recorded new and updated so far.
	Created int `json:"created"`
	Updated int `json:"updated"`
	// Rows refused, when read and when applied.
	Refused int `json:"refused"`
	// Why rows were refused as they were applied (those refused when read are in the report): the first 1000.
	Problems []imports.Problem `json:"problems"`
}

type importView struct {
	// Public ID of the import.
	ID string `json:"id"`
	// uploading until first checked; checking; checked (its report ready, waiting to be applied); applying; then
	// applied, failed, cancelled, or expired (not applied within 7 days of its upload).
	Status     string     `json:"status" jsonschema:"enum=uploading,enum=checking,enum=checked,enum=applying,enum=applied,enum=failed,enum=cancelled,enum=expired"`
	FileName   string     `json:"file_name,omitempty"`
	Bytes      int64      `json:"bytes"`
	CreatedAt  time.Time  `json:"created_at"`
	CheckedAt  *time.Time `json:"checked_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// When an import not applied by then is dropped with its file.
	ExpiresAt time.Time `json:"expires_at"`
	// The last check's report (the dry run), on GET /api/v1/imports/{importID} once checked.
	Report *importReportView `json:"report,omitempty"`
	// What applying did, so far, once applying.
	Applied *importAppliedView `json:"applied,omitempty"`
	// Why a failed import failed.
	Problem string `json:"problem,omitempty"`
}

type importUploadView struct {
	Import importView `json:"import"`
	// The presigned PUT that uploads the file, with Content-Type text/csv and exactly the declared size.
	Upload linkView `json:"upload"`
}

type importPage struct {
	// The organization's latest imports, newest first, without their reports; [] when none.
	Items []importView `json:"items"`
}

// viewImport is an import as answered; withReport adds its report and the problems of rows
// refused when applied.
func viewImport(im store.Import, withReport bool) (importView, error) {
	v := importView{ID: im.PublicID, Status: im.Status, FileName: im.FileName, Bytes: im.Bytes, CreatedAt: im.CreatedAt,
		CheckedAt: im.CheckedAt, FinishedAt: im.FinishedAt, ExpiresAt: im.ExpiresAt, Problem: im.Problem}
	if im.Batches > 0 {
		v.Applied = &importAppliedView{BatchesDone: im.BatchesDone, Batches: im.Batches, Created: im.Created, Updated: im.Updated,
			Refused: im.Refused, Problems: []imports.Problem{}}
	}
	if !withReport {
		return v, nil
	}
	if im.Report != nil {
		var r imports.Report
		if err := json.Unmarshal(im.Report, &r); err != nil {
			return v, fmt.Errorf("import %s report: %w", im.PublicID, err)
		}
		v.Report = &importReportView{Unreadable: r.Unreadable, Encoding: r.Encoding, Layout: string(r.Layout), Columns: []importColumn{},
			Rows: r.Rows, Valid: r.Valid, Creates: r.Creates, Updates: r.Updates, Problems: r.Problems, ProblemCount: r.ProblemCount}
		for i, h := range r.Header {
			v.Report.Columns = append(v.Report.Columns, importColumn{Header: h, Field: string(r.Mapping[i])})
		}
		if v.Report.Problems == nil {
			v.Report.Problems = []imports.Problem{}
		}
	}
	if v.Applied != nil {
		if err := json.Unmarshal(im.ApplyProblems, &v.Applied.Problems); err != nil {
			return v, fmt.Errorf("import %s problems: %w", im.PublicID, err)
		}
	}
	return v, nil
}

// startImport records an import uploading and answers a presigned PUT for its file, and
// starts its process in the same transaction (a River job); keepers, owners and admins.
func (s *Server) startImport(w http.ResponseWriter, r *http.Request) error {
	var in importRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var fields []FieldError
	if in.Size < 1 || in.Size > maxImportBytes {
		fields = append(fields, FieldError{"size", fmt.Sprintf("must be 1 to %d bytes", maxImportBytes)})
	}
	if len([]rune(in.FileName)) > 255 {
		fields = append(fields, FieldError{"file_name", "must be at most 255 characters"})
	}
	if len(fields) > 0 {
		return invalid(fields...)
	}
	op := idempotentOp{Name: "import.start", Request: in}
	return s.idempotent(w, r, op, func(r *http.Request, k *keyed) (response, error) {
		var resp response
		err := s.withKeeper(r, func(tx pgx.Tx, a access) error {
			stored, err := imports.Start(r.Context(), tx, s.river, a.OrgID, a.UserID, in.FileName, in.Size)
			if err != nil {
				return err
			}
			link, err := s.media.PresignUpload(r.Context(), stored.ObjectKey, importContentType, stored.Bytes)
			if err != nil {
				return err
			}
			v, err := viewImport(stored, false)
			if err != nil {
				return err
			}
			resp = response{Status: http.StatusCreated, Body: importUploadView{Import: v, Upload: viewLink(link)},
				Location: "/api/v1/imports/" + stored.PublicID}
			return k.save(r.Context(), tx, resp)
		})
		return resp, err
	})
}

// listImports lists the organization's latest imports, without their reports.
func (s *Server) listImports(w http.ResponseWriter, r *http.Request) error {
	out := importPage{Items: []importView{}}
	err := s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		ims, err := store.ImportsOfOrganization(r.Context(), tx, 100)
		for _, im := range ims {
			v, verr := viewImport(im, false)
			if verr != nil {
				return verr
			}
			out.Items = append(out.Items, v)
		}
		return err
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// getImport answers one of the organization's imports with its report, where its process
// stands, and what applying did.
func (s *Server) getImport(w http.ResponseWriter, r *http.Request) error {
	v, err := s.readImport(r, chi.URLParam(r, "importID"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

// readImport reads an import as answered: one whose process still runs at the stage its
// process answers (within progressWait; the database's otherwise). The process is asked
// before the row is read again, so that what the row shows is never older than the stage.
func (s *Server) readImport(r *http.Request, publicID string) (importView, error) {
	v, _, err := s.readImportAs(r, publicID)
	return v, err
}

// readImportAs is readImport, with the caller's role in the organization: the import's page
// offers its buttons to those who may press them.
func (s *Server) readImportAs(r *http.Request, publicID string) (importView, membership.Role, error) {
	var role membership.Role
	read := func() (im store.Import, err error) {
		err = s.withAccess(r, "", func(tx pgx.Tx, a access) (err error) {
			role = a.Role
			im, err = store.ImportByPublicID(r.Context(), tx, publicID)
			if errors.Is(err, store.ErrNotFound) {
				return notFound("import")
			}
			return err
		})
		return im, err
	}
	im, err := read()
	if err != nil {
		return importView{}, role, err
	}
	if im.FinishedAt != nil {
		v, err := viewImport(im, true)
		return v, role, err
	}
	ctx, cancel := context.WithTimeout(r.Context(), progressWait)
	defer cancel()
	p, qerr := importing.QueryProgress(ctx, s.temporal, im.ID)
	if im, err = read(); err != nil {
		return importView{}, role, err
	}
	v, err := viewImport(im, true)
	if err == nil && qerr == nil && im.FinishedAt == nil {
		v.Status = string(p.Stage)
	}
	return v, role, err
}

// checkImport checks an uploaded file (its dry run), with the breeder's mapping of its
// columns; again with another mapping until it is applied.
func (s *Server) checkImport(w http.ResponseWriter, r *http.Request) error {
	var in importCheckRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if p := checkMapping(in.Mapping); p != nil {
		return p
	}
	return s.askImport(w, r, http.StatusAccepted, importing.CheckUpdate, importing.CheckRequest{Mapping: in.Mapping})
}

// applyImport applies a checked file, in batches.
func (s *Server) applyImport(w http.ResponseWriter, r *http.Request) error {
	return s.askImport(w, r, http.StatusAccepted, importing.ApplyUpdate)
}

// cancelImport drops an import not being applied, with its file.
func (s *Server) cancelImport(w http.ResponseWriter, r *http.Request) error {
	return s.askImport(w, r, http.StatusOK, importing.CancelUpdate)
}

// checkMapping refuses a mapping naming a field an import does not read, each header at
// fault named.
func checkMapping(m map[string]string) *Problem {
	if len(m) > 200 {
		return invalid(FieldError{"mapping", "must map at most 200 columns"})
	}
	var fields []FieldError
	for h, f := range m {
		switch {
		case len(h) == 0 || len([]rune(h)) > 200:
			fields = append(fields, FieldError{"mapping", "each header must be 1 to 200 characters"})
		case f != "" && f != "ignore" && !slices.Contains(imports.Fields, imports.Field(f)):
			fields = append(fields, FieldError{"mapping." + h, fmt.Sprintf("%q is not a field an import reads", f)})
		}
	}
	if len(fields) > 0 {
		slices.SortFunc(fields, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
		return invalid(fields...)
	}
	return nil
}

// askImport sends the breeder's update to the import's process and answers the import as it
// then stands; keepers, owners and admins. A file not uploaded yet cannot be checked.
func (s *Server) askImport(w http.ResponseWriter, r *http.Request, status int, update string, args ...any) error {
	id, err := s.sendImportUpdate(r, update, args...)
	if err != nil {
		return err
	}
	v, err := s.readImport(r, id)
	if err != nil {
		return err
	}
	return writeJSON(w, status, v)
}

// sendImportUpdate sends the breeder's update to the process of the import named by the
// path, as the API's routes and the import's page's buttons do, and answers the import's
// public ID; keepers, owners and admins. An import that has ended, or whose process refuses
// the update, is a conflict naming why; a file not uploaded yet cannot be checked.
func (s *Server) sendImportUpdate(r *http.Request, update string, args ...any) (string, error) {
	var im store.Import
	err := s.withKeeper(r, func(tx pgx.Tx, _ access) (err error) {
		im, err = inPath[store.Import, store.Querier](r, tx, "importID", "import", store.ImportByPublicID)
		return err
	})
	if err != nil {
		return "", err
	}
	if im.FinishedAt != nil {
		return "", newProblem(kindConflict, "The import was already "+im.Status+".")
	}
	if update == importing.CheckUpdate {
		if _, err := objstore.Size(r.Context(), s.media.S3, s.media.Bucket, im.ObjectKey); errors.Is(err, objstore.ErrNotFound) {
			return "", newProblem(kindConflict, "The file is not uploaded yet: PUT it to the upload link first.")
		} else if err != nil {
			return "", err
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), updateTimeout)
	defer cancel()
	_, err = importing.Ask(ctx, s.temporal, s.cfg.Temporal.TaskQueue, importing.InputOf(im), update, args...)
	var (
		appErr  *temporal.ApplicationError
		timeout *client.WorkflowUpdateServiceTimeoutOrCanceledError
	)
	switch {
	case errors.As(err, &appErr) && appErr.Type() == importing.ErrTypeRefused:
		return "", newProblem(kindConflict, appErr.Message())
	case temporal.IsWorkflowExecutionAlreadyStartedError(err):
		return "", newProblem(kindConflict, "The import has already ended.")
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &timeout):
		s.log.WarnContext(r.Context(), "import update did not finish in time", "import", im.PublicID, "update", update, "error", err)
		return "", newProblem(kindUnavailable, "The import did not answer in time; look at it again in a moment to see where it stands.")
	case err != nil:
		return "", fmt.Errorf("import %s %s: %w", im.PublicID, update, err)
	}
	return im.PublicID, nil
}
