package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

type scheduleReply struct {
	ID         string `json:"id"`
	Frequency  string `json:"frequency"`
	Time       string `json:"time"`
	Weekday    string `json:"weekday"`
	DayOfMonth int    `json:"day_of_month"`
	TimeZone   string `json:"time_zone"`
	Paused     bool   `json:"paused"`
}

const schedulesPath = "/api/v1/exports/schedules"

// An owner on Pro schedules exports: the schedule is recorded as sent with the job that makes
// its Temporal Schedule, listed and read; changed (a new frequency dropping the weekday it
// does not take), paused and resumed, each change with its sync; and deleted, with its sync.
func TestExportSchedules_CreateChangePauseAndDelete(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.newOrg(t, "schedule-ada")
	b.grantPlan(t, ada.ID, "pro")
	token := ada.Owner.Tokens.AccessToken
	syncs := func(id string) int {
		return b.count(t, `SELECT count(*) FROM river_job j JOIN export_schedules s ON s.id = (j.args->>'schedule_id')::uuid
			WHERE j.kind = 'sync_export_schedule' AND s.public_id = $1`, id)
	}

	r := b.do(t, http.MethodPost, schedulesPath, token, map[string]any{"frequency": "weekly", "time": "03:30",
		"weekday": "sunday", "time_zone": "Europe/Berlin"})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
	s := decodeAs[scheduleReply](t, r)
	require.Equal(t, scheduleReply{ID: s.ID, Frequency: "weekly", Time: "03:30", Weekday: "sunday", TimeZone: "Europe/Berlin"}, s)
	require.Equal(t, schedulesPath+"/"+s.ID, r.Header.Get("Location"))
	require.Equal(t, 1, syncs(s.ID))

	list := decodeAs[struct{ Items []scheduleReply }](t, b.do(t, http.MethodGet, schedulesPath, token, nil))
	require.Equal(t, []scheduleReply{s}, list.Items)
	got := b.do(t, http.MethodGet, schedulesPath+"/"+s.ID, token, nil)
	require.Equal(t, http.StatusOK, got.Status, "%s", got.Raw)

	r = b.do(t, http.MethodPatch, schedulesPath+"/"+s.ID, token, map[string]any{"frequency": "monthly", "day_of_month": 28})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Raw)
	require.Equal(t, scheduleReply{ID: s.ID, Frequency: "monthly", Time: "03:30", DayOfMonth: 28, TimeZone: "Europe/Berlin"},
		decodeAs[scheduleReply](t, r))
	r = b.do(t, http.MethodPatch, schedulesPath+"/"+s.ID, token, map[string]any{"paused": true})
	require.True(t, decodeAs[scheduleReply](t, r).Paused)
	r = b.do(t, http.MethodPatch, schedulesPath+"/"+s.ID, token, map[string]any{"paused": false, "time": "23:59"})
	require.Equal(t, scheduleReply{ID: s.ID, Frequency: "monthly", Time: "23:59", DayOfMonth: 28, TimeZone: "Europe/Berlin"},
		decodeAs[scheduleReply](t, r))
	require.Equal(t, 4, syncs(s.ID))

	var id string
	require.NoError(t, b.Admin.QueryRow(context.Background(), `SELECT id::text FROM export_schedules WHERE public_id = $1`, s.ID).Scan(&id))
	require.Equal(t, http.StatusNoContent, b.do(t, http.MethodDelete, schedulesPath+"/"+s.ID, token, nil).Status)
	requireProblem(t, b.do(t, http.MethodGet, schedulesPath+"/"+s.ID, token, nil), http.StatusNotFound, "not-found")
	require.Equal(t, 5, b.count(t, `SELECT count(*) FROM river_job WHERE kind = 'sync_export_schedule' AND args->>'schedule_id' = $1`, id),
		"the delete enqueued the sync that deletes the Temporal Schedule")
}

