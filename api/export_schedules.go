package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/reptidex/reptidex/exports"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/workflows/export"
)

type exportScheduleRequest struct {
	// daily, weekly or monthly.
	Frequency string `json:"frequency" text:"max=10" jsonschema:"required,enum=daily,enum=weekly,enum=monthly"`
	// The time of day, HH:MM (24-hour), in time_zone.
	Time string `json:"time" text:"max=5" jsonschema:"required,example=03:30"`
	// weekly only: the day of the week.
	Weekday string `json:"weekday,omitempty" text:"max=10" jsonschema:"enum=monday,enum=tuesday,enum=wednesday,enum=thursday,enum=friday,enum=saturday,enum=sunday"`
	// monthly only: the day of the month, 1 to 28 (a day every month has).
	DayOfMonth int `json:"day_of_month,omitempty" jsonschema:"minimum=1,maximum=28"`
	// An IANA time zone, such as Europe/Berlin, America/New_York or UTC.
	TimeZone string `json:"time_zone" text:"max=64" jsonschema:"required,example=Europe/Berlin"`
	// Created paused, making no export until resumed (default false).
	Paused bool `json:"paused"`
}

type exportSchedulePatch struct {
	// daily, weekly or monthly; changing it clears a weekday or day of the month the new
	// frequency does not take, unless sent again.
	Frequency *string `json:"frequency" text:"max=10" jsonschema:"enum=daily,enum=weekly,enum=monthly"`
	// The time of day, HH:MM (24-hour), in time_zone.
	Time *string `json:"time" text:"max=5"`
	// weekly only: the day of the week.
	Weekday *string `json:"weekday" text:"max=10" jsonschema:"enum=monday,enum=tuesday,enum=wednesday,enum=thursday,enum=friday,enum=saturday,enum=sunday"`
	// monthly only: the day of the month, 1 to 28.
	DayOfMonth *int `json:"day_of_month" jsonschema:"minimum=1,maximum=28"`
	// An IANA time zone, such as Europe/Berlin.
	TimeZone *string `json:"time_zone" text:"max=64"`
	// true pauses the schedule (no export is made until resumed); false resumes it.
	Paused *bool `json:"paused"`
}

