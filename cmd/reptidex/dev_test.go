package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// devEnv is the configuration this test gives `reptidex dev`: addresses clear of both the
// developer's stack and the test stack, and a database of its own.
var devEnv = map[string]string{
	"REPTIDEX_ENV":          "development",
	"LOG_FORMAT":            "text",
	"HTTP_ADDR":             "127.0.0.1:18480",
	"OPS_ADDR":              "127.0.0.1:18490",
	"PUBLIC_BASE_URL":       "http://127.0.0.1:18480",
	"DATABASE_URL":          "postgres://reptidex_app@127.0.0.1:5432/reptidex_devcheck?sslmode=disable",
	"DATABASE_ADMIN_URL":    "postgres://postgres@127.0.0.1:5432/reptidex_devcheck?sslmode=disable",
	"TEMPORAL_ADDRESS":      "127.0.0.1:18433",
	"TEMPORAL_UI_PORT":      "18434",
	"DEV_STRIPE_MOCK_PORT":  "18411",
	"STRIPE_API_BASE":       "http://127.0.0.1:18411",
	"DEV_S3_PORT":           "18470",
	"S3_ENDPOINT":           "http://127.0.0.1:18470",
	"SMTP_ADDR":             "127.0.0.1:18425",
	"DEV_MAIL_HTTP_ADDR":    "127.0.0.1:18426",
	"AUTH_SIGNING_KEY_FILE": "",
	"CERT_SIGNING_KEY_FILE": "", // the default, in DEV_DATA_DIR
}

// TestDev_RunsTheWholeSystemAndStopsEverythingOnInterrupt is `make dev` end to end: the
// binary starts every component, migrates, seeds and prints the demo login, serves a healthy
// API, and on Ctrl-C stops all it started; a second run reuses the state.
func TestDev_RunsTheWholeSystemAndStopsEverythingOnInterrupt(t *testing.T) {
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	binDir := filepath.Join(root, "bin")
	for _, tool := range []string{"temporal", "stripe-mock", "versitygw"} {
		_, err := os.Stat(filepath.Join(binDir, tool))
		require.NoError(t, err, "the pinned tools are built by `make tools` (make test does it)")
	}
	bin := filepath.Join(t.TempDir(), "reptidex")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	dataDir := t.TempDir()
	env := os.Environ()
	for k, v := range devEnv {
		env = append(env, k+"="+v)
	}
	env = append(env, "DEV_DATA_DIR="+dataDir, "DEV_BIN_DIR="+binDir,
		"AUTH_SIGNING_KEY_FILE="+filepath.Join(dataDir, "jwt-signing-key.pem"))
	t.Cleanup(func() { require.NoError(t, dropDatabase(context.Background(), devEnv["DATABASE_ADMIN_URL"])) })

	first := runDev(t, bin, env)
	require.Contains(t, first, `demo organization "Demo Vivarium" (created)`)
	require.FileExists(t, filepath.Join(dataDir, "jwt-signing-key.pem"))
	require.FileExists(t, filepath.Join(dataDir, "cert-signing-key.pem"), "the certificate key is generated once too")
	require.FileExists(t, filepath.Join(dataDir, "temporal.db"))

	second := runDev(t, bin, env)
	require.Contains(t, second, `demo organization "Demo Vivarium" (already there) on Business`)
}

// runDev starts `reptidex dev`, waits for a healthy API, logs in as the demo user, sends
// SIGINT and checks that every component's port is closed again. It returns the output.
func runDev(t *testing.T, bin string, env []string) string {
	t.Helper()
	cmd := exec.Command(bin, "dev")
	cmd.Env = env
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	base := "http://" + devEnv["HTTP_ADDR"]
	healthy := false
	deadline := time.Now().Add(60 * time.Second)
	for !healthy && time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("reptidex dev exited early (%v):\n%s", err, out.String())
		default:
		}
		resp, err := http.Get(base + "/api/v1/health/deep")
		if err == nil {
			healthy = resp.StatusCode == http.StatusOK
			_ = resp.Body.Close()
		}
		if !healthy {
			time.Sleep(200 * time.Millisecond)
		}
	}
	require.True(t, healthy, "not healthy within 60 s:\n%s", out.String())

	login := strings.NewReader(fmt.Sprintf(`{"email":%q,"password":%q}`, demoEmail, demoPassword))
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", login)
	require.NoError(t, err)
	var tokens struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tokens))
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotEmpty(t, tokens.AccessToken)

	// Metrics are the operations listener's, in development too; the public API has none.
	for url, want := range map[string]int{
		"http://" + devEnv["OPS_ADDR"] + "/metrics": http.StatusOK,
		base + "/metrics": http.StatusNotFound,
	} {
		resp, err := http.Get(url)
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, want, resp.StatusCode, url)
	}

	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	select {
	case err := <-done:
		require.NoError(t, err, "reptidex dev exits cleanly on Ctrl-C:\n%s", out.String())
	case <-time.After(45 * time.Second):
		t.Fatalf("reptidex dev did not stop within 45 s:\n%s", out.String())
	}
	for _, key := range []string{"HTTP_ADDR", "OPS_ADDR", "TEMPORAL_ADDRESS", "SMTP_ADDR", "DEV_MAIL_HTTP_ADDR"} {
		requireClosed(t, devEnv[key])
	}
	requireClosed(t, "127.0.0.1:"+devEnv["DEV_STRIPE_MOCK_PORT"])
	requireClosed(t, "127.0.0.1:"+devEnv["DEV_S3_PORT"])
	return out.String()
}

func requireClosed(t *testing.T, addr string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		_ = conn.Close()
	}
	require.Error(t, err, "%s still accepts connections after reptidex dev stopped", addr)
}

// syncBuffer collects a child's output from two pipes at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
