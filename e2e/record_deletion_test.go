package e2e_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/reptidex/reptidex/objstore"
	"github.com/reptidex/reptidex/store"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/workflows/deletion"
)

// Each path an account's deletion can take, run end to end on the dev server, the worker and
// Postgres: kept, cancelled over HTTP within its grace; and erased, with a grace of seconds,
// which hands one organization to its admin and closes another, and leaves the person's
// address nowhere (audit rows and events included), their account a pseudonym no one can
// log in to. Its history must replay against today's code; with RECORD_HISTORIES=1 it is
// written as the workflow's recorded history.
func TestDeletion_RecordsTheHistoryOfEachPath(t *testing.T) {
	t.Parallel()
	paths := []struct {
		name  string
		drive func(t *testing.T, s *system) (deletion.Input, func(t *testing.T, res deletion.Result))
		file  string
	}{
		{name: "cancelled", drive: keepAccount, file: "cancelled.json"},
		{name: "erased", drive: eraseAccount, file: "erased.json"},
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			s := start(t)
			tc := testkit.Temporal(t)
			in, check := p.drive(t, s)
			ctx, cancel := context.WithTimeout(context.Background(), processWait)
			defer cancel()
			var res deletion.Result
			require.NoError(t, tc.GetWorkflow(ctx, deletion.WorkflowID(in.UserID), "").Get(ctx, &res))
			check(t, res)
			h := fetchHistory(t, tc, deletion.WorkflowID(in.UserID), "")
			require.Equal(t, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, h.Events[len(h.Events)-1].EventType)
			requireReplays(t, h)
			if recordHistories {
				writeHistory(t, h, filepath.Join("..", "workflows", "deletion", "testdata", p.file))
			}
		})
	}
}

// keepAccount asks for the deletion over HTTP, with the password, then keeps the account.
func keepAccount(t *testing.T, s *system) (deletion.Input, func(*testing.T, deletion.Result)) {
	t.Helper()
	ada := s.register(t, "Ada", true)
	wrong := s.do(t, http.MethodPost, "/api/v1/me/deletion", ada.Token, map[string]any{"password": "not it"})
	require.Equal(t, http.StatusUnprocessableEntity, wrong.Status, "%s", wrong.Raw)
	d := s.must(t, http.StatusAccepted, http.MethodPost, "/api/v1/me/deletion", ada.Token,
		map[string]any{"password": "correct horse battery"})
	require.Equal(t, "scheduled", d["status"])
	eraseAt, err := time.Parse(time.RFC3339, d["erase_at"].(string))
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(deletion.Grace), eraseAt, time.Minute)
	require.Equal(t, []any{map[string]any{"id": ada.OrgID, "name": "Ada's Reptiles", "fate": "closed"}}, d["organizations"])
	s.must(t, http.StatusConflict, http.MethodPost, "/api/v1/me/deletion", ada.Token, map[string]any{"password": "correct horse battery"})
	m := s.waitMail(t, ada.Email, "Your account will be deleted")
	require.Contains(t, m.Text, "Ada's Reptiles: you are its only member; it will be closed")
	kept := s.must(t, http.StatusOK, http.MethodDelete, "/api/v1/me/deletion", ada.Token, nil)
	require.Equal(t, "none", kept["status"])
	s.must(t, http.StatusConflict, http.MethodDelete, "/api/v1/me/deletion", ada.Token, nil)
	var in deletion.Input
	require.NoError(t, testkit.AdminPool(t).QueryRow(context.Background(), `SELECT id, public_id FROM users WHERE public_id = $1`,
		ada.UserID).Scan(&in.UserID, &in.PublicID))
	return in, func(t *testing.T, res deletion.Result) {
		require.Equal(t, deletion.Cancelled, res.Stage)
		s.waitMail(t, ada.Email, "Your account will not be deleted")
		s.must(t, http.StatusOK, http.MethodGet, "/api/v1/me", ada.Token, nil)
	}
}