type exportScheduleView struct {
	// Public ID of the schedule.
	ID string `json:"id"`
	// daily, weekly or monthly.
	Frequency string `json:"frequency" jsonschema:"enum=daily,enum=weekly,enum=monthly"`
	// The time of day, HH:MM, in time_zone.
	Time string `json:"time"`
	// weekly only.
	Weekday string `json:"weekday,omitempty"`
	// monthly only.
	DayOfMonth int `json:"day_of_month,omitempty"`
	// The IANA time zone the time is in.
	TimeZone string `json:"time_zone"`
	// A paused schedule makes no export until resumed.
	Paused    bool      `json:"paused"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// The next times it makes an export (up to 10), on GET /api/v1/exports/schedules/{scheduleID}; empty while paused,
	// absent while the schedule is being set up or cannot be asked at the moment.
	NextRuns []time.Time `json:"next_runs,omitempty"`
}

func viewExportSchedule(s store.ExportSchedule) exportScheduleView {
	t := exports.TimingOf(s)
	return exportScheduleView{ID: s.PublicID, Frequency: t.Frequency, Time: t.Time, Weekday: t.Weekday, DayOfMonth: t.DayOfMonth,
		TimeZone: t.TimeZone, Paused: s.Paused, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

type exportSchedulePage struct {
	// The organization's schedules, oldest first; [] when none.
	Items []exportScheduleView `json:"items"`
}

// createExportSchedule records a schedule of the organization's exports (owners and admins),
// within the plan's scheduled exports.
func (s *Server) createExportSchedule(w http.ResponseWriter, r *http.Request) error {
	var req exportScheduleRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	var sched store.ExportSchedule
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) (err error) {
		if err := exportAdmin(a); err != nil {
			return err
		}
		sched, err = exports.CreateSchedule(r.Context(), tx, s.river, a, exports.Timing{Frequency: req.Frequency, Time: req.Time,
			Weekday: req.Weekday, DayOfMonth: req.DayOfMonth, TimeZone: req.TimeZone}, req.Paused)
		return scheduleProblem(err)
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/exports/schedules/"+sched.PublicID)
	return writeJSON(w, http.StatusCreated, viewExportSchedule(sched))
}

// listExportSchedules lists the organization's schedules.
func (s *Server) listExportSchedules(w http.ResponseWriter, r *http.Request) error {
	out := exportSchedulePage{Items: []exportScheduleView{}}
	err := s.withAccess(r, "", func(tx pgx.Tx, _ access) error {
		all, err := store.ExportSchedulesOfOrganization(r.Context(), tx)
		for _, sc := range all {
			out.Items = append(out.Items, viewExportSchedule(sc))
		}
		return err
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// getExportSchedule answers one of the organization's schedules with its next runs, as
// Temporal has them.
func (s *Server) getExportSchedule(w http.ResponseWriter, r *http.Request) error {
	var sched store.ExportSchedule
	err := s.withAccess(r, "", func(tx pgx.Tx, _ access) (err error) {
		sched, err = store.ExportScheduleByPublicID(r.Context(), tx, chi.URLParam(r, "scheduleID"), false)
		return scheduleProblem(err)
	})
	if err != nil {
		return err
	}
	v := viewExportSchedule(sched)
	ctx, cancel := context.WithTimeout(r.Context(), progressWait)
	defer cancel()
	next, err := export.NextRuns(ctx, s.temporal, sched.ID)
	switch {
	case err == nil:
		v.NextRuns = next
		if v.NextRuns == nil {
			v.NextRuns = []time.Time{}
		}
	case !errors.Is(err, export.ErrScheduleUnknown):
		s.log.WarnContext(r.Context(), "an export schedule's next runs could not be asked", "schedule", sched.PublicID, "error", err)
	}
	return writeJSON(w, http.StatusOK, v)
}

// updateExportSchedule changes a schedule's timing, or pauses or resumes it (owners and
// admins).
func (s *Server) updateExportSchedule(w http.ResponseWriter, r *http.Request) error {
	var req exportSchedulePatch
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	var sched store.ExportSchedule
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		if err := exportAdmin(a); err != nil {
			return err
		}
		current, err := store.ExportScheduleByPublicID(r.Context(), tx, chi.URLParam(r, "scheduleID"), true)
		if err != nil {
			return scheduleProblem(err)
		}
		var timing *exports.Timing
		if req.Frequency != nil || req.Time != nil || req.Weekday != nil || req.DayOfMonth != nil || req.TimeZone != nil {
			t := mergeTiming(exports.TimingOf(current), req)
			timing = &t
		}
		sched, err = exports.UpdateSchedule(r.Context(), tx, s.river, current.PublicID, timing, req.Paused)
		return scheduleProblem(err)
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, viewExportSchedule(sched))
}

// mergeTiming is t with the fields the patch sends; a new frequency drops the weekday or
// day of the month it does not take, unless sent.
func mergeTiming(t exports.Timing, p exportSchedulePatch) exports.Timing {
	if p.Frequency != nil && *p.Frequency != t.Frequency {
		t.Frequency, t.Weekday, t.DayOfMonth = *p.Frequency, "", 0
	}
	if p.Time != nil {
		t.Time = *p.Time
	}
	if p.Weekday != nil {
		t.Weekday = *p.Weekday
	}
	if p.DayOfMonth != nil {
		t.DayOfMonth = *p.DayOfMonth
	}
	if p.TimeZone != nil {
		t.TimeZone = *p.TimeZone
	}
	return t
}

// deleteExportSchedule deletes a schedule (owners and admins); the exports it made stay.
func (s *Server) deleteExportSchedule(w http.ResponseWriter, r *http.Request) error {
	err := s.withAccess(r, "", func(tx pgx.Tx, a access) error {
		if err := exportAdmin(a); err != nil {
			return err
		}
		return scheduleProblem(exports.DeleteSchedule(r.Context(), tx, s.river, chi.URLParam(r, "scheduleID")))
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// scheduleProblem answers what schedules refuse; other errors pass as they are.
func scheduleProblem(err error) error {
	var fields exports.FieldErrors
	switch {
	case errors.As(err, &fields):
		return invalidFields(fields)
	case errors.Is(err, store.ErrNotFound):
		return notFound("export schedule")
	}
	return err
}
