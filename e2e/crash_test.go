package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/testkit"
	"github.com/reptidex/reptidex/workflows/transfer"
)

// crashWorkerName is the application_name of the worker process's database connections,
// by which the test finds and cuts them.
const crashWorkerName = "reptidex-crash-worker"

// midMove is an accepted transfer whose ownership move is blocked in the database on the
// test's lock of the animal's row, with what an interruption needs to act on it.
type midMove struct {
	admin   *pgxpool.Pool
	worker  *reptidexProcess
	restart func() *reptidexProcess
	release func() // releases the test's lock; the move proceeds
	lockPID int32  // the backend holding the test's lock
	blocked int32  // the backend of the move waiting on it
	before  moveRecord
	check   func() moveRecord
}

// The promise: a crash of the worker between acceptance and the move, or the
// database dropping it mid-move, and the transfer still completes, exactly once. The move
// is held inside move_animal by the test's row lock on the animal, then interrupted.
//
// Not parallel, deliberately: the worker under test must be the only one working this
// package's River jobs (one of them starts the transfer's workflow) and its task queue,
// so that killing it really stops the move; the parallel tests of the package wait.
func TestTransferCrash_AcceptCompletesExactlyOnceWhenTheMoveIsInterrupted(t *testing.T) {
	bin := buildReptidex(t)
	cases := []struct {
		name      string
		interrupt func(t *testing.T, m *midMove)
		// The answers the accept request may get: while the worker is dead it outlives the
		// API's wait for the workflow (503, the outcome shows later on GET).
		answers []int
	}{
		{name: "the worker is killed with SIGKILL and started again", interrupt: killAndRestart,
			answers: []int{http.StatusOK, http.StatusServiceUnavailable}},
		{name: "the database terminates the worker's connections", interrupt: dropConnections,
			answers: []int{http.StatusOK}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := crashConfig(t)
			worker := startWorkerProcess(t, bin, cfg)
			s := serveAPI(t, cfg)
			admin := testkit.AdminPool(t)
			ada, bob := s.register(t, "Ada", true), s.register(t, "Bob", true)
			animal := s.animal(t, ada.Token, map[string]any{"species": "ball-python", "sex": "male", "name": "Biscuit"})
			r := s.offer(t, ada.Token, uuid.NewString(), map[string]any{"animal_id": animal, "recipient_email": bob.Email})
			require.Equal(t, http.StatusCreated, r.Status, "%s", r.Raw)
			publicID := r.Body["id"].(string)
			s.waitMail(t, bob.Email, "Ada's Reptiles offers you Biscuit")
			var transferID uuid.UUID
			require.NoError(t, admin.QueryRow(context.Background(),
				`SELECT id FROM transfers WHERE public_id = $1`, publicID).Scan(&transferID))

			check := func() moveRecord { return readMoveRecord(t, admin, transferID, animal) }
			untouched := moveRecord{Owner: ada.OrgID, Held: true, Transferred: map[string]int{}}
			require.Equal(t, untouched, check())

			lockPID, release := lockAnimal(t, admin, animal)
			accepted := s.sendAsync(http.MethodPost, "/api/v1/transfers/"+publicID+"/accept", bob.Token,
				map[string]any{"organization_id": bob.OrgID})
			m := &midMove{admin: admin, worker: worker, restart: func() *reptidexProcess { return startWorkerProcess(t, bin, cfg) },
				release: release, lockPID: lockPID, before: untouched, check: check}
			m.blocked = waitBlockedMove(t, admin, lockPID, 0)
			require.Equal(t, untouched, check(), "the blocked move has changed nothing yet")

			c.interrupt(t, m)

			select {
			case a := <-accepted:
				require.NoError(t, a.err)
				require.Contains(t, c.answers, a.status, "accept answered %s", a.raw)
			case <-time.After(90 * time.Second):
				t.Fatal("the accept request never answered")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			var res transfer.Result
			require.NoError(t, testkit.Temporal(t).GetWorkflow(ctx, transfer.WorkflowID(transferID), "").Get(ctx, &res),
				"the transfer's workflow completes; worker log:\n%s", m.worker.log())
			require.Equal(t, transfer.Accepted, res.Status)

			got := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/transfers/"+publicID, bob.Token, nil)
			require.Equal(t, "accepted", got["status"])
			require.Equal(t, bob.OrgID, got["to_organization_id"])
			require.Equal(t, []string{"offered", "accepted"}, timelineKinds(got))
			moved := s.must(t, http.StatusOK, http.MethodGet, "/api/v1/animals/"+animal, bob.Token, nil)
			require.Equal(t, bob.OrgID, moved["organization_id"])
			s.must(t, http.StatusOK, http.MethodPatch, "/api/v1/animals/"+animal, bob.Token,
				map[string]any{"name": "Biscuit II"}, "If-Match", "*") // the hold is released

			require.Equal(t, moveRecord{Moves: 1, Owner: bob.OrgID, Transferred: map[string]int{ada.OrgID: 1, bob.OrgID: 1},
				Accepted: 1}, check(), "moved exactly once")
		})
	}
}