// eraseAccount has a breeder who owns two organizations, one with an admin, and whom another
// breeder invited, deleted with a grace of seconds.
func eraseAccount(t *testing.T, s *system) (deletion.Input, func(*testing.T, deletion.Result)) {
	t.Helper()
	ctx := context.Background()
	admin := testkit.AdminPool(t)
	ada, bob, carol := s.register(t, "Ada", true), s.register(t, "Bob", true), s.register(t, "Carol", true)
	s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "female", "name": "Vega"})
	// Carol invited Ada's address as written otherwise; Dan, someone else's that contains it.
	s.must(t, http.StatusCreated, http.MethodPost, "/api/v1/organizations/"+carol.OrgID+"/invitations", carol.Token,
		map[string]any{"email": strings.ToUpper(ada.Email), "role": "keeper"})
	other, dan := "jo"+strings.ToLower(ada.Email), s.register(t, "Dan", true)
	s.must(t, http.StatusCreated, http.MethodPost, "/api/v1/organizations/"+dan.OrgID+"/invitations", dan.Token,
		map[string]any{"email": other, "role": "keeper"})
	// Ada took her data away once: the document goes with her account.
	s.must(t, http.StatusAccepted, http.MethodPost, "/api/v1/me/export", ada.Token, nil)
	s.waitMail(t, ada.Email, "Your personal data is ready to download")
	var document string
	require.NoError(t, admin.QueryRow(ctx, `SELECT e.object_key FROM personal_exports e JOIN users u ON u.id = e.user_id
		WHERE u.public_id = $1`, ada.UserID).Scan(&document))
	var in deletion.Input
	require.NoError(t, admin.QueryRow(ctx, `SELECT id, public_id FROM users WHERE public_id = $1`, ada.UserID).Scan(&in.UserID, &in.PublicID))
	// Bob is an admin of Ada's organization; Ada also owns a second one alone.
	_, err := admin.Exec(ctx, `INSERT INTO memberships (org_id, user_id, role)
		SELECT o.id, u.id, 'admin' FROM organizations o, users u WHERE o.public_id = $1 AND u.public_id = $2`, ada.OrgID, bob.UserID)
	require.NoError(t, err)
	geckos := store.NewPublicID()
	_, err = admin.Exec(ctx, `WITH o AS (INSERT INTO organizations (id, public_id, name, created_by)
			VALUES (gen_random_uuid(), $1, 'Ada''s Geckos', $2) RETURNING id)
		INSERT INTO memberships (org_id, user_id, role) SELECT o.id, $2, 'owner' FROM o`, geckos, in.UserID)
	require.NoError(t, err)
	_, err = admin.Exec(ctx, `INSERT INTO export_schedules (id, public_id, org_id, created_by, frequency, minute_of_day, time_zone)
		SELECT gen_random_uuid(), $1, o.id, $2, 'daily', 210, 'UTC' FROM organizations o WHERE o.public_id = $3`,
		store.NewPublicID(), in.UserID, geckos)
	require.NoError(t, err)

	in.RequestedAt = time.Now().UTC().Truncate(time.Second)
	in.RemindAt, in.EraseAt, in.ScrubAfter = in.RequestedAt.Add(2*time.Second), in.RequestedAt.Add(4*time.Second), 3*time.Second
	_, err = admin.Exec(ctx, `UPDATE users SET erase_at = $2 WHERE id = $1`, in.UserID, in.EraseAt)
	require.NoError(t, err)
	_, err = deletion.Start(ctx, testkit.Temporal(t), s.Cfg.Temporal.TaskQueue, in)
	require.NoError(t, err)
	return in, func(t *testing.T, res deletion.Result) {
		require.Equal(t, deletion.Erased, res.Stage)
		require.Len(t, res.Fates, 2)
		for _, subject := range []string{"Your account will be deleted", "Your account will be deleted soon", "Your account has been deleted"} {
			s.waitMail(t, ada.Email, subject)
		}
		s.waitMail(t, bob.Email, "You now own Ada's Reptiles")

		var email, name string
		var erased *time.Time
		require.NoError(t, admin.QueryRow(ctx, `SELECT email, display_name, erased_at FROM users WHERE id = $1`, in.UserID).
			Scan(&email, &name, &erased))
		pseudonym := deletion.Pseudonym(in.UserID)
		require.Equal(t, pseudonym+"@erased.reptidex.invalid", email)
		require.Equal(t, "Erased user "+pseudonym, name)
		require.NotNil(t, erased)
		for table, sql := range map[string]string{
			"users":       `SELECT count(*) FROM users WHERE lower(email) = lower($1)`,
			"invitations": `SELECT count(*) FROM invitations WHERE lower(email) = lower($1)`,
			// Dan's invitation to the address that contains hers is left out of the search.
			"audit_log": `SELECT count(*) FROM audit_log WHERE strpos(replace(lower(coalesce(before::text, '') || coalesce(after::text, '')),
				lower('` + other + `'), ''), lower($1)) > 0`,
			"events":      `SELECT count(*) FROM events WHERE strpos(replace(lower(payload::text), lower('` + other + `'), ''), lower($1)) > 0`,
			"deliveries":  `SELECT count(*) FROM notification_deliveries WHERE lower(address) = lower($1)`,
			"sent to her": `SELECT count(*) FROM notifications WHERE lower(email) = lower($1)`,
		} {
			var n int
			require.NoError(t, admin.QueryRow(ctx, sql, ada.Email).Scan(&n))
			require.Zero(t, n, "the address is left in %s", table)
		}
		var audited, notifications, memberships int
		require.NoError(t, admin.QueryRow(ctx, `SELECT (SELECT count(*) FROM audit_log WHERE actor_user_id = $1),
			(SELECT count(*) FROM notifications WHERE user_id = $1), (SELECT count(*) FROM memberships WHERE user_id = $1)`,
			in.UserID).Scan(&audited, &notifications, &memberships))
		require.Positive(t, audited, "what she did stays, under the pseudonym")
		require.Zero(t, notifications, "her notifications are scrubbed")
		require.Zero(t, memberships)
		var role string
		require.NoError(t, admin.QueryRow(ctx, `SELECT m.role::text FROM memberships m JOIN organizations o ON o.id = m.org_id
			JOIN users u ON u.id = m.user_id WHERE o.public_id = $1 AND u.public_id = $2`, ada.OrgID, bob.UserID).Scan(&role))
		require.Equal(t, "owner", role, "the admin owns the organization now")
		var closed *time.Time
		var paused bool
		require.NoError(t, admin.QueryRow(ctx, `SELECT o.closed_at, s.paused FROM organizations o JOIN export_schedules s ON s.org_id = o.id
			WHERE o.public_id = $1`, geckos).Scan(&closed, &paused))
		require.NotNil(t, closed, "the organization with no other member is closed")
		require.True(t, paused, "and its exports no longer made")
		var kept int
		require.NoError(t, admin.QueryRow(ctx, `SELECT count(*) FROM invitations WHERE email = $1`, other).Scan(&kept))
		require.Equal(t, 1, kept, "another person's address that contains hers is left as it is")
		require.NoError(t, admin.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE after->>'email' = $1`, other).Scan(&kept))
		require.Equal(t, 1, kept, "in the audit log too")
		var documents int
		require.NoError(t, admin.QueryRow(ctx, `SELECT count(*) FROM personal_exports WHERE user_id = $1`, in.UserID).Scan(&documents))
		require.Zero(t, documents)
		_, err := objstore.New(s.Cfg.S3).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.Cfg.S3.Bucket), Key: aws.String(document)})
		require.Error(t, err, "the document of her data is deleted")

		login := s.do(t, http.MethodPost, "/api/v1/auth/login", "", map[string]any{"email": ada.Email, "password": "correct horse battery"})
		require.Equal(t, http.StatusUnauthorized, login.Status, "%s", login.Raw)
		require.False(t, strings.Contains(string(s.do(t, http.MethodGet, "/api/v1/me", ada.Token, nil).Raw), ada.Email))
	}
}
