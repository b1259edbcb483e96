// Package importing is the process of an import: a spreadsheet of animals uploaded by a
// breeder, checked row by row (the dry run, as often as the breeder maps its columns anew),
// then, when the breeder asks, applied in batches of rows, each batch in one transaction
// that records it done, so that a worker killed mid-import repeats none; an import not
// applied within 7 days of its upload expires. The file is deleted once the import ends.
// The breeder acts by updates (check, apply, cancel); progress is a query; the outcome is
// sent as a notification.
//
// Its parts, one file each: the contract (this file), the workflow (workflow.go), the client
// the jobs and the API reach it by (client.go), the messages it sends (messages.go), and the
// activities it needs (activities.go).
package importing

import (
	"time"

	"github.com/google/uuid"
)

// WorkflowName is the registered name of the import workflow.
const WorkflowName = "import"

// Registered names of the import's activities.
const (
	CheckActivity = "import.check"
	ApplyActivity = "import.apply"
	// EndActivity marks the import ended (applied, failed, cancelled or expired) and deletes
	// its file.
	EndActivity = "import.end"
)

// The updates by which a breeder acts on an import, and the query of its progress.
const (
	// CheckUpdate checks the file (CheckRequest): the first time once it is uploaded, and
	// again with another mapping of its columns.
	CheckUpdate = "check"
	// ApplyUpdate applies a checked file.
	ApplyUpdate = "apply"
	// CancelUpdate drops an import not being applied, with its file.
	CancelUpdate  = "cancel"
	ProgressQuery = "progress"
)

// MaxChecks bounds the checks of one import: a breeder who maps its columns anew more often
// starts another import.
const MaxChecks = 20

// Expiry is how long after its upload an import may wait to be applied.
const Expiry = 7 * 24 * time.Hour

// BatchRows is how many rows a batch applies, in one transaction.
const BatchRows = 500

// Input names the import, recorded as uploading.
type Input struct {
	ImportID  uuid.UUID
	PublicID  string
	OrgID     uuid.UUID
	CreatedBy uuid.UUID
	ObjectKey string
	FileName  string
	ExpiresAt time.Time
}

// same reports whether in and o are the same import.
func (in Input) same(o Input) bool {
	a, b := in, o
	a.ExpiresAt, b.ExpiresAt = time.Time{}, time.Time{}
	return a == b && in.ExpiresAt.Equal(o.ExpiresAt)
}

// WorkflowID derives the workflow ID from the import, so one import has one process.
func WorkflowID(importID uuid.UUID) string { return "import/" + importID.String() }

// ObjectKey is where an import's file is uploaded.
func ObjectKey(orgID, importID uuid.UUID) string {
	return "imports/" + orgID.String() + "/" + importID.String() + ".csv"
}

// Stage is where an import stands.
type Stage string

// The stages of an import.
const (
	Uploading Stage = "uploading"
	Checking  Stage = "checking"
	Checked   Stage = "checked"
	Applying  Stage = "applying"
	Applied   Stage = "applied"
	Failed    Stage = "failed"
	Cancelled Stage = "cancelled"
	Expired   Stage = "expired"
)

// Progress is where the import stands and how many times it was checked.
type Progress struct {
	// uploading until first checked; checking; checked (waiting to be applied); applying;
	// then applied, failed, cancelled or expired.
	Stage  Stage `json:"stage" jsonschema:"enum=uploading,enum=checking,enum=checked,enum=applying,enum=applied,enum=failed,enum=cancelled,enum=expired"`
	Checks int   `json:"checks"`
}

// CheckRequest asks for a check with the breeder's mapping of columns (header → field) over
// the one detected; empty keeps the detected one.
type CheckRequest struct {
	Mapping map[string]string
}

// CheckResult is a check's outcome: the file's checksum and the mapping it was read with; its
// rows, those that can go in, and the problems; or why the file cannot be read at all
// (Unreadable), when none can.
type CheckResult struct {
	Checksum string
	// Fingerprint is the digest of the records to apply as the check read them
	// (imports.Fingerprint): applying goes on only while the file reads the same.
	Fingerprint string
	Mapping     map[string]string
	Rows        int
	Valid       int
	Problems    int
	Unreadable  string
}

// Totals is what applying did: the rows recorded new, those updated, and those refused.
type Totals struct {
	Created int
	Updated int
	Refused int
}

// Ended is how an import ended: its stage (applied, failed, cancelled or expired) and, when
// it failed, why.
type Ended struct {
	Stage   Stage
	Problem string
}

// Result is how the import ended, and what applying did.
type Result struct {
	Stage   Stage
	Applied Totals
}

// ErrTypeNotFound is the application error type of an activity that found the import gone
// or no longer at the stage it acts on.
const ErrTypeNotFound = "ImportNotFound"

// ErrTypeFileChanged is the application error type of applying a file that is not the one
// checked, or no longer reads as it did (the species catalogues changed meanwhile).
const ErrTypeFileChanged = "ImportFileChanged"