// killAndRestart kills the worker while its move waits, then lets the dead worker's
// database session go: it rolls back, having moved nothing. A new worker finishes the
// move once Temporal times out the lost attempt and retries it.
func killAndRestart(t *testing.T, m *midMove) {
	t.Helper()
	m.worker.kill(t)
	m.release()
	require.Eventually(t, func() bool {
		var alive bool
		err := m.admin.QueryRow(context.Background(), `SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1)`,
			m.blocked).Scan(&alive)
		return err == nil && !alive
	}, 30*time.Second, 20*time.Millisecond, "the killed worker's session ends once its move is unblocked")
	require.Equal(t, m.before, m.check(), "the killed worker's half-done move left nothing")
	m.worker = m.restart()
}

// dropConnections terminates every database session of the worker, the blocked move's
// included, as a database restart would; Temporal retries the failed move, which blocks
// again until the test lets it through.
func dropConnections(t *testing.T, m *midMove) {
	t.Helper()
	rows, err := m.admin.Query(context.Background(), `WITH worker AS MATERIALIZED (SELECT pid FROM pg_stat_activity
			WHERE datname = current_database() AND application_name = $1)
		SELECT pid FROM worker WHERE pg_terminate_backend(pid)`, crashWorkerName)
	require.NoError(t, err)
	terminated, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	require.NoError(t, err)
	require.Contains(t, terminated, m.blocked)
	retried := waitBlockedMove(t, m.admin, m.lockPID, m.blocked)
	require.NotContains(t, terminated, retried, "the retry runs on a new connection")
	require.Equal(t, m.before, m.check(), "the terminated move left nothing")
	m.release()
}

// moveRecord is what an ownership move writes, read as the schema owner.
type moveRecord struct {
	Moves       int            // ownership_history rows of the transfer
	Owner       string         // the animal's organization (public ID)
	Held        bool           // the animal is on hold
	Transferred map[string]int // animal.transferred events of the transfer, per organization (public ID)
	Accepted    int            // "accepted" entries in the transfer's timeline
}

