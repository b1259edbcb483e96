package e2e_test

import (
	"archive/zip"
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/workflows/export"
)

// crashAnimals is how many animals the crash test exports: enough that writing a file takes
// a moment, so that the worker is killed while one is being written.
const crashAnimals = 40_000

// claimsEach is how many genetics claims each of those animals has: the genetics file, the
// second written, takes some seconds, so that the test can see it being written after the
// first and kill the worker then.
const claimsEach = 4

// The promise: a worker killed mid-export, and the export still ends ready, once,
// with one whole ZIP: the file being written when the worker died is written again by the
// restarted worker once its heartbeat is missed, the unfinished upload of it is never
// visible and is aborted, and nothing of the written files is left.
//
// Not parallel, deliberately: the worker under test must be the only one on its task queue,
// so that killing it really stops the export.
func TestExportCrash_AWorkerKilledMidExportResumesWithOneWholeZip(t *testing.T) {
	bin := buildReptidex(t)
	cfg := crashConfig(t)
	s := serveAPI(t, cfg)
	ctx := context.Background()
	admin := testkit.AdminPool(t)
	tc := testkit.Temporal(t)

	ada := s.register(t, "Ada", false)
	in := export.Input{ExportID: uuid.New(), PublicID: "crash" + uuid.NewString()[:8]}
	require.NoError(t, admin.QueryRow(ctx, `SELECT o.id, u.id FROM organizations o, users u WHERE o.public_id = $1 AND u.public_id = $2`,
		ada.OrgID, ada.UserID).Scan(&in.OrgID, &in.RequestedBy))
	_, err := admin.Exec(ctx, `INSERT INTO animals (id, public_id, org_id, breeder_org_id, species_key, sex, name, genetics, genetics_text, gene_keys)
		SELECT gen_random_uuid(), 'crash' || substr(md5($2 || i), 1, 17), $1, $1, 'ball-python',
			CASE WHEN i % 2 = 0 THEN 'male' ELSE 'female' END::animal_sex, 'Crash ' || i,
			'[{"gene": "pastel", "kind": "visual"}, {"gene": "mojave", "kind": "visual"}, {"gene": "enchi", "kind": "visual"},
			  {"gene": "clown", "kind": "het"}]', 'Pastel Mojave Enchi het Clown', '{pastel,mojave,enchi,clown}'
		FROM generate_series(1, $3::int) i`, in.OrgID, in.PublicID, crashAnimals)
	require.NoError(t, err)
	_, err = admin.Exec(ctx, `INSERT INTO exports (id, public_id, org_id, requested_by) VALUES ($1, $2, $3, $4)`,
		in.ExportID, in.PublicID, in.OrgID, in.RequestedBy)
	require.NoError(t, err)

	worker := startWorkerProcess(t, bin, cfg)
	run, err := export.Start(ctx, tc, cfg.Temporal.TaskQueue, in)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		p, err := export.QueryProgress(ctx, tc, in.ExportID)
		if err != nil || p.Stage != export.Writing || p.FilesDone < 1 {
			return false
		}
		d, err := tc.DescribeWorkflowExecution(ctx, run.GetID(), run.GetRunID())
		if err != nil {
			return false
		}
		for _, a := range d.GetPendingActivities() {
			if a.GetActivityType().GetName() == export.FileActivity && a.GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED {
				return true
			}
		}
		return false
	}, time.Minute, 10*time.Millisecond, "the export is writing a file after the first")
	worker.kill(t)
	startWorkerProcess(t, bin, cfg)

	wctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	var res export.Result
	require.NoError(t, run.Get(wctx, &res))

	h := fetchHistory(t, tc, run.GetID(), run.GetRunID())
	var retried int
	for _, e := range h.Events {
		if a := e.GetActivityTaskStartedEventAttributes(); a != nil && a.GetAttempt() > 1 {
			require.Equal(t, enumspb.TIMEOUT_TYPE_HEARTBEAT, a.GetLastFailure().GetTimeoutFailureInfo().GetTimeoutType(),
				"the try before was lost with the worker: %v", a.GetLastFailure())
			retried++
		}
	}
	require.Equal(t, 1, retried, "the file being written when the worker died was written again, once")

	var status string
	var files map[string]int64
	require.NoError(t, admin.QueryRow(ctx, `SELECT status::text, files FROM exports WHERE id = $1`, in.ExportID).Scan(&status, &files))
	require.Equal(t, "ready", status)
	require.Equal(t, int64(crashAnimals), files["animals"])
	require.Equal(t, int64(claimsEach*crashAnimals), files["genetics"])

	c := objstore.New(cfg.S3)
	body := object(t, c, cfg.S3.Bucket, res.Key)
	z, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	require.NoError(t, err)
	require.Len(t, z.File, 2+len(export.Files)+1, "one whole ZIP")
	for _, f := range z.File {
		if f.Name == "genetics.csv" {
			r, err := f.Open()
			require.NoError(t, err)
			var buf bytes.Buffer
			_, err = buf.ReadFrom(r)
			require.NoError(t, err)
			require.Len(t, readCSV(t, buf.Bytes()), claimsEach*crashAnimals+1, "every row once, the header once")
		}
	}
	prefix := export.PartsPrefix(in.OrgID, in.ExportID)
	left, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(cfg.S3.Bucket), Prefix: aws.String(prefix)})
	require.NoError(t, err)
	require.Empty(t, left.Contents, "nothing of the written files is left")
	uploads, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(cfg.S3.Bucket), Prefix: aws.String(prefix)})
	require.NoError(t, err)
	require.Empty(t, uploads.Uploads, "the upload the killed worker left unfinished is aborted")
}
