package main

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

	"github.com/reptidex/reptidex/scripts/loadgen"
)

// The baseline: a workflow that runs as many no-op activities, one after another, as a
// completed sale runs activities and child workflows, on the same Temporal dev server, with
// a worker of as many pollers as the real worker's, in this process on its own task queue.
// What separates the sale's rate from the baseline's is then the sale's own work — its
// activities' database and Stripe calls, its Updates and signal, the API, the webhook — and
// not the server or the machine.

const (
	// noopWorkflowName and noopActivityName name the baseline's workflow and activity.
	noopWorkflowName = "loadsale.noop"
	noopActivityName = "loadsale.noop"
)

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

// saleSteps counts, in a recorded history of a completed sale (Temporal's JSON of its events,
// as e2e records it in workflows/sale/testdata), the activities it scheduled and the child
// workflows it started: the steps the baseline workflow runs as no-op activities.
func saleSteps(path string) (int, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read the sale's recorded history: %w", err)
	}
	var h struct {
		Events []struct {
			EventType string `json:"eventType"`
		} `json:"events"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return 0, fmt.Errorf("read the sale's recorded history %s: %w", path, err)
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
		return 0, fmt.Errorf("%s is not the history of a completed sale with activities", path)
	}
	return n, nil
}

// baseline is what the no-op run measured.
type baseline struct {
	Workflows int      `json:"workflows"`
	Steps     int      `json:"activities_each"`
	Completed int      `json:"completed"`
	WallSec   float64  `json:"wall_seconds"` // first start to last completion
	PerMinute float64  `json:"per_minute"`
	Failures  []string `json:"failures,omitempty"`
}

// runBaseline starts a worker with pollers workflow and activity task pollers on its own
// task queue, starts n no-op workflows of steps activities each with starters concurrent
// clients, and times from the first start until every one has completed.
func runBaseline(ctx context.Context, tc client.Client, queue string, n, steps, pollers, starters int) (baseline, error) {
	w := tworker.New(tc, queue, tworker.Options{
		MaxConcurrentWorkflowTaskPollers: pollers,
		MaxConcurrentActivityTaskPollers: pollers,
	})
	w.RegisterWorkflowWithOptions(noopWorkflow, workflow.RegisterOptions{Name: noopWorkflowName})
	w.RegisterActivityWithOptions(noopActivity, activity.RegisterOptions{Name: noopActivityName})
	if err := w.Start(); err != nil {
		return baseline{}, fmt.Errorf("start the baseline's worker: %w", err)
	}
	defer w.Stop()

	out := baseline{Workflows: n, Steps: steps}
	runs := make([]client.WorkflowRun, n)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		done     atomic.Int64
		last     atomic.Int64 // unix nanoseconds of the last completion
		startErr error
	)
	t0 := time.Now()
	loadgen.Deal(ctx, n, starters, func(_, i int) {
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
	for _, run := range runs {
		if run == nil {
			continue
		}
		wg.Go(func() {
			if err := run.Get(ctx, nil); err != nil {
				mu.Lock()
				if len(out.Failures) < maxFailures {
					out.Failures = append(out.Failures, fmt.Sprintf("no-op workflow %s: %v", run.GetID(), err))
				}
				mu.Unlock()
				return
			}
			done.Add(1)
			for now := time.Now().UnixNano(); ; {
				prev := last.Load()
				if now <= prev || last.CompareAndSwap(prev, now) {
					break
				}
			}
		})
	}
	wg.Wait()
	if startErr != nil && len(out.Failures) < maxFailures {
		out.Failures = append(out.Failures, startErr.Error())
	}
	out.Completed = int(done.Load())
	if out.Completed > 0 {
		wall := time.Unix(0, last.Load()).Sub(t0)
		out.WallSec = wall.Seconds()
		out.PerMinute = perMinute(out.Completed, wall)
	}
	return out, nil
}

// perMinute is n per minute of d.
func perMinute(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Minutes()
}
