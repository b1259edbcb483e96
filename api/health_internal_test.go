package api

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/reptidex/reptidex/health"
)

// countedCheck is a dependency check that counts its runs and takes a while to answer, so
// that concurrent callers overlap with it; like a real check, it gives up when ctx ends.
func countedCheck(runs *atomic.Int32, err error) health.Check {
	return health.Check{Name: "fake", Run: func(ctx context.Context) error {
		runs.Add(1)
		select {
		case <-time.After(100 * time.Millisecond):
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}}
}

func TestHealthCache_ConcurrentCallersWithinTheTTLShareOneRun(t *testing.T) {
	t.Parallel()
	const callers = 50
	var runs atomic.Int32
	c := &healthCache{checks: []health.Check{countedCheck(&runs, nil)}, ttl: time.Second}

	start := make(chan struct{})
	reports := make([]health.Report, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			reports[i] = c.report(t.Context())
		}()
	}
	close(start)
	wg.Wait()
	require.Equal(t, int32(1), runs.Load(), "%d callers within the TTL run the checks once", callers)
	for i, rep := range reports {
		require.Equal(t, "up", rep.Status, "caller %d", i)
		require.Equal(t, "up", rep.Checks["fake"].Status, "caller %d has the shared run's answer", i)
	}

	require.Equal(t, "up", c.report(t.Context()).Status)
	require.Equal(t, int32(1), runs.Load(), "a later caller within the TTL is answered from the cache")

	time.Sleep(c.ttl + 50*time.Millisecond)
	require.Equal(t, "up", c.report(t.Context()).Status)
	require.Equal(t, int32(2), runs.Load(), "after the TTL the checks run again")
}

func TestHealthCache_ARunOutlivesTheCallerThatStartedIt(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	c := &healthCache{checks: []health.Check{countedCheck(&runs, nil)}, ttl: time.Minute}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.Equal(t, "up", c.report(ctx).Status, "the checks do not inherit the first caller's cancellation")
	require.Equal(t, "up", c.report(t.Context()).Status)
	require.Equal(t, int32(1), runs.Load())
}

func TestHealthCache_ADependencysErrorGoesToTheLogNotTheReport(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	cause := errors.New("dial tcp 10.1.2.3:25: connect: connection refused")
	var logged []error
	c := &healthCache{
		checks: []health.Check{countedCheck(&runs, cause)},
		ttl:    time.Minute,
		onDown: func(name string, res health.Result) { logged = append(logged, res.Err) },
	}

	rep := c.report(t.Context())
	require.Equal(t, "down", rep.Status)
	require.Equal(t, "down", rep.Checks["fake"].Status)
	require.NotContains(t, rep.Checks["fake"].Error, "10.1.2.3")
	require.NotContains(t, rep.Checks["fake"].Error, "connection refused")
	require.Len(t, logged, 1)
	require.ErrorIs(t, logged[0], cause, "the cause is logged")

	c.report(t.Context())
	require.Len(t, logged, 1, "a cached answer is not logged again")
}

func TestHealthCache_ACallerThatLeavesBeforeTheFirstRunHearsDown(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	c := &healthCache{checks: []health.Check{countedCheck(&runs, nil)}, ttl: time.Second}
	started := make(chan struct{})
	go func() {
		close(started)
		c.report(context.Background())
	}()
	<-started
	for {
		c.mu.Lock()
		running := c.running != nil
		c.mu.Unlock()
		if running {
			break
		}
		time.Sleep(time.Millisecond)
	}
	gone, cancel := context.WithCancel(t.Context())
	cancel()
	require.Equal(t, "down", c.report(gone).Status, "never an empty status")
}

func TestHealthCache_APanickingLoggerDoesNotLeaveTheRunOpen(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	c := &healthCache{checks: []health.Check{countedCheck(&runs, errors.New("refused"))}, ttl: time.Hour,
		onDown: func(string, health.Result) { panic("logger broke") }}
	require.Panics(t, func() { c.report(t.Context()) })
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	rep := c.report(ctx)
	require.NoError(t, ctx.Err(), "the next caller is answered, not left waiting on the broken run")
	require.Equal(t, "down", rep.Status)
}