func readMoveRecord(t *testing.T, admin *pgxpool.Pool, transferID uuid.UUID, animal string) moveRecord {
	t.Helper()
	ctx := context.Background()
	r := moveRecord{Transferred: map[string]int{}}
	require.NoError(t, admin.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM ownership_history WHERE transfer_id = $1),
			(SELECT count(*) FROM transfer_timeline WHERE transfer_id = $1 AND kind = 'accepted'),
			o.public_id, a.held_by IS NOT NULL
		FROM animals a JOIN organizations o ON o.id = a.org_id
		WHERE a.public_id = $2`, transferID, animal).Scan(&r.Moves, &r.Accepted, &r.Owner, &r.Held))
	rows, err := admin.Query(ctx, `SELECT o.public_id, count(*) FROM events e JOIN organizations o ON o.id = e.org_id
		WHERE e.type = 'animal.transferred' AND e.payload->>'transfer_id' = (SELECT public_id FROM transfers WHERE id = $1)
		GROUP BY o.public_id`, transferID)
	require.NoError(t, err)
	var (
		org string
		n   int
	)
	_, err = pgx.ForEachRow(rows, []any{&org, &n}, func() error { r.Transferred[org] = n; return nil })
	require.NoError(t, err)
	return r
}

// lockAnimal takes the animal's row lock in a transaction of the test's own, so that a
// move of it waits in the database until release. It returns the backend holding the lock.
func lockAnimal(t *testing.T, admin *pgxpool.Pool, animal string) (pid int32, release func()) {
	t.Helper()
	ctx := context.Background()
	tx, err := admin.Begin(ctx)
	require.NoError(t, err)
	release = func() { _ = tx.Rollback(ctx) } // a second rollback is a no-op
	t.Cleanup(release)
	require.NoError(t, tx.QueryRow(ctx, `SELECT pg_backend_pid() FROM animals WHERE public_id = $1 FOR UPDATE`, animal).Scan(&pid))
	return pid, release
}

// waitBlockedMove waits until a move_animal call other than the backend skip waits on the
// lock held by lockPID, and returns its backend.
func waitBlockedMove(t *testing.T, admin *pgxpool.Pool, lockPID, skip int32) int32 {
	t.Helper()
	var pid int32
	require.Eventually(t, func() bool {
		err := admin.QueryRow(context.Background(), `SELECT pid FROM pg_stat_activity
			WHERE $1 = ANY (pg_blocking_pids(pid)) AND pid <> $2 AND query LIKE '%move_animal(%'`, lockPID, skip).Scan(&pid)
		return err == nil
	}, 30*time.Second, 20*time.Millisecond, "no move waits on the animal's lock")
	return pid
}

// crashConfig is the package's test configuration on a task queue of the test's own.
func crashConfig(t *testing.T) config.Config {
	t.Helper()
	cfg := testkit.Config(t)
	cfg.Auth.RatePerMinute, cfg.Auth.RateBurst = 100000, 100000
	cfg.Notify.EmailAfter = 0
	cfg.Notify.RetryBase = 100 * time.Millisecond
	cfg.Temporal.TaskQueue += "-crash-" + uuid.NewString()[:8]
	return cfg
}

// asyncReply is the outcome of a request sent in the background.
type asyncReply struct {
	status int
	raw    []byte
	err    error
}

// sendAsync sends a request from a goroutine of its own and delivers its answer.
func (s *system) sendAsync(method, path, token string, body any) <-chan asyncReply {
	out := make(chan asyncReply, 1)
	go func() {
		var a asyncReply
		defer func() { out <- a }()
		raw, err := json.Marshal(body)
		if a.err = err; err != nil {
			return
		}
		req, err := http.NewRequestWithContext(context.Background(), method, s.URL+path, bytes.NewReader(raw))
		if a.err = err; err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := s.HTTP.Do(req)
		if a.err = err; err != nil {
			return
		}
		defer func() { _ = resp.Body.Close() }()
		a.status = resp.StatusCode
		a.raw, a.err = io.ReadAll(resp.Body)
	}()
	return out
}

// buildReptidex builds the binary from the working tree.
func buildReptidex(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "reptidex")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/reptidex/reptidex/cmd/reptidex").CombinedOutput()
	require.NoError(t, err, "go build:\n%s", out)
	return bin
}

// reptidexProcess is a command of the built binary (`reptidex worker`, `reptidex api`)
// running as a process of its own.
type reptidexProcess struct {
	cmd     *exec.Cmd
	exited  chan struct{}
	logPath string
}

// startWorkerProcess runs `reptidex worker` against the package's database, cfg's task
// queue and cfg's Stripe, waits until it serves its metrics (it has started), and stops it
// when the test ends: gracefully, or killed if it does not stop within 30 s.
func startWorkerProcess(t *testing.T, bin string, cfg config.Config) *reptidexProcess {
	t.Helper()
	metrics := testkit.FreeAddr(t)
	return startProcess(t, bin, "worker", "http://"+metrics+"/metrics", processEnv(t, cfg, crashWorkerName),
		"STRIPE_API_BASE="+cfg.Stripe.APIBase, "WORKER_METRICS_ADDR="+metrics)
}

// processEnv is the environment of a process of the binary on cfg, its database sessions
// named appName.
func processEnv(t *testing.T, cfg config.Config, appName string) []string {
	t.Helper()
	dbURL, err := url.Parse(cfg.Database.URL)
	require.NoError(t, err)
	q := dbURL.Query()
	q.Set("application_name", appName)
	dbURL.RawQuery = q.Encode()
	return append(os.Environ(), // later entries win over the inherited ones
		"REPTIDEX_ENV=test", "LOG_FORMAT=text", "LOG_LEVEL=info",
		"DATABASE_URL="+dbURL.String(), "DATABASE_ADMIN_URL="+cfg.Database.AdminURL,
		"TEMPORAL_ADDRESS="+cfg.Temporal.Address, "TEMPORAL_NAMESPACE="+cfg.Temporal.Namespace,
		"TEMPORAL_TASK_QUEUE="+cfg.Temporal.TaskQueue,
		"RIVER_FETCH_COOLDOWN="+cfg.River.FetchCooldown.String(), "RIVER_JOB_TIMEOUT="+cfg.River.JobTimeout.String(),
		"RIVER_RESCUE_AFTER="+cfg.River.RescueAfter.String(),
		"SMTP_ADDR="+cfg.SMTP.Addr, "SMS_PROVIDER_URL="+cfg.SMS.ProviderURL, "PUBLIC_BASE_URL="+cfg.HTTP.PublicBaseURL,
		"NOTIFY_EMAIL_AFTER="+cfg.Notify.EmailAfter.String(), "NOTIFY_RETRY_BASE="+cfg.Notify.RetryBase.String())
}

// startProcess runs `reptidex command` with env (and extra after it), waits until ready
// answers 200 (it has started), and stops it when the test ends: gracefully, or killed if
// it does not stop within 30 s.
func startProcess(t *testing.T, bin, command, ready string, env []string, extra ...string) *reptidexProcess {
	t.Helper()
	cmd := exec.Command(bin, command)
	cmd.Env = append(env, extra...)
	logFile, err := os.CreateTemp(t.TempDir(), command+"-*.log")
	require.NoError(t, err)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	require.NoError(t, cmd.Start())
	w := &reptidexProcess{cmd: cmd, exited: make(chan struct{}), logPath: logFile.Name()}
	go func() {
		_ = cmd.Wait()
		_ = logFile.Close()
		close(w.exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-w.exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-w.exited
		}
		if t.Failed() {
			t.Logf("%s process %d:\n%s", command, cmd.Process.Pid, w.log())
		}
	})

	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-w.exited:
			t.Fatalf("reptidex %s exited early:\n%s", command, w.log())
		default:
		}
		resp, err := client.Get(ready)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return w
			}
		}
		require.True(t, time.Now().Before(deadline), "reptidex %s not ready within 60 s:\n%s", command, w.log())
		time.Sleep(50 * time.Millisecond)
	}
}

// kill ends the process with SIGKILL, as a crash would, and waits until it is gone.
func (w *reptidexProcess) kill(t *testing.T) {
	t.Helper()
	require.NoError(t, w.cmd.Process.Kill())
	select {
	case <-w.exited:
	case <-time.After(10 * time.Second):
		t.Fatal("the killed process did not exit")
	}
}

// log is what the process wrote so far.
func (w *reptidexProcess) log() string {
	raw, err := os.ReadFile(w.logPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(raw)
}
