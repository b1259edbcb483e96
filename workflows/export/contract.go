// Package export is the process that exports all of an organization's data: each file
// (animals, genetics, lineage, pairings, clutches, hatchlings, transfers, sales,
// certificates, the media index) is written from the database to object storage as CSV and
// as its part of one JSON document, one activity per file; then the files are put together
// into one ZIP, streamed to object storage by a multipart upload that becomes visible only
// when it is complete; then the export is marked ready with its size and expiry, and the
// requester is sent a download link valid until then (at most 7 days). Progress is a query.
// An export that cannot be finished ends failed, with why, and the requester is told; no ZIP
// of it is ever visible.
//
// Its parts, one file each: the contract (this file), the workflow (workflow.go), the client
// the jobs and the API reach it by (client.go), the messages it sends (messages.go), and the
// activities it needs (activities.go).
package export

import (
	"time"

	"github.com/google/uuid"
)

// WorkflowName is the registered name of the export workflow.
const WorkflowName = "export"

// Registered names of the export's activities.
const (
	FileActivity     = "export.file"
	AssembleActivity = "export.assemble"
	FinishActivity   = "export.finish"
	FailActivity     = "export.fail"
)

// ProgressQuery answers the export's Progress.
const ProgressQuery = "progress"

// Files are the files of an export, in the order they are written and put in the ZIP. Each
// is a CSV file and the array of the same name in the JSON document.
var Files = []string{"animals", "genetics", "lineage", "pairings", "clutches", "hatchlings", "transfers", "sales",
	"certificates", "media"}

// Input names the export to build, recorded as running for the requester.
type Input struct {
	ExportID    uuid.UUID
	PublicID    string
	OrgID       uuid.UUID
	RequestedBy uuid.UUID
}

// same reports whether in and o are the same export.
func (in Input) same(o Input) bool { return in == o }

// WorkflowID derives the workflow ID from the export, so one export is built once.
func WorkflowID(exportID uuid.UUID) string { return "export/" + exportID.String() }

// Stage is where an export stands.
type Stage string

// The stages of an export.
const (
	// Writing: the files are being written, one after the other.
	Writing Stage = "writing"
	// Assembling: the files are being put together into the ZIP.
	Assembling Stage = "assembling"
	// Finishing: the ZIP is stored; the export is being marked ready and the requester told.
	Finishing Stage = "finishing"
	// Done: the export is ready.
	Done Stage = "done"
	// Failed: the export could not be finished.
	Failed Stage = "failed"
)

// Progress is how far the export has gone: its stage, the files written of all of them, and
// the rows written so far.
type Progress struct {
	// writing the files one after the other, assembling them into the ZIP, finishing (the
	// ZIP stored, the export being marked ready), done, or failed.
	Stage Stage `json:"stage" jsonschema:"enum=writing,enum=assembling,enum=finishing,enum=done,enum=failed"`
	// Files written so far.
	FilesDone int `json:"files_done"`
	// Files the export writes in all.
	FilesTotal int `json:"files_total"`
	// Rows written so far, in every file.
	Rows int64 `json:"rows"`
}

// Written is one file written to object storage: its name, its rows, and the keys of its CSV
// and its part of the JSON document.
type Written struct {
	File    string
	Rows    int64
	CSVKey  string
	JSONKey string
	// At is when the file's rows were read, as the database's transaction time.
	At time.Time
}

// Assembled is the ZIP stored: its key and its size in bytes.
type Assembled struct {
	Key   string
	Bytes int64
}

// Ready is an export marked ready: its download link and until when it works.
type Ready struct {
	URL       string
	ExpiresAt time.Time
}

// Result is how an export ended when it is ready.
type Result struct {
	Key       string
	Bytes     int64
	Rows      int64
	ExpiresAt time.Time
}

// ErrTypeNotFound is the application error type of an activity that found no export
// running under the ID.
const ErrTypeNotFound = "ExportNotFound"

// AbandonedAfter is how long after its request an export may stay running before the sweep
// of exports looks at its process: one whose process is gone (its last step failed, or it
// never started) is then marked failed, so that the organization can export again.
const AbandonedAfter = time.Hour

// Interrupted is why the sweep marks failed an export whose process is gone.
const Interrupted = "The export was interrupted before it finished. Nothing was exported; please ask again."

// Expiry is how long an export's ZIP, and the link to it, is kept after it is ready: the
// longest a presigned link may work.
const Expiry = 7 * 24 * time.Hour

// ObjectKey is where an export's ZIP is stored.
func ObjectKey(orgID, exportID uuid.UUID) string {
	return "exports/" + orgID.String() + "/" + exportID.String() + ".zip"
}

// PartsPrefix is where the files of an export are written before they are put together,
// each under its own name; they are deleted once the ZIP is stored.
func PartsPrefix(orgID, exportID uuid.UUID) string {
	return "exports/" + orgID.String() + "/" + exportID.String() + "/"
}

// ScheduledWorkflowName is the registered name of the workflow a schedule of exports starts
// at each of its times: it records the export, as asked for by the schedule's creator, and
// builds it as the export workflow's child.
const ScheduledWorkflowName = "export.scheduled"

// BeginActivity records the export of a scheduled run.
const BeginActivity = "export.begin"

// ScheduledInput names the schedule a run is for.
type ScheduledInput struct {
	ScheduleID uuid.UUID
	OrgID      uuid.UUID
}

// Begun is a scheduled run's export, recorded running; or why the run makes none (Skipped):
// the schedule is gone or paused, its creator no longer exports, or an export runs already.
type Begun struct {
	Export  Input
	Skipped string
}

// Schedule is a schedule of exports as Temporal keeps it: its organization, its times in its
// time zone, and whether it is paused.
type Schedule struct {
	ID    uuid.UUID
	OrgID uuid.UUID
	// Frequency is daily, weekly or monthly.
	Frequency string
	// MinuteOfDay is minutes after midnight, in TimeZone.
	MinuteOfDay int
	// Weekday (weekly: 0 Sunday to 6 Saturday) and DayOfMonth (monthly: 1 to 28).
	Weekday    int
	DayOfMonth int
	TimeZone   string
	Paused     bool
}

// ScheduleID derives the Temporal Schedule's ID from the schedule of exports, one each.
func ScheduleID(scheduleID uuid.UUID) string { return "export-schedule/" + scheduleID.String() }
