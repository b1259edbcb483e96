package export

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/reptidex/reptidex/workflows/process"
)

// Start starts building an export and returns its run. Started again with the same input,
// it returns the run already under way, or the finished one: an export is built once. With
// another input it is an error wrapping process.ErrStartedOtherwise.
func Start(ctx context.Context, c client.Client, taskQueue string, in Input) (client.WorkflowRun, error) {
	run, err := process.Start(ctx, c, client.StartWorkflowOptions{
		ID:                    WorkflowID(in.ExportID),
		TaskQueue:             taskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, WorkflowName, in, Input.same)
	if err != nil {
		return nil, fmt.Errorf("start export %s: %w", in.PublicID, err)
	}
	return run, nil
}

// QueryProgress asks a running export how far it has gone.
func QueryProgress(ctx context.Context, c client.Client, exportID uuid.UUID) (Progress, error) {
	v, err := c.QueryWorkflow(ctx, WorkflowID(exportID), "", ProgressQuery)
	if err != nil {
		return Progress{}, fmt.Errorf("query export %s: %w", exportID, err)
	}
	var p Progress
	if err := v.Get(&p); err != nil {
		return Progress{}, fmt.Errorf("query export %s: %w", exportID, err)
	}
	return p, nil
}

// Running reports whether the export's workflow is running; one never started, or ended, is
// not.
func Running(ctx context.Context, c client.Client, exportID uuid.UUID) (bool, error) {
	return process.Running(ctx, c, WorkflowID(exportID))
}

// scheduleCatchup is how late a schedule's run may still start after its time, when Temporal
// was down at the time: a daily export missed by more is skipped, not made late.
const scheduleCatchup = 6 * time.Hour

// runTimeout bounds a scheduled run: well past the time an export takes to give up on each
// of its steps, so that a run no worker takes (none polls its queue) does not hold the
// schedule, whose runs skip while one is under way, for ever. An export its end cuts short
// is left running, and the sweep of exports ends it failed.
const runTimeout = 12 * time.Hour

// EnsureSchedule creates the Temporal Schedule of a schedule of exports, or brings the one
// there in step with s: its times, its time zone, and whether it is paused. Runs that would
// overlap a run still going are skipped.
func EnsureSchedule(ctx context.Context, c client.Client, taskQueue string, s Schedule) error {
	spec := scheduleSpec(s)
	action := &client.ScheduleWorkflowAction{ID: ScheduleID(s.ID), Workflow: ScheduledWorkflowName,
		Args: []any{ScheduledInput{ScheduleID: s.ID, OrgID: s.OrgID}}, TaskQueue: taskQueue,
		WorkflowExecutionTimeout: runTimeout}
	_, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{ID: ScheduleID(s.ID), Spec: spec, Action: action,
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, CatchupWindow: scheduleCatchup, Paused: s.Paused})
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		if err != nil {
			return fmt.Errorf("create export schedule %s: %w", s.ID, err)
		}
		return nil
	}
	err = c.ScheduleClient().GetHandle(ctx, ScheduleID(s.ID)).Update(ctx, client.ScheduleUpdateOptions{
		DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			sched := in.Description.Schedule
			sched.Spec, sched.Action = &spec, action
			if sched.State == nil {
				sched.State = &client.ScheduleState{}
			}
			sched.State.Paused = s.Paused
			return &client.ScheduleUpdate{Schedule: &sched}, nil
		}})
	if err != nil {
		return fmt.Errorf("update export schedule %s: %w", s.ID, err)
	}
	return nil
}

// scheduleSpec is the calendar of a schedule of exports, in its time zone.
func scheduleSpec(s Schedule) client.ScheduleSpec {
	cal := client.ScheduleCalendarSpec{
		Second: []client.ScheduleRange{{Start: 0}},
		Minute: []client.ScheduleRange{{Start: s.MinuteOfDay % 60}},
		Hour:   []client.ScheduleRange{{Start: s.MinuteOfDay / 60}},
	}
	switch s.Frequency {
	case "weekly":
		cal.DayOfWeek = []client.ScheduleRange{{Start: s.Weekday}}
	case "monthly":
		cal.DayOfMonth = []client.ScheduleRange{{Start: s.DayOfMonth}}
	}
	return client.ScheduleSpec{Calendars: []client.ScheduleCalendarSpec{cal}, TimeZoneName: s.TimeZone}
}

// DeleteSchedule deletes the Temporal Schedule of a schedule of exports; one already gone is
// no error. Runs under way finish.
func DeleteSchedule(ctx context.Context, c client.Client, scheduleID uuid.UUID) error {
	err := c.ScheduleClient().GetHandle(ctx, ScheduleID(scheduleID)).Delete(ctx)
	var missing *serviceerror.NotFound
	if err != nil && !errors.As(err, &missing) {
		return fmt.Errorf("delete export schedule %s: %w", scheduleID, err)
	}
	return nil
}

// NextRuns are the next times a schedule of exports runs, as Temporal has it (none while
// paused); a schedule Temporal does not have yet is ErrScheduleUnknown.
func NextRuns(ctx context.Context, c client.Client, scheduleID uuid.UUID) ([]time.Time, error) {
	d, err := c.ScheduleClient().GetHandle(ctx, ScheduleID(scheduleID)).Describe(ctx)
	var missing *serviceerror.NotFound
	if errors.As(err, &missing) {
		return nil, ErrScheduleUnknown
	}
	if err != nil {
		return nil, fmt.Errorf("describe export schedule %s: %w", scheduleID, err)
	}
	if d.Schedule.State != nil && d.Schedule.State.Paused {
		return nil, nil
	}
	return d.Info.NextActionTimes, nil
}

// ErrScheduleUnknown means Temporal has no schedule of the ID (yet, or any more).
var ErrScheduleUnknown = errors.New("no such export schedule in Temporal")
