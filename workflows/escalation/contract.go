// Package escalation is the process that makes sure a notification needing an action is
// seen: in-app at once, then email after a delay if it is still unread and unactioned, then
// SMS after a further delay for types that allow it — until it is told the action happened.
//
// Its parts, one file each: the contract (this file), the workflow (workflow.go), the
// client other processes and tests reach it by (client.go), and the activities it needs
// (activities.go).
package escalation

import (
	"time"

	"github.com/google/uuid"

	"github.com/reptidex/reptidex/notify"
)

// WorkflowName is the registered name of the escalation workflow.
const WorkflowName = "notification.escalation"

// ActionedSignal tells a running escalation that the action happened; it carries nothing.
const ActionedSignal = "actioned"

// Registered activity names.
const (
	RecordActivity       = "notification.record"
	EscalateActivity     = "notification.escalate"
	MarkActionedActivity = "notification.mark_actioned"
)

// ErrTypeInvalid is the application error type of a notification that cannot be recorded.
const ErrTypeInvalid = "InvalidNotification"

// Input is the notification to escalate and the delays between its steps.
type Input struct {
	Notification notify.Request
	EmailAfter   time.Duration // from the in-app delivery to the email
	SMSAfter     time.Duration // from the email to the SMS
}

// Step is one channel the escalation reached or passed over, and why.
type Step struct {
	Channel   notify.Channel
	Delivered bool
	Reason    string `json:",omitempty"`
}

// Result says how the escalation ended.
type Result struct {
	NotificationID uuid.UUID
	Actioned       bool // told the action happened before every step ran
	Steps          []Step
}

// Target is the notification an activity works on and whom it acts as under RLS.
type Target struct {
	NotificationID uuid.UUID
	OrgID, UserID  uuid.UUID
	Channel        notify.Channel `json:",omitempty"`
}

// WorkflowID derives the workflow ID from the notification's dedup key: one escalation
// per notification.
func WorkflowID(dedupKey string) string { return "notification/" + dedupKey }
