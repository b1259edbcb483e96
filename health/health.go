// Package health checks that each dependency of a ReptiDex process answers, for the deep
// health endpoint and for `reptidex dev` waiting on its components.
package health

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/smtp"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/reptidex/reptidex/config"
	"github.com/reptidex/reptidex/sms"
)

// Check is one named dependency probe.
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// Result is the outcome of one check. Error says only how it failed, in words of ours; the
// dependency's own error text, which may name hosts, users or paths, stays in Err for the log.
type Result struct {
	Status    string  `json:"status"` // up or down
	LatencyMS float64 `json:"latency_ms"`
	Error     string  `json:"error,omitempty"`
	Err       error   `json:"-"`
}

// Report is the outcome of every check.
type Report struct {
	Status string            `json:"status"` // up when every check is up
	Checks map[string]Result `json:"checks"`
}

// RunAll runs the checks concurrently, each bounded by timeout.
func RunAll(ctx context.Context, checks []Check, timeout time.Duration) Report {
	rep := Report{Status: "up", Checks: make(map[string]Result, len(checks))}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			start := time.Now()
			err := c.Run(cctx)
			res := Result{Status: "up", LatencyMS: float64(time.Since(start).Microseconds()) / 1000}
			if err != nil {
				res.Status, res.Error, res.Err = "down", "failed; the server log has the detail", err
				if errors.Is(err, context.DeadlineExceeded) {
					res.Error = "did not answer within " + timeout.String()
				}
			}
			mu.Lock()
			defer mu.Unlock()
			rep.Checks[c.Name] = res
			if err != nil {
				rep.Status = "down"
			}
		}()
	}
	wg.Wait()
	return rep
}

// All is every dependency a ReptiDex process has, as configured: Postgres, Temporal, River,
// S3 (through the process's client objects), Stripe, SMTP and the SMS provider.
func All(cfg config.Config, pool *pgxpool.Pool, tc client.Client, objects *s3.Client) []Check {
	return []Check{
		Postgres(pool),
		Temporal(tc),
		River(pool),
		S3(objects, cfg.S3.Bucket),
		Stripe(cfg.Stripe.APIBase, cfg.Stripe.SecretKey),
		SMTP(cfg.SMTP.Addr),
		SMS(sms.New(cfg.SMS)),
	}
}

// Postgres checks the database answers a query.
func Postgres(pool *pgxpool.Pool) Check {
	return Check{Name: "postgres", Run: func(ctx context.Context) error {
		var one int
		return pool.QueryRow(ctx, "SELECT 1").Scan(&one)
	}}
}

// Temporal checks the Temporal frontend reports itself serving.
func Temporal(c client.Client) Check {
	return Check{Name: "temporal", Run: func(ctx context.Context) error {
		_, err := c.CheckHealth(ctx, &client.CheckHealthRequest{})
		return err
	}}
}

// River checks that River's tables are reachable and that a worker process holds River's
// leadership, i.e. that jobs are being worked.
func River(pool *pgxpool.Pool) Check {
	return Check{Name: "river", Run: func(ctx context.Context) error {
		var leaders int
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM river_leader WHERE expires_at > now()").Scan(&leaders); err != nil {
			return fmt.Errorf("read river_leader: %w", err)
		}
		if leaders == 0 {
			return errors.New("no River worker is running")
		}
		return nil
	}}
}

// S3 checks the bucket exists and is reachable.
func S3(c *s3.Client, bucket string) Check {
	return Check{Name: "s3", Run: func(ctx context.Context) error {
		_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
		return err
	}}
}

// Stripe checks the Stripe API answers an authenticated request (GET /v1/balance).
func Stripe(apiBase, secretKey string) Check {
	hc := &http.Client{Timeout: 5 * time.Second}
	return Check{Name: "stripe", Run: func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, apiBase+"/v1/balance", nil)
		if err != nil {
			return err
		}
		req.SetBasicAuth(secretKey, "")
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer func() { _ = resp.Body.Close() }() // read path: a failed close loses nothing
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET /v1/balance: status %d", resp.StatusCode)
		}
		return nil
	}}
}

// SMTP checks the mail server greets and answers EHLO.
func SMTP(addr string) Check {
	return Check{Name: "smtp", Run: func(ctx context.Context) error {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		if dl, ok := ctx.Deadline(); ok {
			_ = conn.SetDeadline(dl)
		}
		host, _, _ := net.SplitHostPort(addr)
		c, err := smtp.NewClient(conn, host)
		if err != nil {
			_ = conn.Close() // the greeting's error is the one to report
			return err
		}
		defer func() { _ = c.Close() }() // best effort: Quit has ended the conversation, or an earlier error is reported
		if err := c.Hello("reptidex-health"); err != nil {
			return err
		}
		return c.Quit()
	}}
}

// SMS checks the SMS provider answers an authenticated read of the account, which sends
// nothing: it is down when the provider is unreachable or refuses the credentials.
func SMS(c *sms.Client) Check {
	return Check{Name: "sms", Run: c.CheckAccount}
}
