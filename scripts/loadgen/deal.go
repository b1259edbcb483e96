package loadgen

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// Deal deals the indexes 0 to n-1 out to clients concurrent goroutines: each calls do with
// its own number k (0 to clients-1) and the next index not yet taken, until none is left or
// ctx ends, and Deal returns once all have stopped. do runs on one goroutine for a given k,
// so what it records per client needs no locks.
func Deal(ctx context.Context, n, clients int, do func(k, i int)) {
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for k := range clients {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				do(k, i)
			}
		})
	}
	wg.Wait()
}

// ForEach deals the indexes 0 to n-1 out to workers concurrent goroutines (see Deal) and
// returns do's first error, which cancels the ctx of the calls still to come. It is for a
// run's set-up (creating the animals, the listings), where any failure ends the run. It
// fails too when ctx ends before every index is done.
func ForEach(ctx context.Context, n, workers int, do func(ctx context.Context, i int) error) error {
	var (
		mu       sync.Mutex
		firstErr error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	Deal(ctx, n, workers, func(_, i int) {
		if err := do(ctx, i); err != nil {
			mu.Lock()
			if firstErr == nil {
				firstErr = err
			}
			mu.Unlock()
			cancel()
		}
	})
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted: %w", err)
	}
	return nil
}
