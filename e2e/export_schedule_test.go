package e2e_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/testkit/registered"
	"github.com/reptidex/reptidex/workflows/export"
)

// scheduledBreeder registers a breeder on Pro, which schedules exports, with an animal.
func scheduledBreeder(t *testing.T, s *system) (person, uuid.UUID) {
	t.Helper()
	ada := s.register(t, "Ada", false)
	var org uuid.UUID
	require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(), `SELECT id FROM organizations WHERE public_id = $1`,
		ada.OrgID).Scan(&org))
	registered.GrantPlan(t, s.DB, org, "pro")
	s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "female", "name": "Vega"})
	return ada, org
}

// schedule creates a schedule over HTTP and waits for its Temporal Schedule, made by the
// sync job, answering the schedule's public ID and its handle.
func schedule(t *testing.T, s *system, token string, body map[string]any) (string, uuid.UUID, client.ScheduleHandle) {
	t.Helper()
	id := s.must(t, http.StatusCreated, http.MethodPost, "/api/v1/exports/schedules", token, body)["id"].(string)
	var sid uuid.UUID
	require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(), `SELECT id FROM export_schedules WHERE public_id = $1`,
		id).Scan(&sid))
	h := testkit.Temporal(t).ScheduleClient().GetHandle(context.Background(), export.ScheduleID(sid))
	require.Eventually(t, func() bool {
		_, err := h.Describe(context.Background())
		return err == nil
	}, 20*time.Second, 50*time.Millisecond, "the sync job makes the Temporal Schedule")
	t.Cleanup(func() { _ = h.Delete(context.Background()) })
	return id, sid, h
}

// triggered runs the schedule now and answers its run's workflow ID.
func triggered(t *testing.T, h client.ScheduleHandle) string {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, h.Trigger(ctx, client.ScheduleTriggerOptions{}))
	var runID string
	require.Eventually(t, func() bool {
		d, err := h.Describe(ctx)
		if err != nil || len(d.Info.RecentActions) == 0 || d.Info.RecentActions[0].StartWorkflowResult == nil {
			return false
		}
		runID = d.Info.RecentActions[0].StartWorkflowResult.WorkflowID
		return true
	}, 20*time.Second, 50*time.Millisecond, "the trigger starts a run")
	return runID
}

// A schedule made over HTTP becomes a Temporal Schedule in the breeder's time zone; a run of
// it makes an export, recorded as the schedule's and built as for one asked for; paused, the
// Temporal Schedule is paused and has no next runs; deleted, it is gone. A paused schedule's
// run, triggered anyway, makes no export. The runs' histories must replay against today's
// code; with RECORD_HISTORIES=1 they are written as the scheduled run's recorded histories.
func TestExportSchedule_RecordsTheHistoryOfEachPath(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tc := testkit.Temporal(t)

	t.Run("ready", func(t *testing.T) {
		t.Parallel()
		s := start(t)
		ada, org := scheduledBreeder(t, s)
		id, sid, h := schedule(t, s, ada.Token, map[string]any{"frequency": "weekly", "weekday": "sunday", "time": "03:30",
			"time_zone": "Europe/Berlin"})
		d, err := h.Describe(ctx)
		require.NoError(t, err)
		require.Equal(t, "Europe/Berlin", d.Schedule.Spec.TimeZoneName)
		got := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/exports/schedules/"+id, ada.Token, nil)
		next := got["next_runs"].([]any)
		require.NotEmpty(t, next)
		first, err := time.Parse(time.RFC3339, next[0].(string))
		require.NoError(t, err)
		berlin, err := time.LoadLocation("Europe/Berlin")
		require.NoError(t, err)
		require.Equal(t, "Sun 03:30", first.In(berlin).Format("Mon 15:04"), "the next run is Sunday 03:30 in Berlin")

		runID := triggered(t, h)
		res := runResult(t, runID)
		var status string
		var schedule uuid.UUID
		require.NoError(t, testkit.AdminPool(t).QueryRow(ctx, `SELECT status::text, schedule_id FROM exports
			WHERE org_id = $1 AND object_key = $2`, org, res.Key).Scan(&status, &schedule))
		require.Equal(t, "ready", status)
		require.Equal(t, sid, schedule, "the export is the schedule's")
		list := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/exports", ada.Token, nil)["items"].([]any)
		require.Len(t, list, 1)
		require.Equal(t, id, list[0].(map[string]any)["schedule_id"])
		s.waitMail(t, ada.Email, "Your export is ready to download")
		h1 := fetchHistory(t, tc, runID, "")
		requireReplays(t, h1)
		if recordHistories {
			writeHistory(t, h1, filepath.Join("..", "workflows", "export", "testdata", "scheduled_ready.json"))
		}

		s.must(t, http.StatusOK, http.MethodPatch, "/api/v1/exports/schedules/"+id, ada.Token, map[string]any{"paused": true})
		require.Eventually(t, func() bool {
			d, err := h.Describe(ctx)
			return err == nil && d.Schedule.State.Paused
		}, 20*time.Second, 50*time.Millisecond, "the sync job pauses the Temporal Schedule")
		require.Empty(t, s.must(t, http.StatusOK, http.MethodGet, "/api/v1/exports/schedules/"+id, ada.Token, nil)["next_runs"])

		s.must(t, http.StatusNoContent, http.MethodDelete, "/api/v1/exports/schedules/"+id, ada.Token, nil)
		require.Eventually(t, func() bool {
			_, err := h.Describe(ctx)
			var missing *serviceerror.NotFound
			return errors.As(err, &missing)
		}, 20*time.Second, 50*time.Millisecond, "the sync job deletes the Temporal Schedule")
	})

	t.Run("paused makes no export", func(t *testing.T) {
		t.Parallel()
		s := start(t)
		ada, org := scheduledBreeder(t, s)
		_, _, h := schedule(t, s, ada.Token, map[string]any{"frequency": "daily", "time": "00:15", "time_zone": "UTC", "paused": true})
		runID := triggered(t, h)
		res := runResult(t, runID)
		require.Equal(t, export.Result{}, res)
		var n int
		require.NoError(t, testkit.AdminPool(t).QueryRow(ctx, `SELECT count(*) FROM exports WHERE org_id = $1`, org).Scan(&n))
		require.Zero(t, n)
		h1 := fetchHistory(t, tc, runID, "")
		requireReplays(t, h1)
		if recordHistories {
			writeHistory(t, h1, filepath.Join("..", "workflows", "export", "testdata", "scheduled_paused.json"))
		}
	})
}

// runResult waits up to a minute for a scheduled run to end, and answers its result.
func runResult(t *testing.T, runID string) export.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var res export.Result
	require.NoError(t, testkit.Temporal(t).GetWorkflow(ctx, runID, "").Get(ctx, &res), "scheduled run %s", runID)
	return res
}