// A timing the schedule cannot keep is refused naming each field at fault, and nothing is
// recorded.
func TestExportSchedules_RefuseTimingsTheyCannotKeep(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.newOrg(t, "schedule-invalid")
	b.grantPlan(t, ada.ID, "business")
	token := ada.Owner.Tokens.AccessToken
	for name, c := range map[string]struct {
		body   map[string]any
		fields []string
	}{
		"an unknown zone":               {map[string]any{"frequency": "daily", "time": "03:30", "time_zone": "Mars/Olympus_Mons"}, []string{"time_zone"}},
		"the server's zone":             {map[string]any{"frequency": "daily", "time": "03:30", "time_zone": "Local"}, []string{"time_zone"}},
		"a path for a zone":             {map[string]any{"frequency": "daily", "time": "03:30", "time_zone": "../../etc/passwd"}, []string{"time_zone"}},
		"hour 25":                       {map[string]any{"frequency": "daily", "time": "25:00", "time_zone": "UTC"}, []string{"time"}},
		"no leading zero":               {map[string]any{"frequency": "daily", "time": "3:30", "time_zone": "UTC"}, []string{"time"}},
		"weekly without a weekday":      {map[string]any{"frequency": "weekly", "time": "03:30", "time_zone": "UTC"}, []string{"weekday"}},
		"monthly on the 31st":           {map[string]any{"frequency": "monthly", "time": "03:30", "day_of_month": 31, "time_zone": "UTC"}, []string{"day_of_month"}},
		"daily on a weekday":            {map[string]any{"frequency": "daily", "time": "03:30", "weekday": "monday", "time_zone": "UTC"}, []string{"frequency"}},
		"hourly":                        {map[string]any{"frequency": "hourly", "time": "03:30", "time_zone": "UTC"}, []string{"frequency"}},
		"everything wrong at once":      {map[string]any{"frequency": "monthly", "time": "99:99", "time_zone": ""}, []string{"day_of_month", "time", "time_zone"}},
		"a weekday for monthly, too":    {map[string]any{"frequency": "monthly", "day_of_month": 2, "weekday": "friday", "time": "00:00", "time_zone": "UTC"}, []string{"weekday"}},
		"a day of the month for weekly": {map[string]any{"frequency": "weekly", "weekday": "friday", "day_of_month": 3, "time": "00:00", "time_zone": "UTC"}, []string{"day_of_month"}},
	} {
		r := b.do(t, http.MethodPost, schedulesPath, token, c.body)
		requireProblem(t, r, http.StatusUnprocessableEntity, "validation-failed")
		require.ElementsMatch(t, c.fields, problemFields(t, r), name)
	}
	require.Zero(t, b.count(t, `SELECT count(*) FROM export_schedules s JOIN organizations o ON o.id = s.org_id WHERE o.public_id = $1`, ada.ID))
}

// Free schedules no exports and Pro three; keepers schedule none; another organization's
// schedule is not found, for reading, changing and deleting alike.
func TestExportSchedules_AreCountedByThePlanAndKeptToTheirOrganization(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.newOrg(t, "schedule-plan")
	token := ada.Owner.Tokens.AccessToken
	daily := map[string]any{"frequency": "daily", "time": "03:30", "time_zone": "America/New_York"}
	requireProblem(t, b.do(t, http.MethodPost, schedulesPath, token, daily), http.StatusPaymentRequired, "plan-limit")
	b.grantPlan(t, ada.ID, "pro")
	var first string
	for i := range 3 {
		r := b.do(t, http.MethodPost, schedulesPath, token, daily)
		require.Equal(t, http.StatusCreated, r.Status, "schedule %d: %s", i+1, r.Raw)
		if first == "" {
			first = decodeAs[scheduleReply](t, r).ID
		}
	}
	r := b.do(t, http.MethodPost, schedulesPath, token, daily)
	requireProblem(t, r, http.StatusPaymentRequired, "plan-limit")
	require.Equal(t, "scheduled_exports", r.Body["limit"])

	_, keeper := b.join(t, ada, "schedule-keeper", "keeper")
	requireProblem(t, b.do(t, http.MethodPatch, schedulesPath+"/"+first, keeper.AccessToken, map[string]any{"paused": true}),
		http.StatusForbidden, "forbidden")

	bob := b.newOrg(t, "schedule-bob")
	other := bob.Owner.Tokens.AccessToken
	for _, m := range []string{http.MethodGet, http.MethodPatch, http.MethodDelete} {
		var body any
		if m == http.MethodPatch {
			body = map[string]any{"paused": true}
		}
		requireProblem(t, b.do(t, m, schedulesPath+"/"+first, other, body), http.StatusNotFound, "not-found")
	}
	require.Len(t, decodeAs[struct{ Items []scheduleReply }](t, b.do(t, http.MethodGet, schedulesPath, token, nil)).Items, 3)
}
