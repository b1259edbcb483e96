package exports

import (
	"context"
	"fmt"
	"strings"
	"time"
	// The time zone database in the binary, so that every IANA zone a breeder chooses is known
	// whatever the machine has installed.
	_ "time/tzdata"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/reptidex/reptidex/billing"
	"github.com/reptidex/reptidex/jobs"
	"github.com/reptidex/reptidex/store"
)

// FieldError is a field of a schedule at fault, and what is wrong with it.
type FieldError struct{ Field, Message string }

// FieldErrors are every field of a schedule at fault.
type FieldErrors []FieldError

func (f FieldErrors) Error() string { return fmt.Sprintf("%d invalid fields", len(f)) }

// Timing is when a schedule makes its exports, as people write it: daily, weekly on a
// weekday, or monthly on a day of the month, at a time of day (HH:MM, 24-hour) in an IANA
// time zone such as Europe/Berlin.
type Timing struct {
	Frequency  string
	Time       string
	Weekday    string
	DayOfMonth int
	TimeZone   string
}

// weekdays are the weekdays' names, Sunday first, as time.Weekday numbers them.
var weekdays = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// apply checks t and writes it into s, naming each field at fault.
func (t Timing) apply(s *store.ExportSchedule) error {
	var errs FieldErrors
	s.Weekday, s.DayOfMonth = nil, nil
	switch t.Frequency {
	case "daily":
		if t.Weekday != "" || t.DayOfMonth != 0 {
			errs = append(errs, FieldError{"frequency", "daily takes neither weekday nor day_of_month"})
		}
	case "weekly":
		day := -1
		for i, w := range weekdays {
			if w == t.Weekday {
				day = i
			}
		}
		if day < 0 {
			errs = append(errs, FieldError{"weekday", "is required for weekly: monday to sunday"})
		} else {
			s.Weekday = &day
		}
		if t.DayOfMonth != 0 {
			errs = append(errs, FieldError{"day_of_month", "is only for monthly"})
		}
	case "monthly":
		if t.DayOfMonth < 1 || t.DayOfMonth > 28 {
			errs = append(errs, FieldError{"day_of_month", "is required for monthly: 1 to 28, a day every month has"})
		} else {
			d := t.DayOfMonth
			s.DayOfMonth = &d
		}
		if t.Weekday != "" {
			errs = append(errs, FieldError{"weekday", "is only for weekly"})
		}
	default:
		errs = append(errs, FieldError{"frequency", "must be daily, weekly or monthly"})
	}
	s.Frequency = t.Frequency
	at, err := time.Parse("15:04", t.Time)
	if err != nil || len(t.Time) != 5 {
		errs = append(errs, FieldError{"time", "must be a time of day as HH:MM, 24-hour, such as 03:30"})
	}
	s.MinuteOfDay = at.Hour()*60 + at.Minute()
	if !validZone(t.TimeZone) {
		errs = append(errs, FieldError{"time_zone", "must be an IANA time zone such as Europe/Berlin or America/New_York"})
	}
	s.TimeZone = t.TimeZone
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// validZone says whether name is an IANA time zone: UTC, or a name the time zone database
// knows ("Local" and the empty name, which mean the server's zone, are not).
func validZone(name string) bool {
	if name == "UTC" {
		return true
	}
	if name == "" || name == "Local" || len(name) > 64 || strings.Contains(name, "..") || strings.HasPrefix(name, "/") {
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil
}

// TimingOf is a schedule's timing as people write it.
func TimingOf(s store.ExportSchedule) Timing {
	t := Timing{Frequency: s.Frequency, Time: fmt.Sprintf("%02d:%02d", s.MinuteOfDay/60, s.MinuteOfDay%60), TimeZone: s.TimeZone}
	if s.Weekday != nil {
		t.Weekday = weekdays[*s.Weekday]
	}
	if s.DayOfMonth != nil {
		t.DayOfMonth = *s.DayOfMonth
	}
	return t
}

// CreateSchedule records a schedule of the organization's exports, made by the caller and
// paused or not, within the plan's scheduled exports, and enqueues in tx the job that makes
// its Temporal Schedule.
func CreateSchedule(ctx context.Context, tx pgx.Tx, queue *river.Client[pgx.Tx], a store.Access, t Timing, paused bool) (store.ExportSchedule, error) {
	s := store.ExportSchedule{ID: uuid.New(), PublicID: store.NewPublicID(), OrgID: a.OrgID, CreatedBy: a.UserID, Paused: paused}
	if err := t.apply(&s); err != nil {
		return store.ExportSchedule{}, err
	}
	if err := billing.Check(ctx, tx, billing.ScheduledExports, 1); err != nil {
		return store.ExportSchedule{}, err
	}
	if err := store.InsertExportSchedule(ctx, tx, s); err != nil {
		return store.ExportSchedule{}, err
	}
	if err := sync(ctx, tx, queue, s); err != nil {
		return store.ExportSchedule{}, err
	}
	return store.ExportScheduleByID(ctx, tx, s.ID)
}

// UpdateSchedule changes one of the organization's schedules: its timing when t is not nil,
// and whether it is paused when paused is not nil; and enqueues in tx the job that brings its
// Temporal Schedule in step. One not found is store.ErrNotFound.
func UpdateSchedule(ctx context.Context, tx pgx.Tx, queue *river.Client[pgx.Tx], publicID string, t *Timing, paused *bool) (store.ExportSchedule, error) {
	s, err := store.ExportScheduleByPublicID(ctx, tx, publicID, true)
	if err != nil {
		return store.ExportSchedule{}, err
	}
	if t != nil {
		if err := t.apply(&s); err != nil {
			return store.ExportSchedule{}, err
		}
	}
	if paused != nil {
		s.Paused = *paused
	}
	if err := store.UpdateExportSchedule(ctx, tx, s); err != nil {
		return store.ExportSchedule{}, err
	}
	if err := sync(ctx, tx, queue, s); err != nil {
		return store.ExportSchedule{}, err
	}
	return store.ExportScheduleByID(ctx, tx, s.ID)
}

// DeleteSchedule deletes one of the organization's schedules and enqueues in tx the job
// that deletes its Temporal Schedule; the exports it made stay. One not found is
// store.ErrNotFound.
func DeleteSchedule(ctx context.Context, tx pgx.Tx, queue *river.Client[pgx.Tx], publicID string) error {
	s, err := store.ExportScheduleByPublicID(ctx, tx, publicID, true)
	if err != nil {
		return err
	}
	if err := store.DeleteExportSchedule(ctx, tx, s.ID); err != nil {
		return err
	}
	return sync(ctx, tx, queue, s)
}

// sync enqueues the job that brings the schedule's Temporal Schedule in step with its row.
func sync(ctx context.Context, tx pgx.Tx, queue *river.Client[pgx.Tx], s store.ExportSchedule) error {
	if _, err := queue.InsertTx(ctx, tx, jobs.SyncExportScheduleArgs{ScheduleID: s.ID, OrgID: s.OrgID}, nil); err != nil {
		return fmt.Errorf("enqueue the sync of export schedule %s: %w", s.PublicID, err)
	}
	return nil
}
