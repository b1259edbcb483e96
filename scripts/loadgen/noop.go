package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	tworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// The baseline of the generators that drive a business process (loadsale, loadcert): a
// workflow that runs as many no-op activities, one after another, as a completed run of the
// process runs activities and child workflows, on the same Temporal server, with a worker
// of as many pollers as the real worker's, in the generator's process on a task queue of its
// own (the real worker has no no-op workflow to run). What separates the process's rate from
// the baseline's is then the process's own work — its activities' database, Stripe and S3
// calls, the API, the jobs that start it — and not the server or the machine.

const (
	// noopWorkflowName and noopActivityName name the baseline's workflow and activity.
	noopWorkflowName = "loadgen.noop"
	noopActivityName = "loadgen.noop"
)

// MaxBaselineFailures is how many failed no-op workflows a baseline quotes.
const MaxBaselineFailures = 5

// noopWorkflow runs steps no-op activities in turn.
func noopWorkflow(ctx workflow.Context, steps int) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	for range steps {
		if err := workflow.ExecuteActivity(ctx, noopActivityName).Get(ctx, nil); err != nil {
			return fmt.Errorf("no-op activity: %w", err)
		}
	}
	return nil
}

// noopActivity does nothing.
func noopActivity(context.Context) error { return nil }

// HistorySteps counts, in a recorded history of a completed workflow (Temporal's JSON of its
// events, as e2e records them in workflows/*/testdata), the activities it scheduled and the
// child workflows it started: the steps the baseline workflow runs as no-op activities.
func HistorySteps(path string) (int, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read the recorded history: %w", err)
	}
	var h struct {
		Events []struct {
			EventType string `json:"eventType"`
		} `json:"events"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return 0, fmt.Errorf("read the recorded history %s: %w", path, err)
	}
	n, completed := 0, false
	for _, e := range h.Events {
		switch e.EventType {
		case "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED", "EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED":
			n++
		case "EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED":
			completed = true
		}
	}
	if !completed || n == 0 {
		return 0, fmt.Errorf("%s is not the history of a completed workflow with activities", path)
	}
	return n, nil
}

// Baseline is what a no-op run measured.
type Baseline struct {
	Workflows int     `json:"workflows"`
	Steps     int     `json:"activities_each"`
	Completed int     `json:"completed"`
	WallSec   float64 `json:"wall_seconds"` // first start to last completion
	PerMinute float64 `json:"per_minute"`
	PerSecond float64 `json:"per_second"`
	// Latency is the spread of each workflow's time from its start to its completion.
	Latency  Latency  `json:"latency"`
	Failures []string `json:"failures,omitempty"` // the first MaxBaselineFailures
}

// OK reports whether every no-op workflow completed.
func (b Baseline) OK() bool { return b.Completed == b.Workflows }

// RunBaseline starts a worker with pollers workflow and activity task pollers on its own
// task queue, starts n no-op workflows of steps activities each with starters concurrent
// clients, and times from the first start until every one has completed.
func RunBaseline(ctx context.Context, tc client.Client, queue string, n, steps, pollers, starters int) (Baseline, error) {
	w := tworker.New(tc, queue, tworker.Options{
		MaxConcurrentWorkflowTaskPollers: pollers,
		MaxConcurrentActivityTaskPollers: pollers,
	})
	w.RegisterWorkflowWithOptions(noopWorkflow, workflow.RegisterOptions{Name: noopWorkflowName})
	w.RegisterActivityWithOptions(noopActivity, activity.RegisterOptions{Name: noopActivityName})
	if err := w.Start(); err != nil {
		return Baseline{}, fmt.Errorf("start the baseline's worker: %w", err)
	}
	defer w.Stop()

	out := Baseline{Workflows: n, Steps: steps}
	runs := make([]client.WorkflowRun, n)
	started := make([]time.Time, n)
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		done      atomic.Int64
		last      atomic.Int64 // unix nanoseconds of the last completion
		latencies []time.Duration
		startErr  error
	)
	t0 := time.Now()
	Deal(ctx, n, starters, func(_, i int) {
		started[i] = time.Now()
		run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("%s-%d", queue, i), TaskQueue: queue,
			WorkflowExecutionTimeout: 10 * time.Minute}, noopWorkflowName, steps)
		if err != nil {
			mu.Lock()
			startErr = errors.Join(startErr, fmt.Errorf("start no-op workflow %d: %w", i, err))
			mu.Unlock()
			return
		}
		runs[i] = run
	})
	for i, run := range runs {
		if run == nil {
			continue
		}
		wg.Go(func() {
			if err := run.Get(ctx, nil); err != nil {
				mu.Lock()
				if len(out.Failures) < MaxBaselineFailures {
					out.Failures = append(out.Failures, fmt.Sprintf("no-op workflow %s: %v", run.GetID(), err))
				}
				mu.Unlock()
				return
			}
			now := time.Now()
			mu.Lock()
			latencies = append(latencies, now.Sub(started[i]))
			mu.Unlock()
			done.Add(1)
			for n := now.UnixNano(); ; {
				prev := last.Load()
				if n <= prev || last.CompareAndSwap(prev, n) {
					break
				}
			}
		})
	}
	wg.Wait()
	if startErr != nil && len(out.Failures) < MaxBaselineFailures {
		out.Failures = append(out.Failures, startErr.Error())
	}
	out.Completed = int(done.Load())
	out.Latency = Spread(latencies)
	if out.Completed > 0 {
		wall := time.Unix(0, last.Load()).Sub(t0)
		out.WallSec = wall.Seconds()
		out.PerMinute = PerMinute(out.Completed, wall)
		out.PerSecond = PerSecond(out.Completed, wall)
	}
	return out, nil
}

// PerMinute is n per minute of d; 0 when d is not positive.
func PerMinute(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Minutes()
}

// PerSecond is n per second of d; 0 when d is not positive.
func PerSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}
