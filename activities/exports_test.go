package activities_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/reptidex/reptidex/accounts"
	"github.com/reptidex/reptidex/activities"
	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/testkit/registered"
	"github.com/reptidex/reptidex/workflows/export"
)

// A scheduled run records its export as the schedule's creator's; a paused schedule, one
// beyond the plan after a downgrade, and a run while an export runs make none, each saying
// why.
func TestBegin_RecordsTheExportOrSaysWhyNone(t *testing.T) {
	t.Parallel()
	db, ctx := testkit.DB(t), context.Background()
	rc, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{})
	require.NoError(t, err)
	u, o, err := accounts.Register(ctx, db, rc, accounts.NewAccount{Email: testkit.UniqueEmail("begin"),
		Password: "correct horse battery", DisplayName: "Ada", OrganizationName: "Ada's Reptiles"}, nil)
	require.NoError(t, err)
	registered.GrantPlan(t, db, o.ID, "pro")
	schedules := make([]store.ExportSchedule, 3)
	for i := range schedules {
		schedules[i] = store.ExportSchedule{ID: uuid.New(), PublicID: store.NewPublicID(), OrgID: o.ID, CreatedBy: u.ID,
			Frequency: "daily", MinuteOfDay: 210, TimeZone: "UTC", Paused: i == 2}
		require.NoError(t, db.InTenant(ctx, store.Tenant{OrgID: o.ID}, func(tx pgx.Tx) error {
			return store.InsertExportSchedule(ctx, tx, schedules[i])
		}))
		time.Sleep(2 * time.Millisecond) // made one after the other
	}
	acts := &activities.Exports{Database: &activities.Database{DB: db, River: rc}}
	begin := func(s store.ExportSchedule) export.Begun {
		b, err := acts.Begin(ctx, export.ScheduledInput{ScheduleID: s.ID, OrgID: o.ID})
		require.NoError(t, err)
		return b
	}

	require.Equal(t, "the schedule is paused", begin(schedules[2]).Skipped)
	b := begin(schedules[1])
	require.Empty(t, b.Skipped)
	require.Equal(t, u.ID, b.Export.RequestedBy)
	var scheduleID uuid.UUID
	require.NoError(t, testkit.AdminPool(t).QueryRow(ctx, `SELECT schedule_id FROM exports WHERE id = $1 AND status = 'running'`,
		b.Export.ExportID).Scan(&scheduleID))
	require.Equal(t, schedules[1].ID, scheduleID)
	require.Equal(t, "an export of the organization is already running", begin(schedules[0]).Skipped,
		"the running export stands, and the run's transaction goes on")

	_, err = testkit.AdminPool(t).Exec(ctx, `UPDATE exports SET status = 'failed', problem = 'test', finished_at = now() WHERE id = $1`,
		b.Export.ExportID)
	require.NoError(t, err)
	registered.GrantPlan(t, db, o.ID, "free") // Free allows no scheduled exports
	require.Contains(t, begin(schedules[0]).Skipped, "allows 0 scheduled exports")
	require.Equal(t, "the schedule was deleted", begin(store.ExportSchedule{ID: uuid.New()}).Skipped)
}

// A scheduled run's Begin tried again (its first answer lost) answers the export its first
// try recorded, rather than finding an export running and making none.
func TestBegin_TriedAgainAnswersTheExportItRecorded(t *testing.T) {
	t.Parallel()
	db, ctx := testkit.DB(t), context.Background()
	rc, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{})
	require.NoError(t, err)
	u, o, err := accounts.Register(ctx, db, rc, accounts.NewAccount{Email: testkit.UniqueEmail("begin-again"),
		Password: "correct horse battery", DisplayName: "Ada", OrganizationName: "Ada's Reptiles"}, nil)
	require.NoError(t, err)
	registered.GrantPlan(t, db, o.ID, "pro")
	s := store.ExportSchedule{ID: uuid.New(), PublicID: store.NewPublicID(), OrgID: o.ID, CreatedBy: u.ID, Frequency: "daily",
		MinuteOfDay: 0, TimeZone: "UTC"}
	require.NoError(t, db.InTenant(ctx, store.Tenant{OrgID: o.ID}, func(tx pgx.Tx) error { return store.InsertExportSchedule(ctx, tx, s) }))
	acts := &activities.Exports{Database: &activities.Database{DB: db, River: rc}}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	env.RegisterActivity(acts.Begin)
	var begun [2]export.Begun
	for i := range begun {
		v, err := env.ExecuteActivity(acts.Begin, export.ScheduledInput{ScheduleID: s.ID, OrgID: o.ID})
		require.NoError(t, err)
		require.NoError(t, v.Get(&begun[i]))
	}
	require.Empty(t, begun[1].Skipped)
	require.Equal(t, begun[0].Export, begun[1].Export)
}

// Assemble tried again once its ZIP is whole answers the ZIP stored, without reading the
// written files again (they may be gone).
func TestAssemble_TriedAgainAnswersTheZipStored(t *testing.T) {
	t.Parallel()
	cfg, ctx := testkit.Config(t), context.Background()
	c := objstore.New(cfg.S3)
	in := export.Input{ExportID: uuid.New(), OrgID: uuid.New(), RequestedBy: uuid.New(), PublicID: "zip"}
	require.NoError(t, objstore.EnsureBucket(ctx, c, cfg.S3.Bucket))
	require.NoError(t, objstore.Put(ctx, c, cfg.S3.Bucket, export.ObjectKey(in.OrgID, in.ExportID), "application/zip", []byte("PK whole")))
	acts := &activities.Exports{Database: &activities.Database{DB: testkit.DB(t)}, S3: c, Streams: objstore.NewStreams(c), Bucket: cfg.S3.Bucket}
	got, err := acts.Assemble(ctx, in, []export.Written{{File: "animals", CSVKey: "gone.csv", JSONKey: "gone.json"}})
	require.NoError(t, err)
	require.Equal(t, export.Assembled{Key: export.ObjectKey(in.OrgID, in.ExportID), Bytes: 8}, got)
}
